import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalJson } from '@mash/contracts';
import { AuditCheckpointError, AuditError, safeDbDetail } from './errors';
import { queryRows, readerOf, type AuditDatabase, type SqlExecutor } from './executor';
import { isHexHash } from './hash';
import { chainRoot } from './proofs';

/** Kafka topic the broker publishes checkpoints on. */
export const AUDIT_CHECKPOINT_TOPIC = 'mash.audit.checkpoint.v1';
/** Default append-only file of checkpoints, relative to the working directory. */
export const DEFAULT_CHECKPOINT_FILE = '.local/audit/checkpoints.jsonl';

export interface CheckpointPayload {
  readonly chainId: string;
  readonly chainSeq: number;
  readonly headHash: string;
  /** ISO 8601 UTC. */
  readonly signedAt: string;
  /**
   * RFC 9162 Merkle tree root (hex) over the chain's first `chainSeq` entry hashes (`merkle.ts`):
   * what inclusion and consistency proofs are checked against. Absent on checkpoints signed before
   * the tree existed; when present it is part of the signed payload.
   */
  readonly rootHash?: string;
}

/**
 * A signed statement "chain `chainId` had head `headHash` at position `chainSeq`".
 * `signature` is a JWS in compact serialisation (`alg: EdDSA`, Ed25519, header `kid`) whose payload
 * is the RFC 8785 JSON of the four payload fields — verifiable with jose or any JWS library.
 */
export interface SignedCheckpoint extends CheckpointPayload {
  readonly kid: string;
  readonly signature: string;
}

export type PublicKeys = Readonly<Record<string, KeyObject | string | JsonWebKey>>;

export interface CheckpointSigningKey {
  readonly kid: string;
  /** Ed25519 private key: KeyObject, PEM, or JWK. */
  readonly privateKey: KeyObject | string | JsonWebKey;
}

const b64u = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

function isKeyObject(key: unknown): key is KeyObject {
  return key instanceof KeyObject;
}

function toPrivateKey(key: KeyObject | string | JsonWebKey): KeyObject {
  if (typeof key === 'string') return createPrivateKey(key);
  if (isKeyObject(key)) return key;
  return createPrivateKey({ key, format: 'jwk' });
}

function toPublicKey(key: KeyObject | string | JsonWebKey): KeyObject {
  if (typeof key === 'string') return createPublicKey(key);
  if (isKeyObject(key)) return key.type === 'public' ? key : createPublicKey(key);
  return createPublicKey({ key, format: 'jwk' });
}

/** The members a checkpoint's signature covers, and nothing else (`rootHash` only when present). */
function signedFields(cp: CheckpointPayload): CheckpointPayload {
  return {
    chainId: cp.chainId,
    chainSeq: cp.chainSeq,
    headHash: cp.headHash,
    signedAt: cp.signedAt,
    ...(cp.rootHash === undefined ? {} : { rootHash: cp.rootHash }),
  };
}

export function signCheckpoint(
  payload: CheckpointPayload,
  key: CheckpointSigningKey,
): SignedCheckpoint {
  const body = signedFields(payload);
  const signingInput = `${b64u(JSON.stringify({ alg: 'EdDSA', kid: key.kid }))}.${b64u(canonicalJson(body))}`;
  const sig = sign(null, Buffer.from(signingInput), toPrivateKey(key.privateKey));
  return { ...body, kid: key.kid, signature: `${signingInput}.${b64u(sig)}` };
}

/**
 * True when the JWS verifies under `publicKeys[kid]` AND its payload is exactly this checkpoint's
 * fields (so editing the plain fields of a file line is caught too).
 */
export function verifyCheckpointSignature(cp: SignedCheckpoint, publicKeys: PublicKeys): boolean {
  try {
    const parts = cp.signature.split('.');
    if (parts.length !== 3) return false;
    const [h, p, s] = parts;
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as {
      alg?: unknown;
      kid?: unknown;
    };
    if (header.alg !== 'EdDSA' || header.kid !== cp.kid) return false;
    const keyMaterial = Object.prototype.hasOwnProperty.call(publicKeys, cp.kid)
      ? publicKeys[cp.kid]
      : undefined;
    if (keyMaterial === undefined) return false;
    if (
      !verify(null, Buffer.from(`${h}.${p}`), toPublicKey(keyMaterial), Buffer.from(s, 'base64url'))
    )
      return false;
    const expected = canonicalJson(signedFields(cp));
    return Buffer.from(p, 'base64url').toString('utf8') === expected;
  } catch {
    return false;
  }
}

