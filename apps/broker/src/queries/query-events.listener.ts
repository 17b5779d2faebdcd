import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';

export const QUERY_EVENTS_CHANNEL = 'mash_query_events';

type Wake = () => void;

/**
 * One LISTEN connection per broker instance, shared by every open event stream on it: the
 * database triggers notify `mash_query_events` with a query id whenever any instance commits a
 * change to that query, and this wakes the streams following it. Opened at the first stream,
 * reopened after a lost connection (with every stream woken, since notifications sent meanwhile
 * are lost; the streams then read what they missed from the event log).
 */
@Injectable()
export class QueryEventsListener implements OnApplicationShutdown {
  private readonly logger = new Logger('QueryEvents');
  private readonly streams = new Map<string, Set<Wake>>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryMs = 250;

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {}

  /** Calls `wake` after each committed change to the query. Returns the unsubscribe function. */
  async follow(queryId: string, wake: Wake): Promise<() => void> {
    let set = this.streams.get(queryId);
    if (!set) this.streams.set(queryId, (set = new Set()));
    set.add(wake);
    const stop = () => {
      set.delete(wake);
      if (set.size === 0 && this.streams.get(queryId) === set) this.streams.delete(queryId);
    };
    try {
      await this.connect();
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /** How many streams this instance follows (for tests and metrics). */
  get following(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  private connect(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'mash-broker-query-events',
      keepAlive: true,
    });
    client.on('notification', (n) => {
      if (n.channel === QUERY_EVENTS_CHANNEL && n.payload) this.wake(n.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${QUERY_EVENTS_CHANNEL}`);
    this.client = client;
    this.retryMs = 250;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.closed || this.streams.size === 0) return;
    this.logger.warn('query events connection lost; reconnecting');
    const retry = () => {
      if (this.closed || this.client) return;
      this.connect().then(
        () => this.wakeAll(),
        () => {
          this.retryMs = Math.min(this.retryMs * 2, 10_000);
          setTimeout(retry, this.retryMs).unref();
        },
      );
    };
    setTimeout(retry, this.retryMs).unref();
  }

  private wake(queryId: string): void {
    for (const wake of this.streams.get(queryId) ?? []) wake();
  }

  private wakeAll(): void {
    for (const set of this.streams.values()) for (const wake of set) wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
