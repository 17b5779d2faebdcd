#!/usr/bin/env node
// npm test: type-check and the folder-cycle check with lint beside them, unit tests (in a far zone,
// then on moved clocks) with the cluster drill (its own three-node Kafka) beside them, the migration
// drift check, then the integration and end-to-end tests against the real Kafka (started by the jest global setup when
// KAFKA_BROKERS is unset) and the real PostgreSQL, then the console's browser tests.
// `npm test -- <step prefix>` runs only the steps whose names start with it.
import { spawn, spawnSync } from 'node:child_process';

// The unit tests again with the clock moved, so a test that depends on the day it runs fails here
// rather than on some later day: the night BST ends (an hour that happens twice) and a leap day.
// libfaketime starts the clock at the instant (read in TZ) and lets it run; monotonic clocks stay
// real so timers behave. The first unit run itself runs in a zone fourteen hours from London. (BST
// beginning and the last minute of a year were runs of their own too, until the cluster drill and
// the browser tests needed their minute of CI time; both kinds of instant are pinned in the specs
// that compute deadlines and ages.)
const MOVED_CLOCKS = [
  ['Europe/London', '2027-10-31 01:30:00', 'BST ends: the hour that happens twice'],
  ['Europe/London', '2028-02-29 12:00:00', 'a leap day'],
];

// Jest's default is one worker per core less one: a single worker on a two-core machine.
const UNIT = ['npx', 'jest', '--selectProjects', 'unit', '--maxWorkers=2'];

function hasFaketime() {
  return spawnSync('faketime', ['-f', '+0', 'true']).status === 0;
}

// The property specs (a third of the unit time) test pure libraries given their instants, which
// never read the clock (libs/policy/test/purity.spec.ts holds the policy engine to that), so a
// moved wall clock cannot change them; the first run, in its far zone, covers them.
const PURE = ['--testPathIgnorePatterns', '\\.property\\.spec\\.ts$'];

