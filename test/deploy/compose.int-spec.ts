/**
 * docker-compose.yml, for users with a Docker engine (none runs here): valid against the Compose
 * Specification's JSON Schema (vendored in deploy/compose), and the separation it promises holds:
 * each service mounts only its own secrets and state, no adapter gets the broker's database or
 * the superuser, Kafka users and ACLs match deploy/kafka/acls.sh, and the scripts it runs do
 * what it relies on (secrets.sh and postgres-init.sh are run here, with psql faked).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { AGENCIES } from '@mash/contracts';

const ROOT = resolve(__dirname, '../..');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const load = (file: string) =>
  parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as Obj;
const writeTopics = (script: string) =>
  [
    ...(
      /--operation Write([\s\S]*?)--resource-pattern-type literal/.exec(script)?.[1] ?? ''
    ).matchAll(/--topic "([^"]+)"/g),
  ]
    .map((m) => m[1])
    .sort();

describe('docker-compose.yml', () => {
  const compose = load('docker-compose.yml');
  const services = compose.services as Record<string, Obj>;
  const apps = ['broker', ...AGENCIES.map((a) => `adapter-${a}`)];

  it('is valid against the Compose Specification, with the production-auth override too', () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'deploy/compose/compose-spec.schema.json'), 'utf8'),
    ) as Obj;
    delete schema.$schema;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
      schema,
    );
    for (const file of ['docker-compose.yml', 'deploy/compose/production-auth.yml']) {
      const valid = validate(load(file));
      expect({ file, errors: valid ? [] : validate.errors }).toEqual({ file, errors: [] });
    }
    expect(validate({ services: { broker: { image: 'x', read_onyl: true } } })).toBe(false);
  });

  it('gives every app only its own secrets and state, read-only and without capabilities', () => {
    const runJs = readFileSync(join(ROOT, 'deploy/docker/run.js'), 'utf8');
    const fileVariables = [
      .../SECRET_VARIABLES = \[([\s\S]*?)\]/.exec(runJs)![1].matchAll(/'(\w+)'/g),
    ].map((m) => m[1]);
    for (const name of apps) {
      const s = services[name];
      const own =
        name === 'broker'
          ? ['broker-database-url', 'kafka-broker-password']
          : [`${name}-database-url`, `kafka-${name}-password`];
      expect({ name, secrets: [...s.secrets].sort() }).toEqual({ name, secrets: own.sort() });
      expect({ name, volumes: s.volumes }).toEqual({
        name,
        volumes: [`${name}-state:/var/lib/mash`],
      });
      expect({ name, read_only: s.read_only, cap_drop: s.cap_drop }).toEqual({
        name,
        read_only: true,
        cap_drop: ['ALL'],
      });
      const env = s.environment as Record<string, string>;
      // No credential in the environment itself; every *_FILE names a mounted secret run.js reads.
      for (const [k, v] of Object.entries(env))
        expect(`${k}=${v}`).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@/);
      for (const [k, v] of Object.entries(env).filter(([k]) => k.endsWith('_FILE'))) {
        expect(fileVariables).toContain(k.replace(/_FILE$/, ''));
        expect(own.map((o) => `/run/secrets/${o}`)).toContain(v);
      }
      expect(env.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
      expect(env.KAFKA_SASL_USERNAME).toBe(name);
      expect(env.DATABASE_URL).toBeUndefined();
      if (name !== 'broker') expect(env.DATABASE_URL_FILE).toBeUndefined();
    }
    const users = Object.entries(services).filter(([, s]) =>
      (s.secrets ?? []).includes('postgres-password'),
    );
    expect(users.map(([n]) => n)).toEqual(['postgres']);
  });

  it('runs the broker with the development issuer, said so, and production identity through the override', () => {
    expect(services.broker.environment.AUTH_MODE).toBe('dev');
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toMatch(
      /IDENTITY: this file runs the broker with its DEVELOPMENT issuer/,
    );
    const override = load('deploy/compose/production-auth.yml');
    expect(override.services.broker.environment.AUTH_MODE).toBe('production');
    expect(override.services.token.environment.AUTH_MODE).toBe('production');
  });

  it('creates the Kafka users the apps sign in as, with the ACLs deploy/kafka/acls.sh documents', () => {
    const start = readFileSync(join(ROOT, 'deploy/compose/kafka-start.sh'), 'utf8');
    expect(start).toContain('allow.everyone.if.no.acl.found=false');
    expect(start).toContain('super.users=User:broker');
    expect(start).toMatch(/listeners=SASL_PLAINTEXT:\/\/:9092/);
    for (const a of AGENCIES)
      expect(services.kafka.secrets).toContain(`kafka-adapter-${a}-password`);
    const setup = readFileSync(join(ROOT, 'deploy/compose/kafka-setup.sh'), 'utf8');
    const acls = readFileSync(join(ROOT, 'deploy/kafka/acls.sh'), 'utf8');
    expect(writeTopics(setup)).toEqual(writeTopics(acls));
    expect(writeTopics(setup).length).toBeGreaterThan(3);
    for (const f of readdirSync(join(ROOT, 'deploy/compose')).filter((f) => f.endsWith('.sh'))) {
      execFileSync('bash', ['-n', join(ROOT, 'deploy/compose', f)]);
    }
  });

  it('makes every secret the file mounts, and one login role per database, none of them a superuser', () => {
    const work = mkdtempSync(join(tmpdir(), 'mash-compose-'));
    try {
      mkdirSync(join(work, 'deploy/compose'), { recursive: true });
      cpSync(join(ROOT, 'deploy/compose/secrets.sh'), join(work, 'deploy/compose/secrets.sh'));
      execFileSync('bash', [join(work, 'deploy/compose/secrets.sh')], { stdio: 'pipe' });
      for (const [name, secret] of Object.entries(
        compose.secrets as Record<string, { file: string }>,
      )) {
        expect({
          name,
          value: readFileSync(join(work, secret.file), 'utf8').trim().length > 20,
        }).toEqual({ name, value: true });
      }
      // postgres-init.sh as the postgres image runs it, with psql recording what it was asked.
      const bin = join(work, 'bin');
      mkdirSync(bin);
      writeFileSync(
        join(bin, 'psql'),
        '#!/bin/sh\nfor a in "$@"; do printf "%s " "$a"; done >> "$PSQL_LOG"; echo >> "$PSQL_LOG"; cat > /dev/null\n',
      );
      chmodSync(join(bin, 'psql'), 0o755);
      const log = join(work, 'psql.log');
      execFileSync('bash', [join(ROOT, 'deploy/compose/postgres-init.sh')], {
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          SECRETS_DIR: join(work, '.local/compose/secrets'),
          POSTGRES_USER: 'postgres',
          PSQL_LOG: log,
        },
        stdio: 'pipe',
      });
      const grants = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => [/role=(\S+)/.exec(line)![1], /database=(\S+)/.exec(line)![1]]);
      expect(grants.sort()).toEqual(
        [
          ['mash_broker', 'mash_broker'],
          ...AGENCIES.map((a) => [`adapter_${a.replace('-', '_')}`, `mash_${a.replace('-', '_')}`]),
        ].sort(),
      );
      expect(readFileSync(join(ROOT, 'deploy/compose/postgres-init.sh'), 'utf8')).toContain(
        'NOSUPERUSER NOCREATEDB NOCREATEROLE',
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
