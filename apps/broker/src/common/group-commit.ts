import { AsyncResource } from 'node:async_hooks';

/**
 * Group commit: work submitted while a batch is being written waits, and the next batch takes all
 * of it at once (up to `maxBatch`). Nothing waits when nothing else is in progress, so a quiet
 * system pays no latency for it; under load, one transaction carries many items, and its round
 * trips, lock and commit are paid once. One batch at a time, so batches never wait on each other's
 * row locks.
 *
 * `write` returns one result per item, in order. When a batch fails, its items are written again
 * one at a time, so an item that can never be written fails alone (and a transient failure, the
 * database down, fails each of them, to be tried again by their callers).
 *
 * A batch runs in the async context the GroupCommit was made in, not in that of the caller whose
 * item happened to start it: items carry whatever context (a correlation id) they need.
 */
export class GroupCommit<I, O> {
  private readonly queue: Array<{
    item: I;
    resolve: (out: O) => void;
    reject: (error: unknown) => void;
  }> = [];
  private writing = false;
  private readonly drainDetached = AsyncResource.bind(() => this.drain());

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 64,
    /** Told the size of each batch written (for a metric). */
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {}

  /** Items waiting for the batch in progress to finish. */
  get waiting(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drainDetached();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) await this.settle(this.queue.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  private async settle(batch: GroupCommit<I, O>['queue']): Promise<void> {
    let results: O[];
    try {
      this.onBatch(batch.length);
      results = await this.write(batch.map((b) => b.item));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      for (const one of batch) await this.settle([one]);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]));
  }
}
