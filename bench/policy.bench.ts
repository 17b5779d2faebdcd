/**
 * Policy decision benchmark: 1,000 agreement versions across 50 partnerships (4 agencies each,
 * 5 versions each, mixed statuses and windows, content from the demo agreements), then the latency
 * of PolicyIndex.decide over 200,000 random requests after a warm-up, each timed with
 * process.hrtime.bigint. Also times decide() given all 1,000 versions per call (no index).
 *
 *   node -r @swc-node/register bench/policy.bench.ts      # writes bench/results/policy.json
 *   POLICY_BENCH_DECISIONS=1000000 …                      # a longer run
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENCIES, PURPOSES } from '@mash/contracts';
import {
  CONSENT_REASONS,
  decide,
  parseAgreementFile,
  PolicyIndex,
  RAGS,
  validateAgreement,
  type AgreementStatus,
  type AgreementVersion,
  type ConsentStatus,
  type DecisionRequest,
} from '@mash/policy';

const PARTNERSHIPS = 50;
const VERSIONS_PER_AGREEMENT = 5;
const DECISIONS = Number(process.env.POLICY_BENCH_DECISIONS ?? 200_000);
const WARM_UP = 50_000;
const UNINDEXED_DECISIONS = 20_000;
const NOW = new Date('2026-12-01T10:00:00Z');

const log = (msg: string): void => void process.stderr.write(`[policy.bench] ${msg}\n`);

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const uuid = (n: number) => {
  const h = n.toString(16).padStart(12, '0');
  return `0000${h.slice(0, 4)}-0000-4000-8000-${h}`;
};

function templates(): AgreementVersion[] {
  const dir = join(__dirname, '..', 'deploy', 'agreements', 'demo');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parseAgreementFile(f, readFileSync(join(dir, f), 'utf8')));
}

/**
 * Per partnership and agency, one agreement with 5 versions: two past ones (expired, and active but
 * ended), the current one (mostly active, some suspended), a future active one and a draft.
 */
function buildAgreements(random: () => number): AgreementVersion[] {
  const out: AgreementVersion[] = [];
  const base = templates();
  let n = 0;
  for (let p = 0; p < PARTNERSHIPS; p++) {
    for (const template of base) {
      const id = uuid(++n);
      const windows: Array<[string, string | undefined, AgreementStatus]> = [
        ['2022-04-01', '2024-03-31', 'expired'],
        ['2024-04-01', '2026-03-31', 'active'],
        ['2026-04-01', '2029-03-31', random() < 0.1 ? 'suspended' : 'active'],
        ['2029-04-01', undefined, 'active'],
        ['2026-10-01', undefined, 'draft'],
      ];
      windows
        .slice(0, VERSIONS_PER_AGREEMENT)
        .forEach(([effectiveFrom, effectiveTo, status], i) => {
          out.push(
            validateAgreement({
              ...template,
              id,
              version: i + 1,
              partnership: `partnership-${String(p + 1).padStart(2, '0')}`,
              retentionDays: template.retentionDays + i,
              effectiveFrom,
              effectiveTo,
              reviewDate: effectiveFrom,
              status,
            }),
          );
        });
    }
  }
  return out;
}

function buildRequests(random: () => number, count: number): DecisionRequest[] {
  const statuses: ConsentStatus[] = ['given', 'given', 'refused', 'not-sought', 'none'];
  return Array.from({ length: count }, (_, i) => ({
    // 1 in 50 asks a partnership that has no agreements.
    partnership: `partnership-${String(Math.floor(random() * (PARTNERSHIPS + 1)) + 1).padStart(2, '0')}`,
    agency: pick(random, AGENCIES),
    purpose: pick(random, PURPOSES),
    user: { sub: `user-${i % 100}`, roles: ['analyst'] },
    case: {
      id: `case-${i}`,
      level: 1 + Math.floor(random() * 4),
      rag: pick(random, RAGS),
      consent: {
        status: pick(random, statuses),
        reason: pick(random, CONSENT_REASONS),
        managerApproved: random() < 0.5,
      },
    },
    now: NOW,
  }));
}

