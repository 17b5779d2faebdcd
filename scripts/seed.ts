import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { runSeed } from './seed/run';

const USAGE = `Usage: npm run seed -- [--people N] [--database-url URL] [--db-prefix mash_] [--seed 42] [--out .local/demo]
                      [--as-of YYYY-MM-DD] [--corruption 1] [--clean-demo 8]

Writes a synthetic town's children into the four agencies' source databases (<prefix>police,
<prefix>health, <prefix>education, <prefix>social_care), creating and migrating them if needed,
with a read-only role for each (<prefix><agency>_reader); the match index and fitted model into
each adapter's own database (<prefix>adapter_<agency>); then <out>/truth.csv (which record is
which person) and <out>/subjects.json (children to try).`;

function positiveNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    process.stderr.write(`--${name} must be a ${integer ? 'whole ' : ''}number >= 0\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string' },
      'database-url': { type: 'string' },
      'db-prefix': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'as-of': { type: 'string' },
      corruption: { type: 'string' },
      'clean-demo': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const asOf = values['as-of'];
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    process.stderr.write(`--as-of must be YYYY-MM-DD\n${USAGE}\n`);
    process.exit(2);
  }
  const prefix = values['db-prefix'] ?? 'mash_';
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) {
    process.stderr.write(`--db-prefix must be lower-case letters, digits and underscores\n`);
    process.exit(2);
  }
  const summary = await runSeed({
    people: Math.max(1, positiveNumber('people', values.people, 2000)),
    seed: positiveNumber('seed', values.seed, 42),
    serverUrl:
      values['database-url'] ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
    dbPrefix: prefix,
    out: values.out ?? '.local/demo',
    asOf,
    corruption: positiveNumber('corruption', values.corruption, 1, false),
    cleanDemo: positiveNumber('clean-demo', values['clean-demo'], 8),
  });
  process.stdout.write(
    `${JSON.stringify({ people: summary.people, children: summary.children, records: summary.records, databases: summary.databases, subjects: summary.subjectsFile, durationMs: summary.durationMs })}\n`,
  );
}

main().catch((error: unknown) => {
  // The message names databases and files, never people.
  process.stderr.write(
    `[seed] failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
