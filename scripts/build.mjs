#!/usr/bin/env node
// npm run build [-- <out dir>]: compiles the broker, the four adapters, the libraries and the
// operators' tools (keys, audit, and the development token tool) to CommonJS under dist/ (or <out dir>) with SWC, the compiler the tests
// and `npm start` already use. .swcrc's `paths` rewrite every `@mash/*` import to a relative
// require, so the output runs on plain `node` with only the production dependencies installed.
// SWC strips types without checking them: `npm run typecheck` (and `npm test`) does that.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
const sources = ['apps', 'libs'].flatMap((top) =>
  readdirSync(join(root, top))
    .map((name) => join(top, name, 'src'))
    .filter((dir) => existsSync(join(root, dir))),
);
sources.push('scripts/token.ts', 'scripts/keys.ts', 'scripts/audit.ts');

rmSync(outDir, { recursive: true, force: true });
const started = Date.now();
const result = spawnSync(
  join(root, 'node_modules/.bin/swc'),
  [...sources, '-d', outDir, '--config-file', '.swcrc', '--ignore', '**/*.spec.ts', '--quiet'],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
// The console's templates and its own script and styles sit beside the compiled code.
for (const dir of ['views', 'public'])
  cpSync(join(root, 'apps/broker/src/console', dir), join(outDir, 'apps/broker/src/console', dir), { recursive: true });
process.stderr.write(`compiled ${sources.length} source trees into ${outDir} in ${Date.now() - started} ms\n`);
