import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CURRENT_MODEL_ID, matchKeyRows, type SourceCandidate } from '@mash/matching';

/** What the match index needs of a source: which records changed, and their identity fields. */
export interface ChangeFeed {
  /**
   * Refs of the records changed at or after `since` (every record when `since` is null), each with
   * the time it changed in the source.
   */
  changedSince(since: Date | null): Promise<Array<{ ref: string; changedAt: Date }>>;
  /** The identity fields of these refs, as the matcher reads them. */
  loadCandidates(refs: string[]): Promise<SourceCandidate[]>;
}

export interface MatchIndexerOptions {
  /**
   * How far behind the newest change already indexed a pass looks again, so a transaction that
   * committed late with an earlier change time is not missed. Re-indexing a record is idempotent.
   */
  overlapMs?: number;
  /** Refs per candidate load and per store transaction. */
  batch?: number;
  now?: () => number;
}

export interface IndexPass {
  /** Records re-indexed in this pass. */
  indexed: number;
  /** The newest change time indexed so far. */
  changedUpTo: Date | null;
}

/**
 * Keeps the adapter's `match_key` index up with the source by following its change feed (a
 * last-changed column the connector reads, polled every `pollMs`): each changed record's keys are
 * replaced in one transaction, then the watermark moves on. The first pass (no watermark yet)
 * indexes every record. Deleted records keep their keys until a full pass, but a lookup never
 * finds them: candidates are loaded from the source, where they no longer exist.
 */
export class MatchIndexer {
  private readonly logger = new Logger('MatchIndex');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<IndexPass> | undefined;
  private readonly overlapMs: number;
  private readonly batch: number;
  private readonly now: () => number;

  constructor(
    private readonly store: DataSource,
    private readonly feed: ChangeFeed,
    options: MatchIndexerOptions = {},
  ) {
    this.overlapMs = options.overlapMs ?? 10_000;
    this.batch = options.batch ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** One pass; concurrent callers share the pass under way. */
  sync(): Promise<IndexPass> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  start(pollMs: number): void {
    const tick = () =>
      void this.sync().catch((error: unknown) =>
        // The error's name only: a driver message can quote the row it failed on.
        this.logger.warn(
          `match index pass failed (${error instanceof Error ? error.name : 'error'}); will retry`,
        ),
      );
    this.timer = setInterval(tick, pollMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<IndexPass> {
    const state = (await this.store.query(
      `SELECT changed_up_to AS "changedUpTo" FROM match_index_state WHERE id = $1`,
      [CURRENT_MODEL_ID],
    )) as Array<{ changedUpTo: Date }>;
    const upTo = state[0]?.changedUpTo ?? null;
    // Within the overlap, look back over it. Past it, start just after the watermark: the feed's
    // `>= since` would otherwise return the records changed at the watermark on every pass, and a
    // bulk load stamps thousands of records with one time (the demo seed re-indexed 2,000 people
    // a second until the next change). The watermark is read at millisecond precision; a record
    // later in that millisecond was indexed within the overlap, like any other late commit.
    const since =
      upTo === null ? null : new Date(Math.min(upTo.getTime() + 1, this.now() - this.overlapMs));
    const changes = await this.feed.changedSince(since);
    let newest = upTo;
    for (const c of changes) {
      const at = c.changedAt instanceof Date ? c.changedAt : new Date(c.changedAt);
      if (newest === null || at > newest) newest = at;
    }
    const refs = [...new Set(changes.map((c) => String(c.ref)))];
    for (let i = 0; i < refs.length; i += this.batch) {
      const batch = refs.slice(i, i + this.batch);
      const candidates = await this.feed.loadCandidates(batch);
      const rows = candidates.flatMap(matchKeyRows);
      await this.store.transaction(async (m) => {
        // Replicas of one adapter share the store: one replaces a batch's keys at a time, so two
        // passes over the same people cannot interleave their deletes and inserts.
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('mash.match_index'))`);
        await m.query(`DELETE FROM match_key WHERE subject_ref = ANY($1::text[])`, [batch]);
        if (rows.length > 0)
          await m.query(
            `INSERT INTO match_key (key, subject_ref) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT DO NOTHING`,
            [rows.map((r) => r.key), rows.map((r) => r.subjectRef)],
          );
      });
    }
    if (newest !== null && (upTo === null || newest > upTo || refs.length > 0)) {
      await this.store.query(
        `INSERT INTO match_index_state (id, changed_up_to, indexed_at) VALUES ($1, $2, now())
         ON CONFLICT (id) DO UPDATE SET changed_up_to = GREATEST(match_index_state.changed_up_to, $2), indexed_at = now()`,
        [CURRENT_MODEL_ID, newest],
      );
    }
    return { indexed: refs.length, changedUpTo: newest };
  }
}
