import type { BrokerKeys } from '../keys/broker-keys';

/**
 * The kinds of information (category names, never values) each agency released for a case,
 * from the sealed records still held. Categories with no record are left out.
 */
export async function sharedCategoriesOf(
  cipher: BrokerKeys['cipher'],
  parts: ReadonlyArray<{ agency: string; recordsSealed: string | null }>,
): Promise<Record<string, string[]>> {
  const shared: Record<string, Set<string>> = {};
  for (const part of parts) {
    if (!part.recordsSealed) continue;
    const records = await cipher.open<Record<string, unknown[]>>(part.recordsSealed);
    for (const [category, rows] of Object.entries(records)) {
      if (Array.isArray(rows) && rows.length > 0) (shared[part.agency] ??= new Set()).add(category);
    }
  }
  return Object.fromEntries(
    Object.entries(shared).map(([agency, set]) => [agency, [...set].sort()]),
  );
}