/** A fresh Ed25519 key pair for checkpoints, with the public half as a JWK carrying `kid`. */
export function generateCheckpointKeys(
  kid: string,
): CheckpointSigningKey & { publicKey: KeyObject; publicJwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' },
  };
}

/** Public keys from a JWKS document (`{ keys: [{ kid, kty: 'OKP', crv: 'Ed25519', x }] }`) or a `{ kid: PEM | JWK }` map. */
export function parsePublicKeys(doc: unknown): Record<string, KeyObject> {
  const out: Record<string, KeyObject> = {};
  if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { keys?: unknown }).keys)) {
    for (const jwk of (doc as { keys: Array<JsonWebKey & { kid?: string }> }).keys) {
      if (typeof jwk.kid === 'string' && jwk.crv === 'Ed25519') out[jwk.kid] = toPublicKey(jwk);
    }
    return out;
  }
  if (typeof doc === 'object' && doc !== null) {
    for (const [kid, key] of Object.entries(doc as Record<string, string | JsonWebKey>))
      out[kid] = toPublicKey(key);
  }
  return out;
}

/** Reads a checkpoints JSON Lines file. A line that is not a checkpoint is an error, never skipped. */
export async function readCheckpointFile(path: string): Promise<SignedCheckpoint[]> {
  const text = await readFile(path, 'utf8');
  const out: SignedCheckpoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: Partial<SignedCheckpoint>;
    try {
      v = JSON.parse(line) as Partial<SignedCheckpoint>;
    } catch {
      throw new AuditCheckpointError(`Checkpoint file line ${i + 1} is not JSON`);
    }
    if (
      typeof v.chainId !== 'string' ||
      !Number.isSafeInteger(v.chainSeq) ||
      !isHexHash(v.headHash) ||
      typeof v.signedAt !== 'string' ||
      typeof v.kid !== 'string' ||
      typeof v.signature !== 'string' ||
      (v.rootHash !== undefined && !isHexHash(v.rootHash))
    ) {
      throw new AuditCheckpointError(`Checkpoint file line ${i + 1} is not a checkpoint`);
    }
    out.push(v as SignedCheckpoint);
  });
  return out;
}

/** Checkpoints stored in `audit_checkpoint` (trust them only as far as their signatures). */
export async function readStoredCheckpoints(
  db: AuditDatabase | SqlExecutor,
  chainId?: string,
): Promise<SignedCheckpoint[]> {
  const rows = await queryRows<{
    chain_id: string;
    chain_seq: string;
    head_hash: string;
    signed_at: string;
    kid: string;
    signature: string;
    root_hash: string | null;
  }>(
    readerOf(db),
    `SELECT chain_id, chain_seq::text AS chain_seq, head_hash, root_hash,
            to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at, kid, signature
       FROM audit_checkpoint WHERE ($1::text IS NULL OR chain_id = $1) ORDER BY id`,
    [chainId ?? null],
  );
  return rows.map((r) => ({
    chainId: r.chain_id,
    chainSeq: Number(r.chain_seq),
    headHash: r.head_hash,
    signedAt: r.signed_at,
    ...(r.root_hash === null ? {} : { rootHash: r.root_hash }),
    kid: r.kid,
    signature: r.signature,
  }));
}

/** Every chain id in `audit_event`, via a skip scan of the (chain_id, chain_seq) index. */
export async function listChains(db: AuditDatabase | SqlExecutor): Promise<string[]> {
  const rows = await queryRows<{ chain_id: string }>(
    readerOf(db),
    `WITH RECURSIVE c AS (
       (SELECT chain_id FROM audit_event ORDER BY chain_id LIMIT 1)
       UNION ALL
       SELECT (SELECT e.chain_id FROM audit_event e WHERE e.chain_id > c.chain_id ORDER BY e.chain_id LIMIT 1) FROM c WHERE c.chain_id IS NOT NULL
     ) SELECT chain_id FROM c WHERE chain_id IS NOT NULL`,
  );
  return rows.map((r) => r.chain_id);
}

export interface CheckpointerOptions {
  readonly key: CheckpointSigningKey;
  /** JSON Lines file each checkpoint is appended to; `null` to skip. Default `.local/audit/checkpoints.jsonl`. */
  readonly file?: string | null;
  /** Called with each new checkpoint, e.g. to produce it to `mash.audit.checkpoint.v1`. */
  readonly publish?: (checkpoint: SignedCheckpoint) => Promise<void> | void;
  readonly now?: () => Date;
}

