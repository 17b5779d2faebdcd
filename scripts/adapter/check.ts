import {
  ConnectorFileError,
  createSourceDriver,
  loadConnectorFile,
  candidatesFromRows,
  type ConnectorFile,
  type SourceDriver,
} from '@mash/adapter-sdk';
import {
  isValidNhsNumber,
  isValidUpn,
  linkRecords,
  type MatchSubject,
  prepare,
} from '@mash/matching';
import { loadMapping, mapRows, readCsv } from '../link';

export interface CheckOptions {
  file: string;
  sourceUrl: string;
  /** People of another agency's view (CSV) to estimate the match rate against, with its mapping. */
  sample?: { csv: string; map: string };
  /** How many people's category records are read to estimate counts (default 200). */
  recordsSample?: number;
  progress?: (message: string) => void;
}

export interface CheckReport {
  file: string;
  agency: string;
  driver: string;
  readOnly: { ok: boolean; privileges: string[] };
  people: number;
  variants: number;
  missing: Record<'givenName' | 'familyName' | 'dateOfBirth', number>;
  badDates: number;
  identifiers: Record<string, { present: number; invalid: number }>;
  categories: Record<
    string,
    {
      sampled: number;
      records: number;
      peopleWithAny: number;
      estimatedTotal: number;
      error?: string;
    }
  >;
  matchRate?: { sample: number; match: number; possible: number; rate: number };
  /** What to fix, most important first. */
  fixes: string[];
  /** The fixes that stop go-live (credentials, SQL that fails, refs that do not line up). */
  blocking: number;
}

/**
 * SQL error text for agency IT. A data exception (SQLSTATE class 22) can echo a value from a row
 * (a date, a ref), so its quoted parts are dropped; a syntax or undefined-object error names SQL
 * identifiers, which is what to fix.
 */
const redact = (e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  const safe =
    typeof code === 'string' && code.startsWith('22')
      ? message.replace(/"[^"]*"/g, '"…"')
      : message;
  return safe.slice(0, 200);
};

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What agency IT runs before go-live (`npm run adapter -- check <file>`): the file valid, the
 * source reachable with read-only credentials, people and records counted, identifiers checked
 * (NHS number check digit, UPN check letter), the match rate estimated against a sample with the
 * link tool's matcher, and a list of what to fix. Prints counts only, never a person's values.
 */
export async function checkConnector(options: CheckOptions): Promise<CheckReport> {
  const progress = options.progress ?? (() => undefined);
  const def: ConnectorFile = loadConnectorFile(options.file);
  progress(
    `connector file valid: agency ${def.agency}, ${Object.keys(def.categories).length} categories`,
  );
  const source: SourceDriver = createSourceDriver(def.source.driver, options.sourceUrl);
  const fixes: string[] = [];
  const blockers: string[] = [];
  const block = (fix: string) => blockers.push(fix);
  try {
    await source.ping();
    progress('connected to the source');
    // Imported files live in the adapter's own store, which it writes by design (its reads of them
    // still run in read-only sessions): no agency system is behind it to protect.
    const privileges = def.source.driver === 'files' ? [] : await source.writePrivileges();
    if (privileges.length > 0)
      block(
        `the source credentials can do more than read (${privileges.slice(0, 5).join(', ')}${privileges.length > 5 ? ', …' : ''}): give the adapter a role with SELECT only`,
      );

    const changes = await source.named(def.identity.changes, { since: null });
    const refs = [...new Set(changes.map((c) => String(c.ref)))];
    progress(`identity.changes lists ${refs.length} people`);
    if (refs.length === 0)
      block('identity.changes returns nobody: with :since null it must list every record');
    if (changes.some((c) => c.changedAt === null || c.changedAt === undefined))
      block(
        'identity.changes returns rows without changedAt: alias the last-changed column AS "changedAt"',
      );

    const missing = { givenName: 0, familyName: 0, dateOfBirth: 0 };
    const identifiers: CheckReport['identifiers'] = {};
    let variants = 0;
    let badDates = 0;
    const firstVariants: MatchSubject[] = [];
    const subjectRef = def.identity.subjectRef ? new RegExp(def.identity.subjectRef) : undefined;
    let refsNotFitting = 0;
    for (let i = 0; i < refs.length; i += 1000) {
      const batch = refs.slice(i, i + 1000);
      const candidates = candidatesFromRows(
        await source.named(def.identity.candidates, { refs: batch }),
        def.identity.fields,
      );
      for (const c of candidates) {
        if (subjectRef && !subjectRef.test(c.ref)) refsNotFitting++;
        firstVariants.push({ id: c.ref, ...c.variants[0] });
        for (const v of c.variants) {
          variants++;
          for (const f of ['givenName', 'familyName', 'dateOfBirth'] as const)
            if (!v[f]) missing[f]++;
          if (v.dateOfBirth && !ISO_DAY.test(v.dateOfBirth)) badDates++;
          for (const [kind, value] of Object.entries(v.identifiers ?? {})) {
            const tally = (identifiers[kind] ??= { present: 0, invalid: 0 });
            if (!value) continue;
            tally.present++;
            if (kind === 'nhsNumber' && !isValidNhsNumber(value)) tally.invalid++;
            if (kind === 'upn' && !isValidUpn(value)) tally.invalid++;
          }
        }
      }
      progress(`identity: ${Math.min(i + 1000, refs.length)}/${refs.length} people read`);
    }
    if (firstVariants.length < refs.length)
      block(
        `identity.candidates finds ${firstVariants.length} of the ${refs.length} people identity.changes lists: both must use the same ref`,
      );
    if (refsNotFitting > 0)
      fixes.push(
        `${refsNotFitting} refs do not fit identity.subjectRef: widen the pattern or drop it`,
      );
    for (const [f, n] of Object.entries(missing))
      if (n > 0)
        fixes.push(`${n} identity rows have no ${f}: check identity.fields.${f} and the data`);
    if (badDates > 0)
      fixes.push(
        `${badDates} dates of birth are not YYYY-MM-DD: format them in identity.candidates (to_char)`,
      );
    for (const [kind, t] of Object.entries(identifiers))
      if (t.invalid > 0)
        fixes.push(
          `${t.invalid} of ${t.present} ${kind} values fail their check ${kind === 'nhsNumber' ? 'digit' : 'letter'}: they are used as unverified (probabilistic) evidence only`,
        );

    const categories: CheckReport['categories'] = {};
    const sampleSize = Math.min(refs.length, options.recordsSample ?? 200);
    const step = refs.length / Math.max(1, sampleSize);
    const sampled = Array.from({ length: sampleSize }, (_, i) => refs[Math.floor(i * step)]);
    for (const [name, spec] of Object.entries(def.categories)) {
      const entry = {
        sampled: sampled.length,
        records: 0,
        peopleWithAny: 0,
        estimatedTotal: 0,
      } as CheckReport['categories'][string];
      try {
        for (const ref of sampled) {
          const rows = await source.named(spec.sql, { ref });
          entry.records += rows.length;
          if (rows.length > 0) entry.peopleWithAny++;
          const unmapped = Object.values(spec.fields ?? {}).filter(
            (col) => rows[0] && !(col in rows[0]),
          );
          if (unmapped.length > 0)
            throw new Error(`columns ${unmapped.join(', ')} named in fields are not in the result`);
        }
        entry.estimatedTotal =
          sampled.length === 0 ? 0 : Math.round((entry.records / sampled.length) * refs.length);
      } catch (error) {
        entry.error = redact(error);
        block(`categories.${name}: ${entry.error}`);
      }
      categories[name] = entry;
      progress(`category ${name}: ${entry.records} records for ${sampled.length} people sampled`);
    }

    const matchRate = options.sample
      ? estimateMatchRate(options.sample, firstVariants, progress)
      : undefined;
    if (matchRate && matchRate.sample > 0 && matchRate.possible > matchRate.match)
      fixes.push(
        'more possible matches than matches: map more identity fields (postcode, address, identifiers)',
      );

    return {
      file: options.file,
      agency: def.agency,
      driver: def.source.driver,
      readOnly: { ok: privileges.length === 0, privileges },
      people: refs.length,
      variants,
      missing,
      badDates,
      identifiers,
      categories,
      ...(matchRate ? { matchRate } : {}),
      fixes: [...blockers, ...fixes],
      blocking: blockers.length,
    };
  } finally {
    await source.close();
  }
}

