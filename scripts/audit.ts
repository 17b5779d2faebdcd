/**
 * Audit log operations against the database directly (the broker need not be running).
 *
 *   npm run audit -- verify [--database-url URL] [--checkpoints FILE] [--public-keys FILE] [--chain ID]
 *                           [--from N] [--to N] [--no-stored-checkpoints]
 *   npm run audit -- export --partnership P [--format jsonl|csv] [--out FILE] [--since ISO] [--until ISO]
 *                           [--actor ID] [--case ID] [--action A] [--outcome O]
 *     --partnership system exports the system chain (failed sign-ins that name no partnership).
 *     --since is inclusive, --until exclusive (ISO 8601 date or time). The export is itself recorded
 *     as audit.exported (actor cli:<OS user>) before anything is written out.
 *   npm run audit -- checkpoint --private-key FILE [--checkpoints FILE]
 *   npm run audit -- check-proof FILE [--public-keys FILE]
 *     Checks, with no database, a proof saved from GET /api/v1/audit/proofs/inclusion or
 *     /consistency: each signed head's signature against the checkpoint public keys, then the
 *     RFC 9162 proof against the roots those heads sign. Exits 0 when it holds, 1 when it does not.
 *
 * DATABASE_URL (or --database-url) defaults to postgres://postgres@127.0.0.1:5432/mash_broker.
 * verify reads, without flags, what the broker publishes: the checkpoint file AUDIT_CHECKPOINT_FILE
 * (default .local/audit/checkpoints.jsonl), the audit_checkpoint rows, and the public keys at
 * <KEYS_DIR>/audit-checkpoint.public.json (KEYS_DIR default .local/keys).
 * verify exits 0 when intact, 1 naming the first failing entry, 2 when it could not run.
 * Progress goes to stderr; results to stdout.
 */