/**
 * Signs the head of each chain and records it in three places: the `audit_checkpoint` table, an
 * append-only file, and whatever `publish` sends it to. Copies outside the database are what let
 * verification catch a rewrite of a whole chain or a dropped tail.
 */
export class Checkpointer {
  private readonly file: string | null;
  private readonly now: () => Date;

  constructor(
    private readonly db: AuditDatabase | SqlExecutor,
    private readonly options: CheckpointerOptions,
  ) {
    this.file = options.file === undefined ? DEFAULT_CHECKPOINT_FILE : options.file;
    this.now = options.now ?? (() => new Date());
  }

  /** Checkpoints every chain whose head moved since its last checkpoint by this key. */
  async checkpointAll(): Promise<SignedCheckpoint[]> {
    const out: SignedCheckpoint[] = [];
    for (const chainId of await listChains(this.db)) {
      const cp = await this.checkpoint(chainId);
      if (cp !== null) out.push(cp);
    }
    return out;
  }

  /** Checkpoints one chain; `null` when it is empty or already checkpointed at its head. */
  async checkpoint(chainId: string): Promise<SignedCheckpoint | null> {
    const reader = readerOf(this.db);
    let cp: SignedCheckpoint;
    try {
      const [head] = await queryRows<{ chain_seq: string; hash: string }>(
        reader,
        `SELECT chain_seq::text AS chain_seq, hash FROM audit_event WHERE chain_id = $1 ORDER BY audit_event.chain_seq DESC LIMIT 1`,
        [chainId],
      );
      if (head === undefined) return null;
      const [last] = await queryRows<{ chain_seq: string }>(
        reader,
        `SELECT chain_seq::text AS chain_seq FROM audit_checkpoint WHERE chain_id = $1 AND kid = $2 ORDER BY audit_checkpoint.chain_seq DESC LIMIT 1`,
        [chainId, this.options.key.kid],
      );
      if (last !== undefined && Number(last.chain_seq) >= Number(head.chain_seq)) return null;
      const { rootHash, frontier } = await chainRoot(reader, chainId, Number(head.chain_seq));
      cp = signCheckpoint(
        {
          chainId,
          chainSeq: Number(head.chain_seq),
          headHash: head.hash,
          signedAt: this.now().toISOString(),
          rootHash,
        },
        this.options.key,
      );
      await queryRows(
        reader,
        `INSERT INTO audit_checkpoint (chain_id, chain_seq, head_hash, signed_at, kid, signature, root_hash, frontier)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          cp.chainId,
          cp.chainSeq,
          cp.headHash,
          cp.signedAt,
          cp.kid,
          cp.signature,
          cp.rootHash,
          JSON.stringify(frontier),
        ],
      );
    } catch (err) {
      if (err instanceof AuditError) throw err;
      const d = safeDbDetail(err);
      throw new AuditCheckpointError(
        `Could not checkpoint the audit chain${d.sqlState ? ` (SQLSTATE ${d.sqlState})` : ''}`,
      );
    }
    if (this.file !== null) {
      try {
        await mkdir(dirname(this.file), { recursive: true });
        await appendFile(this.file, `${JSON.stringify(cp)}\n`, 'utf8');
      } catch {
        throw new AuditCheckpointError('Could not append the checkpoint to its file');
      }
    }
    if (this.options.publish !== undefined) {
      try {
        await this.options.publish(cp);
      } catch {
        throw new AuditCheckpointError('Could not publish the checkpoint');
      }
    }
    return cp;
  }
}

export interface CheckpointSchedule {
  stop(): void;
}

/**
 * Runs `checkpointer.checkpointAll()` every `everySeconds` on an unref'd timer (it never keeps the
 * process alive); a run still in progress is not overlapped. Errors go to `onError`.
 */
export function scheduleCheckpoints(
  checkpointer: Pick<Checkpointer, 'checkpointAll'>,
  options: { readonly everySeconds: number; readonly onError?: (err: unknown) => void },
): CheckpointSchedule {
  if (!(options.everySeconds > 0)) throw new AuditCheckpointError('everySeconds must be positive');
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    checkpointer
      .checkpointAll()
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = false;
      });
  }, options.everySeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
