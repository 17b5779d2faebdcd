import {
  listChains,
  verifyCheckpointSignature,
  type PublicKeys,
  type SignedCheckpoint,
} from './checkpoint';
import { MerkleFrontier, leafHash } from './merkle';
import { queryRows, readerOf, type AuditDatabase, type SqlExecutor } from './executor';
import { readPending } from './audit-log';
import { entryHash, GENESIS_PREV_HASH, unsequencedHash } from './hash';
import type { ActorType, AuditEntry, Outcome } from './types';

export type VerifyFailureReason =
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'gap'
  | 'reordered'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature-invalid'
  | 'truncated';

export interface VerifyFailure {
  /**
   * `seq` of the offending entry; null when it is missing (truncation), the fault is a checkpoint's,
   * or the entry is still unsequenced (then `pendingId` names it and `chainSeq` is 0).
   */
  readonly seq: number | null;
  /** For an edited entry still waiting for its position: its `audit_pending` id. */
  readonly pendingId?: number;
  readonly chainId: string;
  readonly chainSeq: number;
  readonly reason: VerifyFailureReason;
  /** For the checkpoint reasons: the checkpoint that disagreed (see `checkpointSourcesOf`). */
  readonly checkpoint?: SignedCheckpoint;
}

/** Where a verifier read a checkpoint from. */
export type CheckpointSource = 'file' | 'database' | 'other';

/**
 * Which of the copies the verifier read hold the checkpoint that disagreed, so a report can say
 * "the checkpoint file disagrees" rather than only "checkpoint-mismatch".
 */
export function checkpointSourcesOf(
  failing: SignedCheckpoint | undefined,
  copies: Partial<Record<CheckpointSource, readonly SignedCheckpoint[]>>,
): CheckpointSource[] {
  if (failing === undefined) return [];
  return (Object.keys(copies) as CheckpointSource[]).filter((source) =>
    (copies[source] ?? []).some(
      (c) => c.chainId === failing.chainId && c.signature === failing.signature,
    ),
  );
}

/** What to do about a failure, in a sentence: the remedy docs/audit.md gives for each reason. */
export function remedyFor(reason: string, sources: readonly CheckpointSource[] = []): string {
  const named =
    sources.length === 0
      ? 'a checkpoint'
      : sources
          .map((s) =>
            s === 'file'
              ? 'the checkpoint file'
              : s === 'database'
                ? 'the audit_checkpoint table'
                : 'the supplied checkpoints',
          )
          .join(' and ');
  switch (reason) {
    case 'checkpoint-mismatch':
    case 'truncated':
      return (
        `${named} ${sources.length > 1 ? 'disagree' : 'disagrees'} with the chain. ` +
        (sources.length === 1 && sources[0] === 'file'
          ? 'If the broker database was deliberately recreated (a development reset), the file describes the log that was thrown away: move it aside and verify again. '
          : '') +
        'Otherwise treat it as tampering: keep the database and every checkpoint copy (file, topic mash.audit.checkpoint.v1) unchanged and escalate to the security team.'
      );
    case 'checkpoint-signature-invalid':
      return `${named} does not verify against the published checkpoint key: check that the public key file is the broker's (KEYS_DIR/audit-checkpoint.public.json), otherwise treat the checkpoint as forged and escalate.`;
    case 'checkpoint-file-unreadable':
      return 'a line of the checkpoint file is not a checkpoint: compare the file with the copy on mash.audit.checkpoint.v1 and escalate.';
    default:
      return 'the entries themselves were changed, deleted or moved: keep the database unchanged (take a copy), and escalate to the security team; the entry named is the first one affected.';
  }
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Entries whose hash was recomputed. */
  readonly checked: number;
  readonly checkpointsChecked: number;
  /** Unsequenced entries whose content hash was recomputed (present when there were any). */
  readonly unsequenced?: number;
  readonly firstFailure?: VerifyFailure;
}

export interface VerifyOptions {
  /** Verify one chain; default every chain in the table (and every chain a checkpoint names). */
  readonly chainId?: string;
  /** First chain position to verify (per chain); the entry before it anchors `prevHash` unchecked. */
  readonly fromSeq?: number;
  /** Last chain position to verify (per chain). */
  readonly toSeq?: number;
  /** Checkpoints from outside the database (file, Kafka); required to detect a rewrite or dropped tail. */
  readonly checkpoints?: readonly SignedCheckpoint[];
  /** Keys the checkpoints' `kid`s name. A checkpoint with an unknown kid fails. */
  readonly publicKeys?: PublicKeys;
  /** Chain positions per page; default 10,000. */
  readonly batchSize?: number;
  /** Pages fetched ahead, on separate pool connections; default 2 (beat 4 on a 2-vCPU host). */
  readonly parallel?: number;
  readonly onProgress?: (checked: number) => void;
}

