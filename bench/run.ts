/**
 * npm run bench [-- name…]: runs every bench/*.bench.ts (or the named ones) in its own process,
 * one after another so they do not disturb each other's timings. Each writes its figures to
 * bench/results/<name>.json; this prints which ran and how long each took.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = __dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();

if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}

let failed = 0;
for (const [i, name] of benches.entries()) {
  process.stderr.write(`\n[bench ${i + 1}/${benches.length}] ${name}\n`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', join(dir, `${name}.bench.ts`)],
    {
      stdio: 'inherit',
      env: process.env,
    },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    process.stderr.write(`[bench] ${name}: done in ${seconds} s -> bench/results/\n`);
  } else {
    failed += 1;
    process.stderr.write(`[bench] ${name}: FAILED (exit ${result.status}) after ${seconds} s\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
