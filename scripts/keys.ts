/**
 * Key management for operators: lists, rotates and retires the services' signing and encryption
 * keys, and rotates the key-encryption key that protects results at rest.
 *
 *   npm run keys -- list [--service S]
 *   npm run keys -- rotate --service S [--use sig|enc]      (both uses when --use is absent)
 *   npm run keys -- retire --service S --kid K
 *   npm run keys -- rotate-kek [--file F]
 *
 * Services: broker, adapter-<agency>, dev-issuer, audit-checkpoint. Keys live in KEYS_DIR
 * (--keys-dir, default .local/keys). A rotated key stays `retiring`: still published, so what it
 * signed or what was sealed to it is accepted (the overlap window), until it is retired.
 * Services load keys at start: restart a service after rotating its keys.
 * Key changes go to the audit log (`audit_event`, chain `system`) when the broker database at
 * DATABASE_URL (--database-url) answers; otherwise the command says it could not record them.
 * Exit codes: 0 done, 1 refused (unknown key, active key…), 2 usage.
 */
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { AGENCIES } from '@mash/contracts';
import { AuditLog } from '@mash/audit';
import { databaseAnswers } from '@mash/common';
import {
  FileKeyProvider,
  FileKeyRingStore,
  TrustError,
  type KeyUse,
  type StoredKey,
} from '@mash/trust';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mash_broker';
export const KEY_SERVICES = [
  'broker',
  'dev-issuer',
  'audit-checkpoint',
  ...AGENCIES.map((a) => `adapter-${a}`),
] as const;
const KEK_FILE = 'broker-kek.json';

class UsageError extends Error {}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const progress = (line: string): void => void process.stderr.write(`keys: ${line}\n`);

interface KeyChange {
  action: 'key.rotated' | 'key.retired';
  details: Record<string, unknown>;
}

function service(value: string | undefined): string {
  if (!value) throw new UsageError('--service is required');
  if (!(KEY_SERVICES as readonly string[]).includes(value)) {
    throw new UsageError(`unknown service ${value}; one of ${KEY_SERVICES.join(', ')}`);
  }
  return value;
}

function uses(value: string | undefined): KeyUse[] {
  if (value === undefined) return ['sig', 'enc'];
  if (value === 'sig' || value === 'enc') return [value];
  throw new UsageError('--use is sig or enc');
}

function describe(key: StoredKey): string {
  const since = key.retiredAt ?? key.retiringAt ?? key.createdAt;
  return `${key.kid}  ${key.use}  ${key.status.padEnd(8)}  since ${since}`;
}

function list(store: FileKeyRingStore, keysDir: string, only: string | undefined): void {
  const services = only ? [service(only)] : store.services();
  if (services.length === 0)
    say(`no keys in ${keysDir} (they are created when the services first start)`);
  for (const name of services) {
    const ring = store.read(name);
    say(`${name}${ring ? '' : ': no keys yet'}`);
    for (const key of ring?.keys ?? []) say(`  ${describe(key)}`);
  }
  if (!only || only === 'broker') {
    const kek = join(keysDir, KEK_FILE);
    const provider = store.services().includes('broker') ? new FileKeyProvider(kek) : undefined;
    if (provider) {
      say('broker at-rest key-encryption keys');
      for (const id of provider.listKeyIds())
        say(`  ${id}  ${id === provider.currentKeyId ? 'current' : 'unwrap only'}`);
    }
  }
}

async function rotate(
  store: FileKeyRingStore,
  name: string,
  which: KeyUse[],
): Promise<KeyChange[]> {
  if (!store.read(name))
    throw new TrustError(
      'KEYS.NO_KEYS',
      `${name} has no keys yet; they are created when it first starts`,
    );
  const changes: KeyChange[] = [];
  for (const use of which) {
    const previous = store.read(name)?.keys.find((k) => k.use === use && k.status === 'active');
    const fresh = await store.rotate(name, use);
    say(
      `${name}: new ${use} key ${fresh.kid} is active${previous ? `; ${previous.kid} is retiring (still accepted until retired)` : ''}`,
    );
    changes.push({
      action: 'key.rotated',
      details: { service: name, use, kid: fresh.kid, retiring: previous?.kid ?? null },
    });
  }
  say(
    `restart ${name} to use the new key; retire the old one with: npm run keys -- retire --service ${name} --kid <kid>`,
  );
  return changes;
}

function retire(store: FileKeyRingStore, name: string, kid: string | undefined): KeyChange[] {
  if (!kid) throw new UsageError('--kid is required');
  const key = store.retire(name, kid);
  say(
    `${name}: ${key.use} key ${key.kid} retired; it is no longer published and its private half is destroyed`,
  );
  return [{ action: 'key.retired', details: { service: name, use: key.use, kid: key.kid } }];
}

function rotateKek(file: string): KeyChange[] {
  const provider = new FileKeyProvider(file);
  const previous = provider.currentKeyId;
  const fresh = provider.rotate();
  say(
    `at-rest key-encryption key ${fresh} is current; ${previous} is kept to unwrap data sealed before (${file})`,
  );
  return [
    {
      action: 'key.rotated',
      details: { service: 'broker-kek', use: 'wrap', kid: fresh, retiring: previous },
    },
  ];
}

/** Records key changes on the `system` chain; key management never fails because the database is away. */
async function record(changes: KeyChange[], databaseUrl: string): Promise<void> {
  if (changes.length === 0) return;
  if (!(await databaseAnswers(databaseUrl))) {
    say(`audit: not recorded, the broker database at ${new URL(databaseUrl).host} does not answer`);
    return;
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const log = new AuditLog(pool);
    const actorId = `operator:${userInfo().username}`;
    const entries = await log.appendMany(
      changes.map((c) => ({
        partnership: null,
        actorType: 'user' as const,
        actorId,
        actorRole: 'key-admin',
        action: c.action,
        outcome: 'success' as const,
        details: c.details,
      })),
    );
    say(
      `audit: recorded ${entries.map((e) => `${e.action} #${e.chainSeq}`).join(', ')} on chain system`,
    );
  } catch (error) {
    const code =
      error instanceof Error && 'code' in error
        ? String((error as { code: unknown }).code)
        : 'unknown';
    say(`audit: not recorded (${code}); record the change by hand`);
  } finally {
    await pool.end();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      service: { type: 'string' },
      use: { type: 'string' },
      kid: { type: 'string' },
      file: { type: 'string' },
      'keys-dir': { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const keysDir = resolve(values['keys-dir'] ?? process.env.KEYS_DIR ?? '.local/keys');
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const store = new FileKeyRingStore(keysDir);
  progress(`keys directory ${keysDir}`);
  switch (command) {
    case 'list':
      list(store, keysDir, values.service);
      return 0;
    case 'rotate':
      await record(await rotate(store, service(values.service), uses(values.use)), databaseUrl);
      return 0;
    case 'retire':
      await record(retire(store, service(values.service), values.kid), databaseUrl);
      return 0;
    case 'rotate-kek':
      await record(rotateKek(resolve(values.file ?? join(keysDir, KEK_FILE))), databaseUrl);
      return 0;
    default:
      throw new UsageError(
        `unknown command ${command ?? '(none)'}; use list, rotate, retire or rotate-kek`,
      );
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // parseArgs reports unknown options as a TypeError with a code.
      if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
        process.stderr.write(`keys: ${error.message}\n`);
        process.exit(2);
      }
      if (error instanceof TrustError) {
        process.stderr.write(`keys: ${error.code}: ${error.message}\n`);
        process.exit(1);
      }
      process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
