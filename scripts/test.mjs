#!/usr/bin/env node
// npm test: type-check, unit tests, the migration drift check, then the integration and
// end-to-end tests against the real Kafka (started by the jest global setup when
// KAFKA_BROKERS is unset) and the real PostgreSQL.
import { spawnSync } from 'node:child_process';

const steps = [
  ['type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint (ESLint and Prettier)', 'npm', ['run', '-s', 'lint']],
  ['unit tests', 'npx', ['jest', '--selectProjects', 'unit']],
  ['migrations match entities', 'node', ['-r', '@swc-node/register', 'scripts/migrations.ts', 'check']],
  // --forceExit: kafkajs leaves sockets closing after the last federation stops; every file stops its own.
  ['integration and end-to-end tests', 'npx', ['jest', '--selectProjects', 'integration', '--runInBand', '--forceExit']],
];

const only = process.argv[2];
for (const [name, command, args] of steps) {
  if (only && !name.startsWith(only)) continue;
  process.stderr.write(`\n=== ${name} ===\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  process.stderr.write(`=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