function percentile(sorted: BigInt64Array, p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

export async function run(): Promise<object> {
  const random = prng(20261201);
  log('building 1,000 agreement versions');
  const agreements = buildAgreements(random);
  const buildStart = process.hrtime.bigint();
  const index = new PolicyIndex(agreements);
  const indexBuildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  log(
    `indexed ${index.size} versions in ${indexBuildMs.toFixed(1)} ms (includes hashing each version)`,
  );

  const requests = buildRequests(random, 10_000);
  let permits = 0;
  log(`warming up (${WARM_UP.toLocaleString('en-GB')} decisions)`);
  for (let i = 0; i < WARM_UP; i++)
    if (index.decide(requests[i % requests.length]).decision === 'permit') permits++;

  const samples = new BigInt64Array(DECISIONS);
  permits = 0;
  const step = Math.max(1, Math.floor(DECISIONS / 10));
  for (let i = 0; i < DECISIONS; i++) {
    const request = requests[i % requests.length];
    const t0 = process.hrtime.bigint();
    const d = index.decide(request);
    samples[i] = process.hrtime.bigint() - t0;
    if (d.decision === 'permit') permits++;
    if ((i + 1) % step === 0)
      log(
        `timed ${(i + 1).toLocaleString('en-GB')} / ${DECISIONS.toLocaleString('en-GB')} decisions`,
      );
  }
  samples.sort();

  // Throughput without per-call timer overhead.
  const loopStart = process.hrtime.bigint();
  for (let i = 0; i < DECISIONS; i++) index.decide(requests[i % requests.length]);
  const loopNs = Number(process.hrtime.bigint() - loopStart);

  log(
    `timing decide() without an index, all 1,000 versions per call (${UNINDEXED_DECISIONS.toLocaleString('en-GB')} decisions)`,
  );
  const unindexed = new BigInt64Array(UNINDEXED_DECISIONS);
  for (let i = 0; i < 2_000; i++) decide({ request: requests[i % requests.length], agreements });
  for (let i = 0; i < UNINDEXED_DECISIONS; i++) {
    const request = requests[i % requests.length];
    const t0 = process.hrtime.bigint();
    decide({ request, agreements });
    unindexed[i] = process.hrtime.bigint() - t0;
  }
  unindexed.sort();

  const us = (ns: number) => Math.round(ns / 10) / 100;
  const result = {
    agreementVersions: agreements.length,
    partnerships: PARTNERSHIPS,
    agencies: AGENCIES.length,
    versionsPerAgreement: VERSIONS_PER_AGREEMENT,
    indexBuildMs: Math.round(indexBuildMs * 10) / 10,
    decisions: DECISIONS,
    warmUp: WARM_UP,
    permitShare: Math.round((permits / DECISIONS) * 1000) / 1000,
    latencyMicroseconds: {
      p50: us(percentile(samples, 50)),
      p90: us(percentile(samples, 90)),
      p99: us(percentile(samples, 99)),
      p999: us(percentile(samples, 99.9)),
      max: us(Number(samples[samples.length - 1])),
    },
    decisionsPerSecond: Math.round(DECISIONS / (loopNs / 1e9)),
    targetP99Microseconds: 50,
    meetsTarget: percentile(samples, 99) <= 50_000,
    withoutIndex: {
      decisions: UNINDEXED_DECISIONS,
      p50: us(percentile(unindexed, 50)),
      p99: us(percentile(unindexed, 99)),
    },
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
  log(
    `p50 ${result.latencyMicroseconds.p50} µs, p99 ${result.latencyMicroseconds.p99} µs, ${result.decisionsPerSecond.toLocaleString('en-GB')} decisions/s`,
  );
  return result;
}

if (require.main === module) {
  run()
    .then(async (result) => {
      const dir = join(__dirname, 'results');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'policy.json'), `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    });
}
