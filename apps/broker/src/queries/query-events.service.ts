import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Relationship } from '@mash/contracts';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import type { QueryAgencyEntity } from './query.entity';
import type { QueryEventRow } from './query-event.repository';
import { QueryEventsListener } from './query-events.listener';
import { QueryRepository } from './query.repository';
import { QueryService, type AgencyView } from './query.service';

/** Where a stream writes: the controller turns these into `text/event-stream` lines. */
export interface QueryEventSink {
  event(id: number, type: 'agency' | 'query', data: unknown): void;
  comment(text: string): void;
  end(): void;
}

/**
 * What a stream reads once and keeps across its reads. The household: a query's parts, and so the
 * people they ask about, are fixed when it is created, and a stream lasts while its query is
 * pending; reading the case's members on every change cost a statement per agency per query.
 */
export interface StreamMemo {
  household?: Map<string, Relationship>;
}

/** The last event of a stream: the query is no longer pending. */
export interface QueryDoneEvent {
  id: string;
  status: string;
  completedAt: string | null;
}

/** A part's identity: its agency and, where parts are per household member, the member. */
function partKey(agency: string, memberId: string | null | undefined): string {
  return `${agency}|${memberId ?? ''}`;
}

/**
 * `GET /api/v1/queries/:id/events`: an event each time an agency's part of the query changes,
 * carrying that part as the query's view shows it (minimised and audited the same way), then a
 * last event when the query is no longer pending. The event log (`query_event`) is the source of
 * truth and its numbers are the event ids; notifications only say when to read it, so a stream
 * on any broker instance sees changes committed by any other, and a client reconnecting with
 * `Last-Event-ID` gets what it missed.
 */
@Injectable()
export class QueryEventsService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly queries: QueryRepository,
    private readonly queryService: QueryService,
    private readonly audit: AuditService,
    private readonly listener: QueryEventsListener,
  ) {}

  /**
   * A stream of the query's events after `lastEventId` (from the first when absent), or
   * undefined when there is nothing more to say: the query has finished and the client has seen
   * its last event (answered 204 so that an EventSource stops reconnecting).
   * Throws the query view's 404 for a query of another partnership.
   */
  async open(
    user: Principal,
    queryId: string,
    lastEventId: number | undefined,
  ): Promise<QueryEventStream | undefined> {
    const cursor = lastEventId ?? 0;
    const { query, events } = await this.queries.getWithEvents(user.partnership, queryId, cursor);
    if (query.status !== 'pending' && events.length === 0) return undefined;
    return new QueryEventStream(
      this,
      user,
      queryId,
      cursor,
      this.config.queryEventsHeartbeatSeconds,
    );
  }

  /** @internal For `QueryEventStream`. */
  follow(queryId: string, wake: () => void): Promise<() => void> {
    return this.listener.follow(queryId, wake);
  }

  /**
   * What happened to the query after `cursor`: each changed part once (its current view), in the
   * order of its last change, and whether the query has finished. Viewing released records is
   * audited first, as for the query view.
   */
  async since(
    user: Principal,
    queryId: string,
    cursor: number,
    memo: StreamMemo = {},
  ): Promise<{
    parts: Array<{ seq: number; view: AgencyView }>;
    cursor: number;
    done?: QueryDoneEvent;
  }> {
    // The log and the query in one snapshot: a query seen finished has all its events here.
    const { events, ...found } = await this.queries.getWithEvents(
      user.partnership,
      queryId,
      cursor,
    );
    // Nothing new: every change of a part or of the query's status adds to the log (the query's
    // end included), so there is nothing to show or to end. Woken streams often find this (several
    // changes commit while one read is under way).
    if (events.length === 0) return { parts: [], cursor };
    const latest = new Map<string, QueryEventRow>();
    for (const e of events) if (e.agency) latest.set(partKey(e.agency, e.memberId), e);
    const next = events.length > 0 ? events[events.length - 1].seq : cursor;

    const changed: Array<{ seq: number; part: QueryAgencyEntity }> = [];
    for (const part of found.agencies) {
      const memberId = (part as { memberId?: string | null }).memberId;
      const event = latest.get(partKey(part.agency, memberId));
      if (event) changed.push({ seq: event.seq, part });
    }
    changed.sort((a, b) => a.seq - b.seq);
    const released = changed.filter((c) => c.part.recordsSealed).map((c) => c.part.agency);
    if (released.length > 0) {
      await this.audit.record({
        partnership: user.partnership,
        actorType: 'user',
        actorId: user.sub,
        actorRole: primaryRole(user, ['analyst', 'manager']),
        action: 'query.results.viewed',
        outcome: 'success',
        caseId: found.query.caseId,
        queryId,
        details: {
          agencies: [...new Set(released)],
          via: 'events',
          ...(found.caseStatus ? { caseStatus: found.caseStatus } : {}),
        },
      });
    }
    memo.household ??= await this.queryService.household(user.partnership, found.query.caseId);
    const view = await this.queryService.view(
      { query: found.query, agencies: changed.map((c) => c.part) },
      true,
      memo.household,
    );
    const parts = changed.map((c, i) => ({ seq: c.seq, view: view.agencies[i] }));
    if (found.query.status === 'pending') return { parts, cursor: next };
    return {
      parts,
      cursor: next,
      done: {
        id: found.query.id,
        status: found.query.status,
        completedAt: found.query.completedAt?.toISOString() ?? null,
      },
    };
  }
}

/** One client's stream: woken by notifications and by its heartbeat, one read at a time. */
export class QueryEventStream {
  private readonly logger = new Logger('QueryEvents');
  private sink: QueryEventSink | undefined;
  private unfollow: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private busy = false;
  private again = false;
  private stopped = false;
  private readonly memo: StreamMemo = {};

  constructor(
    private readonly service: QueryEventsService,
    private readonly user: Principal,
    private readonly queryId: string,
    private cursor: number,
    private readonly heartbeatSeconds: number,
  ) {}

  async start(sink: QueryEventSink): Promise<void> {
    this.sink = sink;
    // Follow first, then read: a change committed in between wakes the stream, none is lost.
    const unfollow = await this.service.follow(this.queryId, () => void this.pump());
    if (this.stopped) return unfollow();
    this.unfollow = unfollow;
    // The heartbeat also reads the log: a lost notification delays an event, never drops it.
    this.heartbeat = setInterval(() => {
      sink.comment('keep-alive');
      void this.pump();
    }, this.heartbeatSeconds * 1000);
    this.heartbeat.unref();
    await this.pump();
  }

  /** The client went away, or the query finished. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unfollow?.();
  }

  private async pump(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        if (this.stopped || !this.sink) return;
        const { parts, cursor, done } = await this.service.since(
          this.user,
          this.queryId,
          this.cursor,
          this.memo,
        );
        if (this.stopped) return;
        for (const { seq, view } of parts) this.sink.event(seq, 'agency', view);
        this.cursor = cursor;
        if (done) {
          this.sink.event(cursor, 'query', done);
          this.stop();
          this.sink.end();
          return;
        }
      } while (this.again);
    } catch (error) {
      // Nothing is shown that could not be audited; the client reconnects from its last event.
      this.logger.warn(
        `query event stream ended: ${error instanceof Error ? error.name : 'unknown'}`,
      );
      this.stop();
      this.sink?.end();
    } finally {
      this.busy = false;
    }
  }
}
