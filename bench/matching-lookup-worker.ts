/**
 * The adapter side of bench/matching-lookup.bench.ts: a process that holds only a health
 * connector, runs the lookups one at a time and reports latencies and its own resident memory.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { exampleConnector } from '../scripts/seed/connectors';
import { storeDataSource } from '../scripts/seed/database';
import type { LookupWorkerInput, LookupWorkerOutput } from './matching-lookup.bench';

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LookupWorkerInput;
  const ds = storeDataSource(input.storeUrl);
  await ds.initialize();
  const { connector: sut, close } = exampleConnector('health', input.url, ds);
  try {
    for (let i = 0; i < input.warmup; i++)
      await sut.findSubject(input.queries[i % input.queries.length]);
    const latenciesMs: number[] = [];
    const statuses: Record<string, number> = {};
    for (const [i, q] of input.queries.entries()) {
      const t = process.hrtime.bigint();
      const r = await sut.findSubject(q);
      latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if ((i + 1) % 500 === 0)
        process.stderr.write(`[matching-bench] lookup: ${i + 1}/${input.queries.length} lookups\n`);
    }
    const memory = process.memoryUsage();
    const output: LookupWorkerOutput = {
      latenciesMs,
      statuses,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
    process.send?.(output);
  } finally {
    await close();
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `[matching-bench] lookup worker failed: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
