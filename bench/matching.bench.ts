/**
 * Identity-matching benchmark: FEBRL 4 linkage (5,000 originals against 5,000 corrupted
 * duplicates; data nobody on this project generated), through the same path as `npm run link`.
 *
 *   node -r @swc-node/register bench/matching.bench.ts [--write-truth PATH]
 *
 * Writes `febrl4` into bench/results/matching.json, keeping any other keys already there
 * (`synthetic`, `lookup`, ...). `--write-truth` only writes the FEBRL 4 truth CSV and exits.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLink } from '../scripts/link';
import { median } from './stats';

const ROOT = join(__dirname, '..');
const FEBRL_DIR = process.env.FEBRL_DIR ?? '/work/shared/data/febrl';
const RESULTS = join(__dirname, 'results', 'matching.json');
const RUNS = 3;

/**
 * The FEBRL 4 ground truth as `left_id,right_id`: `rec-N-org` in 4a is `rec-N-dup-0` in 4b.
 * Derived from the record ids only, never read by the matcher.
 */
export function febrl4Truth(leftCsv: string): string {
  const ids = readFileSync(leftCsv, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0].trim())
    .filter((id) => /^rec-\d+-org$/.test(id));
  return (
    ['left_id,right_id', ...ids.map((id) => `${id},${id.replace(/-org$/, '-dup-0')}`)].join('\n') +
    '\n'
  );
}

export async function run(): Promise<object> {
  const left = join(FEBRL_DIR, 'dataset4a.csv');
  const right = join(FEBRL_DIR, 'dataset4b.csv');
  const dir = mkdtempSync(join(tmpdir(), 'febrl4-'));
  const truth = join(dir, 'truth.csv');
  writeFileSync(truth, febrl4Truth(left));
  const seconds: number[] = [];
  let last: ReturnType<typeof runLink> | undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`matching: FEBRL 4 linkage run ${i + 1}/${RUNS}\n`);
      last = runLink(
        {
          left,
          right,
          map: join(ROOT, 'libs/matching/febrl-map.json'),
          out: join(dir, 'links.csv'),
          truth,
        },
        () => undefined,
      );
      seconds.push(last.seconds);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const q = last!.quality!;
  const febrl4 = {
    records: last!.records,
    truePairs: q.truePairs,
    pairsCompared: last!.candidatePairs,
    randomPairsForU: last!.randomPairs,
    matchLinks: q.matchLinks,
    truePositives: q.truePositives,
    precision: round(q.precision),
    recall: round(q.recall),
    f1: round(q.f1),
    trueInPossible: q.trueInPossible,
    possibleLinks: q.possibleLinks,
    seconds: { median: round(median(seconds)), max: round(Math.max(...seconds)), runs: RUNS },
    measuredAt: new Date().toISOString(),
  };
  process.stderr.write(
    `matching: F1 ${febrl4.f1}, precision ${febrl4.precision}, recall ${febrl4.recall}, median ${febrl4.seconds.median} s\n`,
  );

  // Other engineers add their own keys to this file: merge, never overwrite.
  const existing: Record<string, unknown> = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>)
    : {};
  const merged = { ...existing, febrl4 };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

if (require.main === module) {
  const i = process.argv.indexOf('--write-truth');
  if (i >= 0) {
    const target = process.argv[i + 1];
    if (!target) {
      process.stderr.write('--write-truth needs a path\n');
      process.exitCode = 1;
    } else {
      writeFileSync(target, febrl4Truth(join(FEBRL_DIR, 'dataset4a.csv')));
      process.stderr.write(`wrote FEBRL 4 truth to ${target}\n`);
    }
  } else {
    run().then(
      () => process.stderr.write(`wrote ${RESULTS}\n`),
      (e: unknown) => {
        process.stderr.write(
          `matching bench failed: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exitCode = 1;
      },
    );
  }
}