/**
 * The match rate of another agency's people (a CSV and its mapping) against the source's: each
 * person's first identity variant, linked with the link tool's matcher.
 */
export function estimateMatchRate(
  sample: { csv: string; map: string },
  own: readonly MatchSubject[],
  progress: (message: string) => void,
): NonNullable<CheckReport['matchRate']> {
  const queries = mapRows(readCsv(sample.csv), loadMapping(sample.map));
  progress(`linking ${queries.length} sample people against ${own.length} source records`);
  const { links } = linkRecords(
    queries,
    own.map((v) => prepare(v)),
    { onProgress: (p) => progress(`link: ${p.stage} ${p.done ?? p.pairs} pairs`) },
  );
  const match = links.filter((l) => l.band === 'match').length;
  const possible = links.filter((l) => l.band === 'possible').length;
  return {
    sample: queries.length,
    match,
    possible,
    rate: queries.length ? match / queries.length : 0,
  };
}

export function formatReport(r: CheckReport): string {
  const lines = [
    `connector ${r.file} (agency ${r.agency}, driver ${r.driver})`,
    `  credentials   ${r.readOnly.ok ? 'read-only' : `NOT read-only: ${r.readOnly.privileges.length} write privileges`}`,
    `  people        ${r.people} (${r.variants} identity variants)`,
    ...Object.entries(r.identifiers).map(
      ([k, t]) =>
        `  ${k.padEnd(13)} ${t.present} present, ${t.invalid} failing the check ${k === 'nhsNumber' ? 'digit' : k === 'upn' ? 'letter' : '(not checked)'}`,
    ),
    ...Object.entries(r.categories).map(([name, c]) =>
      c.error
        ? `  ${name.padEnd(13)} ERROR ${c.error}`
        : `  ${name.padEnd(13)} ~${c.estimatedTotal} records (${c.records} for ${c.sampled} people sampled, ${c.peopleWithAny} with any)`,
    ),
    r.matchRate
      ? `  match rate    ${(r.matchRate.rate * 100).toFixed(1)}% of ${r.matchRate.sample} sample people matched, ${r.matchRate.possible} possible`
      : '  match rate    not estimated (pass --sample people.csv --map mapping.json)',
    r.fixes.length === 0
      ? 'nothing to fix'
      : `to fix:\n${r.fixes.map((f) => `  - ${f}`).join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
}

export { ConnectorFileError };
