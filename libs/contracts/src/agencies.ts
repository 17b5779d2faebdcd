/** The example partnership's four agencies: the default registry's, and the fallback without one. */
export const EXAMPLE_AGENCIES = ['police', 'health', 'education', 'social-care'] as const;

/** An agency's name: lowercase letters, digits and dashes (it is part of topic and group names). */
export const AGENCY_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * An agency of the partnership: a name the agency registry holds. A partnership co-locates as many
 * services as it likes (housing, probation, youth justice…), so this is a string checked against
 * `AGENCIES` at every boundary (the schemas below are `z.enum(AGENCIES)`), not a fixed union.
 */
export type Agency = string;

/**
 * Every agency the registry (`AGENCY_REGISTRY_FILE`, default `deploy/agencies/registry.dev.json`,
 * the file the broker trusts keys from) names, by default or for some partnership; read once at
 * load, like the topic namespace, because schemas and topic names are built from it. Without the
 * file (a browser, a library user) it is the example four.
 */
export const AGENCIES: readonly [Agency, ...Agency[]] = agenciesFromRegistry(
  readRegistryFile(envValue('AGENCY_REGISTRY_FILE') ?? 'deploy/agencies/registry.dev.json'),
);

export function isAgency(value: unknown): value is Agency {
  return typeof value === 'string' && AGENCIES.includes(value);
}

/** The agency names a registry document holds, in order of first appearance. */
export function agenciesFromRegistry(registry: unknown): [Agency, ...Agency[]] {
  if (registry === undefined) return [...EXAMPLE_AGENCIES];
  const doc = registry as { default?: object; partnerships?: Record<string, object> };
  const names = [
    ...Object.keys(doc.default ?? {}),
    ...Object.values(doc.partnerships ?? {}).flatMap((p) => Object.keys(p ?? {})),
  ];
  const unique = [...new Set(names)];
  const bad = unique.filter((n) => !AGENCY_NAME.test(n));
  if (bad.length > 0)
    throw new Error(
      `agency registry: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not an agency name (lowercase letters, digits, dashes)`,
    );
  if (unique.length === 0) throw new Error('agency registry names no agency');
  return unique as [Agency, ...Agency[]];
}

function envValue(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const value = env?.[name];
  return value === '' ? undefined : value;
}

/** The registry's JSON, or undefined where there is no file system or no file. */
function readRegistryFile(path: string): unknown {
  const proc = (
    globalThis as {
      process?: { getBuiltinModule?: (id: string) => unknown };
    }
  ).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as
    { existsSync(p: string): boolean; readFileSync(p: string, e: 'utf8'): string } | undefined;
  if (!fs || !fs.existsSync(path)) return undefined;
  return JSON.parse(fs.readFileSync(path, 'utf8')) as unknown;
}

export const PURPOSES = ['mash-triage', 'strategy-discussion', 's47-enquiry'] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * How a person on a case relates to the child it is about. The subject is the child referred;
 * every other member is asked about only where the agreement in force covers that relationship.
 */
export const RELATIONSHIPS = [
  'subject',
  'sibling',
  'parent',
  'carer',
  'partner-of-parent',
  'other-adult',
  'other-child',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
/** Every relationship but the subject's: what a household member added to a case may be. */
export const MEMBER_RELATIONSHIPS = RELATIONSHIPS.filter(
  (r): r is Exclude<Relationship, 'subject'> => r !== 'subject',
);
export type MemberRelationship = Exclude<Relationship, 'subject'>;