/**
 * Walks each chain in chain order, in windows of `batchSize` positions (keyset ranges on the
 * (chain_id, chain_seq) index, `parallel` windows fetched ahead while one is hashed), and stops at
 * the first failure. Entries appended after the walk starts are not covered. Per entry, in this order:
 * `gap` (chain_seq skips), `reordered` (table seq does not increase along the chain — a moved or
 * inserted row), `hash-mismatch` (contents edited), `prev-hash-mismatch` (link broken), then any
 * checkpoint at that position (`checkpoint-mismatch`). After the walk, a checkpoint beyond the
 * chain's last entry means `truncated`. Checkpoint signatures are checked first of all.
 */
export async function verifyChain(
  db: AuditDatabase | SqlExecutor,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const reader = readerOf(db);
  const batch = options.batchSize ?? 10_000;
  const from = Math.max(1, options.fromSeq ?? 1);
  const to = options.toSeq ?? Number.MAX_SAFE_INTEGER;
  const cps = (options.checkpoints ?? []).filter(
    (c) => options.chainId === undefined || c.chainId === options.chainId,
  );
  let checked = 0;
  let checkpointsChecked = 0;
  const fail = (f: VerifyFailure): VerifyResult => ({
    ok: false,
    checked,
    checkpointsChecked,
    firstFailure: f,
  });

  for (const cp of cps) {
    if (!verifyCheckpointSignature(cp, options.publicKeys ?? {})) {
      return fail({
        seq: null,
        chainId: cp.chainId,
        chainSeq: cp.chainSeq,
        reason: 'checkpoint-signature-invalid',
        checkpoint: cp,
      });
    }
  }
  const byChain = new Map<string, SignedCheckpoint[]>();
  for (const cp of cps) {
    if (cp.chainSeq < from || cp.chainSeq > to) continue;
    byChain.set(cp.chainId, [...(byChain.get(cp.chainId) ?? []), cp]);
  }
  for (const list of byChain.values()) list.sort((a, b) => a.chainSeq - b.chainSeq);

  const chains =
    options.chainId !== undefined
      ? [options.chainId]
      : [...new Set([...(await listChains(reader)), ...byChain.keys()])].sort();

  // Fixed windows of chain positions (positions are dense, so a window holds at most `batch`
  // entries); knowing them up front lets `parallel` of them be fetched while one is hashed.
  const windows: Array<{
    chainId: string;
    after: number;
    upTo: number;
    first: boolean;
    last: boolean;
  }> = [];
  for (const chainId of chains) {
    const [head] = await queryRows<{ max: string | null }>(
      reader,
      `SELECT max(chain_seq)::text AS max FROM audit_event WHERE chain_id = $1`,
      [chainId],
    );
    const end = Math.min(to, head?.max == null ? 0 : Number(head.max));
    if (end < from) {
      windows.push({ chainId, after: from - 1, upTo: from - 1, first: true, last: true });
      continue;
    }
    for (let after = from - 1; after < end; after += batch) {
      windows.push({
        chainId,
        after,
        upTo: Math.min(after + batch, end),
        first: after === from - 1,
        last: after + batch >= end,
      });
    }
  }
  const parallel = Math.max(1, options.parallel ?? 2);
  const inFlight: Array<Promise<AuditEntry[]>> = [];
  const fetchAt = (i: number): Promise<AuditEntry[]> => {
    const w = windows[i];
    if (w.after === w.upTo) return Promise.resolve([]);
    const p = fetchWindow(reader, w.chainId, w.after, w.upTo);
    // Keep a prefetch we never await (early return) from becoming an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };
  for (let i = 0; i < Math.min(parallel, windows.length); i++) inFlight.push(fetchAt(i));

  let chainCps: SignedCheckpoint[] = [];
  let cpIndex = 0;
  // The Merkle tree is rebuilt as the walk goes, so a checkpoint's signed root is checked against
  // the entries too (only when the walk starts at the first entry: a tree needs every leaf).
  let tree: MerkleFrontier | null = null;
  let expected = from;
  let prevHash: string | null = GENESIS_PREV_HASH;
  // The last two entries seen, to tell which of two out-of-order entries is the displaced one.
  let before = { seq: 0, chainSeq: 0 };
  let last = { seq: 0, chainSeq: 0 };
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    const chainId = w.chainId;
    if (w.first) {
      chainCps = byChain.get(chainId) ?? [];
      cpIndex = 0;
      tree = from === 1 ? MerkleFrontier.empty() : null;
      expected = from;
      prevHash = GENESIS_PREV_HASH;
      before = { seq: 0, chainSeq: 0 };
      last = { seq: 0, chainSeq: 0 };
      if (from > 1) {
        const [anchor] = await queryRows<{ seq: string; hash: string }>(
          reader,
          `SELECT seq::text AS seq, hash FROM audit_event WHERE chain_id = $1 AND chain_seq = $2`,
          [chainId, from - 1],
        );
        prevHash = anchor?.hash ?? null;
        last = { seq: anchor === undefined ? 0 : Number(anchor.seq), chainSeq: from - 1 };
      }
    }
    const rows = await (inFlight.shift() as Promise<AuditEntry[]>);
    if (i + parallel < windows.length) inFlight.push(fetchAt(i + parallel));
    for (const e of rows) {
      const at = { seq: e.seq, chainId, chainSeq: e.chainSeq };
      if (e.chainSeq !== expected) return fail({ ...at, reason: 'gap' });
      if (e.seq <= last.seq) {
        // A swap or an inserted row: blame the previous entry when dropping it would restore the order.
        const culprit =
          e.seq > before.seq && last.chainSeq >= from ? last : { seq: e.seq, chainSeq: e.chainSeq };
        return fail({ ...culprit, chainId, reason: 'reordered' });
      }
      if (entryHash(e) !== e.hash) return fail({ ...at, reason: 'hash-mismatch' });
      if (prevHash !== null && e.prevHash !== prevHash)
        return fail({ ...at, reason: 'prev-hash-mismatch' });
      checked++;
      tree?.push(leafHash(e.hash));
      while (cpIndex < chainCps.length && chainCps[cpIndex].chainSeq <= e.chainSeq) {
        const cp = chainCps[cpIndex++];
        checkpointsChecked++;
        if (
          cp.headHash !== e.hash ||
          (tree !== null &&
            cp.rootHash !== undefined &&
            cp.chainSeq === e.chainSeq &&
            tree.root().toString('hex') !== cp.rootHash)
        )
          return fail({ ...at, reason: 'checkpoint-mismatch', checkpoint: cp });
      }
      prevHash = e.hash;
      before = last;
      last = { seq: e.seq, chainSeq: e.chainSeq };
      expected++;
    }
    options.onProgress?.(checked);
    if (w.last && cpIndex < chainCps.length) {
      checkpointsChecked++;
      return fail({
        seq: null,
        chainId,
        chainSeq: chainCps[cpIndex].chainSeq,
        reason: 'truncated',
        checkpoint: chainCps[cpIndex],
      });
    }
  }
  // Entries still waiting for a position have no chain to protect them yet, only the content hash
  // their transaction wrote: an edit that did not recompute it shows here (a deletion cannot
  // happen while they wait: the table's trigger lets a row leave only once it is sequenced).
  if (options.toSeq !== undefined) return { ok: true, checked, checkpointsChecked };
  const pending = await readPending(
    reader,
    `($1::text IS NULL OR chain_id = $1) ORDER BY audit_pending.id`,
    [options.chainId ?? null],
  );
  for (const p of pending) {
    if (unsequencedHash(p) !== p.contentHash)
      return {
        ...fail({
          seq: null,
          pendingId: p.pendingId,
          chainId: p.chainId,
          chainSeq: 0,
          reason: 'hash-mismatch',
        }),
        unsequenced: pending.length,
      };
  }
  return {
    ok: true,
    checked,
    checkpointsChecked,
    ...(pending.length > 0 ? { unsequenced: pending.length } : {}),
  };
}

