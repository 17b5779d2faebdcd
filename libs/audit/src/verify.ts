import { listChains, verifyCheckpointSignature, type PublicKeys, type SignedCheckpoint } from './checkpoint';
import { queryRows, readerOf, type AuditDatabase, type SqlExecutor } from './executor';
import { entryHash, GENESIS_PREV_HASH } from './hash';
import { ENTRY_COLUMNS, entryFromRow, type EntryRow } from './rows';

export type VerifyFailureReason =
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'gap'
  | 'reordered'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature-invalid'
  | 'truncated';

export interface VerifyFailure {
  /** `seq` of the offending entry; null when it is missing (truncation) or the fault is a checkpoint's. */
  readonly seq: number | null;
  readonly chainId: string;
  readonly chainSeq: number;
  readonly reason: VerifyFailureReason;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Entries whose hash was recomputed. */
  readonly checked: number;
  readonly checkpointsChecked: number;
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
  /** Rows per keyset page; default 10,000. */
  readonly batchSize?: number;
  readonly onProgress?: (checked: number) => void;
}

/**
 * Walks each chain in chain order, page by page (keyset on chain_seq, next page fetched while the
 * current one is hashed), and stops at the first failure. Per entry, in this order:
 * `gap` (chain_seq skips), `reordered` (table seq does not increase along the chain — a moved or
 * inserted row), `hash-mismatch` (contents edited), `prev-hash-mismatch` (link broken), then any
 * checkpoint at that position (`checkpoint-mismatch`). After the walk, a checkpoint beyond the
 * chain's last entry means `truncated`. Checkpoint signatures are checked first of all.
 */
export async function verifyChain(db: AuditDatabase | SqlExecutor, options: VerifyOptions = {}): Promise<VerifyResult> {
  const reader = readerOf(db);
  const batch = options.batchSize ?? 10_000;
  const from = Math.max(1, options.fromSeq ?? 1);
  const to = options.toSeq ?? Number.MAX_SAFE_INTEGER;
  const cps = (options.checkpoints ?? []).filter((c) => options.chainId === undefined || c.chainId === options.chainId);
  let checked = 0;
  let checkpointsChecked = 0;
  const fail = (f: VerifyFailure): VerifyResult => ({ ok: false, checked, checkpointsChecked, firstFailure: f });

  for (const cp of cps) {
    if (!verifyCheckpointSignature(cp, options.publicKeys ?? {})) {
      return fail({ seq: null, chainId: cp.chainId, chainSeq: cp.chainSeq, reason: 'checkpoint-signature-invalid' });
    }
  }
  const byChain = new Map<string, SignedCheckpoint[]>();
  for (const cp of cps) {
    if (cp.chainSeq < from || cp.chainSeq > to) continue;
    byChain.set(cp.chainId, [...(byChain.get(cp.chainId) ?? []), cp]);
  }
  for (const list of byChain.values()) list.sort((a, b) => a.chainSeq - b.chainSeq);

  const chains = options.chainId !== undefined ? [options.chainId] : [...new Set([...(await listChains(reader)), ...byChain.keys()])].sort();

  for (const chainId of chains) {
    const chainCps = byChain.get(chainId) ?? [];
    let cpIndex = 0;
    let expected = from;
    let prevHash: string | null = GENESIS_PREV_HASH;
    let lastSeq = 0;
    // The entry before the last one, to tell which of two out-of-order entries is the displaced one.
    let before: { seq: number; chainSeq: number } = { seq: 0, chainSeq: 0 };
    let last: { seq: number; chainSeq: number } = { seq: 0, chainSeq: 0 };
    if (from > 1) {
      const [anchor] = await queryRows<{ seq: string; hash: string }>(
        reader,
        `SELECT seq::text AS seq, hash FROM audit_event WHERE chain_id = $1 AND chain_seq = $2`,
        [chainId, from - 1],
      );
      prevHash = anchor?.hash ?? null;
      lastSeq = anchor === undefined ? 0 : Number(anchor.seq);
      last = { seq: lastSeq, chainSeq: from - 1 };
    }
    const page = (after: number): Promise<EntryRow[]> =>
      queryRows<EntryRow>(
        reader,
        `SELECT ${ENTRY_COLUMNS} FROM audit_event
          WHERE chain_id = $1 AND chain_seq > $2 AND chain_seq <= $3 ORDER BY audit_event.chain_seq LIMIT $4`,
        [chainId, after, to, batch],
      );
    let pending: Promise<EntryRow[]> | null = page(from - 1);
    while (pending !== null) {
      const rows: EntryRow[] = await pending;
      pending = rows.length === batch ? page(Number(rows[rows.length - 1].chain_seq)) : null;
      // Keep a rejected prefetch from surfacing as an unhandled rejection if we return early.
      pending?.catch(() => undefined);
      for (const row of rows) {
        const e = entryFromRow(row);
        const at = { seq: e.seq, chainId, chainSeq: e.chainSeq };
        if (e.chainSeq !== expected) return fail({ ...at, reason: 'gap' });
        if (e.seq <= lastSeq) {
          // A swap or an inserted row: blame the previous entry when dropping it would restore the order.
          const culprit = e.seq > before.seq && last.chainSeq >= from ? last : { seq: e.seq, chainSeq: e.chainSeq };
          return fail({ ...culprit, chainId, reason: 'reordered' });
        }
        if (entryHash(e) !== e.hash) return fail({ ...at, reason: 'hash-mismatch' });
        if (prevHash !== null && e.prevHash !== prevHash) return fail({ ...at, reason: 'prev-hash-mismatch' });
        checked++;
        while (cpIndex < chainCps.length && chainCps[cpIndex].chainSeq <= e.chainSeq) {
          const cp = chainCps[cpIndex++];
          checkpointsChecked++;
          if (cp.headHash !== e.hash) return fail({ ...at, reason: 'checkpoint-mismatch' });
        }
        prevHash = e.hash;
        before = last;
        last = { seq: e.seq, chainSeq: e.chainSeq };
        lastSeq = e.seq;
        expected++;
      }
      options.onProgress?.(checked);
    }
    if (cpIndex < chainCps.length) {
      checkpointsChecked++;
      return fail({ seq: null, chainId, chainSeq: chainCps[cpIndex].chainSeq, reason: 'truncated' });
    }
  }
  return { ok: true, checked, checkpointsChecked };
}