const movedClockSteps = MOVED_CLOCKS.map(([zone, at, why]) => [
  `unit tests at ${at} ${zone} (${why})`,
  'faketime',
  ['-f', `@${at}`, ...UNIT, '--silent', ...PURE],
  { TZ: zone, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
  true,
]);

// Integration files that start no Kafka and no federation, only PostgreSQL with their own
// databases or their own topics on the shared Kafka (kafka.sh runs stay serial: the recovery and
// SASL specs start Kafkas of their own):
// they need not wait for the suite lock the federation files take in turn, so they run in a
// second jest beside them. A file not listed here runs with the federation files, which is safe.
const STANDALONE = [
  'test/audit/',
  // Not the production image spec: its apps use the Kafka that kafka-recovery stops and starts.
  'test/deploy/compose.int-spec.ts',
  'test/deploy/helm-chart.int-spec.ts',
  'test/deploy/observability.int-spec.ts',
  'test/kafka/namespace.int-spec.ts',
  'test/matching/hard-cases.int-spec.ts',
  'test/matching/match-index.int-spec.ts',
  'test/kafka/group-leave.int-spec.ts',
  'test/kafka/offset-commits.int-spec.ts',
  'test/e2e/answer-apply.int-spec.ts',
  'test/database/',
  'test/sources/',
  'test/e2e/multi-instance.int-spec.ts',
];
const INTEGRATION = ['jest', '--selectProjects', 'integration', '--runInBand', '--forceExit'];
// Only beside a Kafka that outlives both (KAFKA_BROKERS, as in CI): without it each jest's global
// setup would start one and the first to finish would stop it under the other.
const STANDALONE_RUN = process.env.KAFKA_BROKERS
  ? {
      federation: ['--testPathIgnorePatterns', '/node_modules/', ...STANDALONE],
      standalone: STANDALONE,
    }
  : undefined;

// The cluster drill (three Kafka nodes and two brokers, one of each SIGKILLed under load; its own
// databases, ports and Kafka, test/cluster/) runs in the background while the unit tests and the
// migration check run: they are CPU work with no deadlines, and half the drill is waiting out
// deadlines. Its outcome is reported before the integration tests start.
const DRILL_START = 'cluster drill: started beside the unit tests';
const DRILL_JOIN = 'cluster drill (a Kafka node and a broker killed under load)';
const DRILL = ['jest', '--selectProjects', 'cluster', '--runInBand', '--forceExit'];

// Lint runs in the background beside the type-check and the architecture check: all three only
// read the sources, and lint, the longest, no longer waits for the other two.
const LINT_START = 'lint: started beside the type-check';
const LINT_JOIN = 'lint (ESLint and Prettier)';

const steps = [
  LINT_START,
  ['type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['architecture (no folder or file cycles in apps/ and libs/)', 'npm', ['run', '-s', 'deps']],
  LINT_JOIN,
  DRILL_START,
  [
    'unit tests (in Pacific/Kiritimati, UTC+14)',
    'npx',
    UNIT.slice(1),
    { TZ: 'Pacific/Kiritimati' },
  ],
  ...movedClockSteps,
  [
    'migrations match entities',
    'node',
    ['-r', '@swc-node/register', 'scripts/migrations.ts', 'check'],
  ],
  DRILL_JOIN,
  // --forceExit: kafkajs leaves sockets closing after the last federation stops; every file stops its own.
  ['integration and end-to-end tests', 'npx', INTEGRATION, {}, false, STANDALONE_RUN],
  // The console in Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; .ci/run installs it).
  [
    'browser tests (the console in Chromium, with axe)',
    'npx',
    ['jest', '--selectProjects', 'browser', '--runInBand', '--forceExit'],
  ],
];

/** Runs a command in the background, its output held back and printed whole when it ends. */
function background(command, args) {
  const child = spawn(command, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (c) => chunks.push(c));
  child.stderr.on('data', (c) => chunks.push(c));
  return new Promise((done) =>
    child.on('close', (status) => done({ status, output: Buffer.concat(chunks).toString() })),
  );
}

// Steps run in the background: started at their start marker, reported (and awaited) at their join.
const BACKGROUND = [
  { start: LINT_START, join: LINT_JOIN, command: 'npm', args: ['run', '-s', 'lint'] },
  { start: DRILL_START, join: DRILL_JOIN, command: 'npx', args: DRILL },
];

const only = process.argv[2];
/** Background steps under way, by their join name. */
const running = new Map();
const launch = ({ join, command, args }) =>
  running.set(join, { started: Date.now(), done: background(command, args) }).get(join);
for (const step of steps) {
  const side = BACKGROUND.find((b) => step === b.start || step === b.join);
  if (side) {
    if (only && !side.join.startsWith(only)) continue;
    if (step === side.start) {
      process.stderr.write(`\n=== ${side.start} ===\n`);
      launch(side);
      continue;
    }
    const run = running.get(side.join) ?? launch(side);
    process.stderr.write(`\n=== ${side.join} ===\n`);
    const { status, output } = await run.done;
    process.stderr.write(output);
    const took = ((Date.now() - run.started) / 1000).toFixed(1);
    process.stderr.write(`=== ${side.join}: ${status === 0 ? 'ok' : 'FAILED'} in ${took} s ===\n`);
    if (status !== 0) process.exit(1);
    continue;
  }
  const [name, command, args, env = {}, needsFaketime = false, split] = step;
  if (only && !name.startsWith(only)) continue;
  process.stderr.write(`\n=== ${name} ===\n`);
  if (needsFaketime && !hasFaketime()) {
    // CI installs faketime (.ci/run); on a developer's machine without it, say so and go on.
    if (process.env.CI) {
      process.stderr.write('=== faketime is not installed (apt-get install faketime) ===\n');
      process.exit(1);
    }
    process.stderr.write(`=== ${name}: skipped, faketime is not installed ===\n`);
    continue;
  }
  const started = Date.now();
  if (split) {
    process.stderr.write(`(beside them, in a second jest: ${STANDALONE.join(' ')})\n`);
    const standalone = background(command, [...args, ...split.standalone]);
    const federation = await new Promise((done) =>
      spawn(command, [...args, ...split.federation], { stdio: 'inherit', env: process.env }).on(
        'close',
        (status) => done(status),
      ),
    );
    const side = await standalone;
    process.stderr.write(`\n--- the standalone integration files ---\n${side.output}`);
    const ok = federation === 0 && side.status === 0;
    const took = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`=== ${name}: ${ok ? 'ok' : 'FAILED'} in ${took} s ===\n`);
    if (!ok) process.exit(1);
    continue;
  }
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  process.stderr.write(
    `=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`,
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