type PackedEntry = [
  number,
  number,
  string,
  string | null,
  ActorType,
  string,
  string | null,
  string,
  Outcome,
  string | null,
  string | null,
  string | null,
  string[],
  string | null,
  Record<string, unknown>,
  string,
  string,
];

/**
 * One keyset page as a single JSON document: one JSON.parse instead of the driver decoding
 * seventeen columns per row, which dominated verification time.
 */
async function fetchWindow(
  reader: SqlExecutor,
  chainId: string,
  after: number,
  upTo: number,
): Promise<AuditEntry[]> {
  const [row] = await queryRows<{ page: string }>(
    reader,
    `SELECT coalesce(json_agg(json_build_array(seq, chain_seq,
              to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), partnership, actor_type, actor_id,
              actor_role, action, outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details,
              prev_hash, hash) ORDER BY chain_seq), '[]')::text AS page
       FROM audit_event WHERE chain_id = $1 AND chain_seq > $2 AND chain_seq <= $3`,
    [chainId, after, upTo],
  );
  const packed = JSON.parse(row.page) as PackedEntry[];
  return packed.map((p) => ({
    seq: p[0],
    chainId,
    chainSeq: p[1],
    occurredAt: p[2],
    partnership: p[3],
    actorType: p[4],
    actorId: p[5],
    actorRole: p[6],
    action: p[7],
    outcome: p[8],
    caseId: p[9],
    queryId: p[10],
    agency: p[11],
    subjectPseudonyms: p[12],
    correlationId: p[13],
    details: p[14],
    prevHash: p[15],
    hash: p[16],
  }));
}