import { existsSync, createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import {
  AuditLog,
  AuditQuery,
  checkConsistencyProof,
  checkInclusionProof,
  checkpointSourcesOf,
  Checkpointer,
  SYSTEM_CHAIN_ID,
  DEFAULT_CHECKPOINT_FILE,
  OUTCOMES,
  parsePublicKeys,
  readCheckpointFile,
  readStoredCheckpoints,
  remedyFor,
  verifyChain,
  verifyCheckpointSignature,
  type ConsistencyProof,
  type InclusionProof,
  type VerifyFailure,
  type Outcome,
  type SignedCheckpoint,
} from '@mash/audit';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mash_broker';
/** Where the broker publishes the checkpoint key's public half (JWKS), under KEYS_DIR. */
const publishedPublicKeys = (): string =>
  join(process.env.KEYS_DIR ?? '.local/keys', 'audit-checkpoint.public.json');
/** Older location, still read when present. */
const LEGACY_PUBLIC_KEYS = '.local/audit/checkpoint-public-keys.json';
/** The broker's checkpoint file: AUDIT_CHECKPOINT_FILE, as the broker reads it, or the default. */
const checkpointFile = (): string => process.env.AUDIT_CHECKPOINT_FILE ?? DEFAULT_CHECKPOINT_FILE;

class UsageError extends Error {}

const progress = (msg: string): void => void process.stderr.write(`audit: ${msg}\n`);

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

async function verify(pool: Pool, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      checkpoints: { type: 'string' },
      'public-keys': { type: 'string' },
      chain: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'no-stored-checkpoints': { type: 'boolean', default: false },
    },
  });
  const checkpoints: SignedCheckpoint[] = [];
  const copies: { file: SignedCheckpoint[]; database: SignedCheckpoint[] } = {
    file: [],
    database: [],
  };
  const file = values.checkpoints ?? (existsSync(checkpointFile()) ? checkpointFile() : undefined);
  if (file !== undefined) {
    copies.file = (await readCheckpointFile(file)).filter(
      (c) => values.chain === undefined || c.chainId === values.chain,
    );
    checkpoints.push(...copies.file);
    progress(`${checkpoints.length} checkpoint(s) from ${file}`);
  } else {
    progress(
      `no checkpoint file (${checkpointFile()}): a rewritten chain or dropped tail cannot be detected`,
    );
  }
  if (!values['no-stored-checkpoints']) {
    const stored = await readStoredCheckpoints(pool, values.chain);
    copies.database = stored;
    checkpoints.push(...stored);
    progress(`${stored.length} checkpoint(s) from audit_checkpoint`);
  }
  const keysFile =
    values['public-keys'] ??
    process.env.AUDIT_CHECKPOINT_PUBLIC_KEYS ??
    [publishedPublicKeys(), LEGACY_PUBLIC_KEYS].find((f) => existsSync(f)) ??
    publishedPublicKeys();
  let publicKeys = {};
  if (existsSync(keysFile)) {
    publicKeys = parsePublicKeys(JSON.parse(await readFile(keysFile, 'utf8')));
    progress(`${Object.keys(publicKeys).length} checkpoint public key(s) from ${keysFile}`);
  } else if (checkpoints.length > 0)
    throw new UsageError(
      `checkpoints need public keys: pass --public-keys (JWKS) or start the broker once to publish ${publishedPublicKeys()}`,
    );

  const started = Date.now();
  let lastReport = 0;
  const result = await verifyChain(pool, {
    chainId: values.chain,
    fromSeq: intOption(values.from, 'from'),
    toSeq: intOption(values.to, 'to'),
    checkpoints,
    publicKeys,
    onProgress: (n) => {
      if (n - lastReport >= 100_000) {
        lastReport = n;
        progress(`${n.toLocaleString('en-GB')} entries verified`);
      }
    },
  });
  progress(
    `${result.checked.toLocaleString('en-GB')} entries and ${result.checkpointsChecked} checkpoint(s) checked in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (result.ok) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    progress('audit log intact');
    return 0;
  }
  const { checkpoint: failing, ...f } = result.firstFailure as VerifyFailure;
  const sources = checkpointSourcesOf(failing, copies).map((s) =>
    s === 'file' ? `file ${file}` : 'audit_checkpoint table',
  );
  const remedy = remedyFor(f.reason, checkpointSourcesOf(failing, copies));
  process.stdout.write(
    `${JSON.stringify({ ...result, firstFailure: { ...f, ...(failing ? { checkpointSources: sources } : {}), remedy } })}\n`,
  );
  progress(
    `TAMPERING DETECTED: ${f.reason} at chain ${f.chainId} position ${f.chainSeq}${f.seq == null ? '' : ` (seq ${f.seq})`}` +
      (sources.length > 0 ? `; the checkpoint that disagrees is in: ${sources.join(', ')}` : ''),
  );
  progress(`what to do: ${remedy}`);
  return 1;
}

async function exportEvents(pool: Pool, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      partnership: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      out: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      actor: { type: 'string' },
      case: { type: 'string' },
      action: { type: 'string' },
      outcome: { type: 'string' },
    },
  });
  if (values.partnership === undefined) throw new UsageError('export needs --partnership');
  if (values.format !== 'jsonl' && values.format !== 'csv')
    throw new UsageError('--format must be jsonl or csv');
  if (values.outcome !== undefined && !(OUTCOMES as readonly string[]).includes(values.outcome))
    throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`);
  for (const [name, value] of [
    ['since', values.since],
    ['until', values.until],
  ] as const)
    if (value !== undefined && Number.isNaN(new Date(value).getTime()))
      throw new UsageError(
        `--${name} must be an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T09:00:00Z`,
      );
  const system = values.partnership === SYSTEM_CHAIN_ID;
  const filter = {
    partnership: values.partnership,
    systemChain: system,
    from: values.since,
    to: values.until,
    actorId: values.actor,
    caseId: values.case,
    action: values.action,
    outcome: values.outcome as Outcome | undefined,
  };
  // Like the API's export, the CLI's is an access to the log and is recorded first (fail closed).
  await new AuditLog(pool).append({
    partnership: system ? null : values.partnership,
    actorType: 'user',
    actorId: `cli:${osUser()}`,
    action: 'audit.exported',
    outcome: 'success',
    details: {
      via: 'cli',
      format: values.format,
      filter: JSON.parse(
        JSON.stringify({
          since: values.since,
          until: values.until,
          actor: values.actor,
          case: values.case,
          action: values.action,
          outcome: values.outcome,
        }),
      ) as Record<string, unknown>,
    },
  });
  const query = new AuditQuery(pool);
  const source = values.format === 'csv' ? query.exportCsv(filter) : query.exportJsonLines(filter);
  let bytes = 0;
  let lastReport = 0;
  source.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    if (bytes - lastReport > 5_000_000) {
      lastReport = bytes;
      progress(`${(bytes / 1e6).toFixed(0)} MB exported`);
    }
  });
  await pipeline(source, values.out === undefined ? process.stdout : createWriteStream(values.out));
  progress(
    `export finished (${(bytes / 1e6).toFixed(1)} MB)${values.out === undefined ? '' : ` to ${values.out}`}`,
  );
  return 0;
}

