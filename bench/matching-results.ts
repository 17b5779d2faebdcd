import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MATCHING_RESULTS = join(__dirname, 'results', 'matching.json');

/** Merges one key into bench/results/matching.json, keeping every other key (`febrl4`, ...). */
export function mergeMatchingResult(key: string, value: object): Record<string, unknown> {
  const existing: Record<string, unknown> = existsSync(MATCHING_RESULTS)
    ? (JSON.parse(readFileSync(MATCHING_RESULTS, 'utf8')) as Record<string, unknown>)
    : {};
  const merged = { ...existing, [key]: value };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(MATCHING_RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

export const round4 = (x: number): number => Math.round(x * 10000) / 10000;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const progress = (message: string): void => {
  process.stderr.write(`[matching-bench] ${message}\n`);
};
