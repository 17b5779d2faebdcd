/**
 * npm run helm:generate: writes deploy/helm/mash/templates/ from deploy/helm/chart.ts.
 * `npm run helm:generate -- --check` fails when the committed templates differ (the chart test
 * does the same).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize, templates } from './chart';

const dir = join(__dirname, 'mash/templates');
const check = process.argv.includes('--check');
const wanted = new Map(templates().map((t) => [t.file, serialize(t)]));
const stale = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !wanted.has(f));
const differ = [...wanted].filter(
  ([f, text]) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== text,
);
if (check) {
  if (stale.length + differ.length > 0) {
    process.stderr.write(
      `chart templates out of date: ${[...stale, ...differ.map(([f]) => f)].join(', ')}; run npm run helm:generate\n`,
    );
    process.exit(1);
  }
} else {
  for (const f of stale) rmSync(join(dir, f));
  for (const [f, text] of differ) writeFileSync(join(dir, f), text);
  process.stderr.write(
    `wrote ${differ.length} and removed ${stale.length} template(s) in ${dir}\n`,
  );
}