async function checkpoint(pool: Pool, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      'private-key': { type: 'string' },
      checkpoints: { type: 'string' },
    },
  });
  if (values['private-key'] === undefined)
    throw new UsageError('checkpoint needs --private-key (an Ed25519 private JWK with kid)');
  const jwk = JSON.parse(await readFile(values['private-key'], 'utf8')) as { kid?: unknown };
  if (typeof jwk.kid !== 'string') throw new UsageError('the private JWK needs a kid');
  const written = await new Checkpointer(pool, {
    key: { kid: jwk.kid, privateKey: jwk },
    file: values.checkpoints ?? checkpointFile(),
  }).checkpointAll();
  for (const cp of written) process.stdout.write(`${JSON.stringify(cp)}\n`);
  progress(`${written.length} chain head(s) checkpointed`);
  return 0;
}

async function checkProof(_pool: Pool, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-keys': { type: 'string' }, 'database-url': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('check-proof needs the proof file');
  const proof = JSON.parse(await readFile(positionals[0], 'utf8')) as Record<string, unknown>;
  const keysFile =
    values['public-keys'] ?? process.env.AUDIT_CHECKPOINT_PUBLIC_KEYS ?? publishedPublicKeys();
  const publicKeys = parsePublicKeys(JSON.parse(await readFile(keysFile, 'utf8')));
  const signedRoot = (name: string): string | null => {
    const cp = proof[name] as SignedCheckpoint | null | undefined;
    if (cp == null) {
      process.stdout.write(
        `${name}: that tree size was never signed, so nothing can vouch for it\n`,
      );
      return null;
    }
    if (!verifyCheckpointSignature(cp, publicKeys) || cp.rootHash === undefined) {
      process.stdout.write(`${name}: the signature does not verify against ${keysFile}\n`);
      return null;
    }
    return cp.rootHash;
  };
  let holds: boolean;
  if ('auditPath' in proof) {
    const root = signedRoot('checkpoint');
    holds = root !== null && checkInclusionProof(proof as unknown as InclusionProof, root);
    process.stdout.write(
      holds
        ? `entry ${String(proof.chainSeq)} of chain ${String(proof.chainId)} is in the signed tree of ${String(proof.treeSize)} entries\n`
        : 'the inclusion proof does not hold\n',
    );
  } else {
    const first = signedRoot('firstCheckpoint');
    const second = signedRoot('secondCheckpoint');
    holds =
      first !== null &&
      second !== null &&
      checkConsistencyProof(proof as unknown as ConsistencyProof, first, second);
    process.stdout.write(
      holds
        ? `the signed tree of ${String(proof.firstSize)} entries is a prefix of the signed tree of ${String(proof.secondSize)}: nothing before it was changed\n`
        : 'the consistency proof does not hold\n',
    );
  }
  return holds ? 0 : 1;
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function databaseUrl(args: string[]): string {
  const i = args.indexOf('--database-url');
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1];
  const inline = args.find((a) => a.startsWith('--database-url='));
  return (
    inline?.slice('--database-url='.length) ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const commands: Record<string, (pool: Pool, args: string[]) => Promise<number>> = {
    verify,
    export: exportEvents,
    checkpoint,
    'check-proof': checkProof,
  };
  const run = command === undefined ? undefined : commands[command];
  if (run === undefined) {
    process.stderr.write(
      'usage: npm run audit -- verify|export|checkpoint|check-proof [options]   (see scripts/audit.ts)\n',
    );
    return 2;
  }
  const pool = new Pool({ connectionString: databaseUrl(args), max: 5 });
  try {
    return await run(pool, args);
  } catch (err) {
    // Messages only: driver errors can quote row contents.
    process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
