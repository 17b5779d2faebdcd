import { hostname } from 'node:os';
import { ServerKafka } from '@nestjs/microservices';
import type { Consumer, ConsumerCrashEvent, ConsumerGroupJoinEvent } from 'kafkajs';
import { leaveGroup } from './group-leave';

/** What supervision needs: the consumer, its client, and whatever subscribes and runs it again. */
export interface Supervised {
  consumer: Pick<Consumer, 'on' | 'events' | 'connect'>;
  /** The kafkajs client the consumer was made from: the crashed member leaves its group through it. */
  client: object;
  /** Subscribes and runs the consumer again (it keeps no run of its own after a crash). */
  start: () => Promise<void>;
  /** Told why, in words without data. */
  warn: (message: string) => void;
  /** Pause before each attempt, in ms. */
  delayMs?: number;
  /** How the crashed member is taken out of its group (`leaveGroup`; replaced in unit tests). */
  leave?: (client: object, groupId: string, memberId: string, signal: AbortSignal) => Promise<void>;
  /** How long to go on trying to take it out, in ms; by then its session has long expired. */
  leaveForMs?: number;
}

/**
 * Watches a consumer for crashes, and does two things kafkajs does not.
 *
 * Restart. kafkajs restarts a crashed consumer only after an error it calls retriable. After a
 * Kafka outage a consumer can crash on one it does not (`Failed to find group coordinator`, while
 * the restarted node loads its groups), and stay stopped for good: its service then never consumed
 * again (the kafka-recovery e2e once found 26 of 29 queries unanswered). Such a consumer is
 * connected and started again here, after a pause and until it runs.
 *
 * Leave. Whoever restarts it, a crashed consumer comes back as a new member of its group, and its
 * old member id is forgotten. A coordinator that has just loaded the group (Kafka restarted, or
 * the coordinator moved to another node) still names the old member, so it holds the new member's
 * join until the old one's session expires: every consumer that crashed during an outage then
 * waited the whole session timeout (10 s) after Kafka was back before it fetched again. So the
 * old member is taken out of the group here (LeaveGroup, as kafkajs's own stop would have sent had
 * Kafka been up), trying every `delayMs` until the coordinator takes it or no longer knows it.
 *
 * Returns the function that stops both (on shutdown).
 */
export function superviseConsumer({
  consumer,
  client,
  start,
  warn,
  delayMs = 1_000,
  leave = leaveGroup,
  leaveForMs = 120_000,
}: Supervised): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let member: { groupId: string; memberId: string } | undefined;
  const leaving = new Set<NodeJS.Timeout>();
  const shutdown = new AbortController();
  const leaveOld = (groupId: string, memberId: string, until: number) => {
    const retry = setTimeout(() => {
      leaving.delete(retry);
      if (stopped) return;
      leave(client, groupId, memberId, shutdown.signal).then(
        () => warn('consumer that crashed has left its group; its restart need not wait for it'),
        (error: unknown) => {
          if (isGone(error) || stopped) return;
          if (Date.now() < until) leaveOld(groupId, memberId, until);
        },
      );
    }, delayMs);
    retry.unref();
    leaving.add(retry);
  };
  const attempt = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      consumer
        .connect()
        .then(start)
        .catch((error: unknown) => {
          warn(`consumer did not start again (${errorName(error)}); trying again`);
          if (!stopped) attempt();
        });
    }, delayMs);
    timer.unref();
  };
  consumer.on(consumer.events.GROUP_JOIN, (event: ConsumerGroupJoinEvent) => {
    member = { groupId: event.payload.groupId, memberId: event.payload.memberId };
  });
  consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
    if (stopped) return;
    if (member) leaveOld(member.groupId, member.memberId, Date.now() + leaveForMs);
    member = undefined;
    if (event.payload.restart) return;
    warn(`consumer stopped after ${errorName(event.payload.error)}; starting it again`);
    attempt();
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const retry of leaving) clearTimeout(retry);
    leaving.clear();
    shutdown.abort();
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'an unknown error';
}

/** The coordinator no longer holds the member (it left, or its session expired): nothing to do. */
function isGone(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_MEMBER_ID' || type === 'GROUP_ID_NOT_FOUND';
}

/**
 * A Kafka client id naming one instance of `service`: its host and port, so that the same instance
 * started again has the same id and another instance (another pod, or another port on one machine)
 * never does. `RestartingServerKafka` finds its predecessor's member by it.
 */
export function instanceClientId(service: string, port: number): string {
  // Port 0 (any free port) names no instance: the process then stands for itself alone.
  const place = port > 0 ? String(port) : `pid${process.pid}`;
  return `${service}-${hostname().replace(/[^A-Za-z0-9-]/g, '-')}-${place}`;
}

/** How long a start waits for its predecessor's member to leave; past it, the session ends it. */
const PREDECESSOR_LEAVE_MS = 5_000;

/**
 * NestJS's Kafka transport with its consumer supervised (`superviseConsumer`): started again after
 * a crash kafkajs does not restart, and its crashed member taken out of the group. Used as the
 * strategy of the broker's and the adapters' microservice, with a client id from
 * `instanceClientId`.
 *
 * A process that died without leaving its group (killed, out of memory) stays a member until its
 * session expires, and the coordinator holds the join of the process started in its place until
 * then: an adapter killed and restarted by its supervisor answered again only after the whole
 * 10 s session. So before its consumer joins, a start takes out of the group every member with its
 * own client id: an earlier run of this same instance.
 */
export class RestartingServerKafka extends ServerKafka {
  private stopRestarts: (() => void) | undefined;

  override async bindEvents(consumer: Consumer): Promise<void> {
    await this.leavePredecessors();
    await super.bindEvents(consumer);
  }

  private async leavePredecessors(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const admin = client.admin();
    const leave = async () => {
      await admin.connect();
      const { groups } = await admin.describeGroups([this.groupId]);
      const earlier = (groups[0]?.members ?? []).filter((m) => m.clientId === this.clientId);
      for (const { memberId } of earlier)
        await leaveGroup(client, this.groupId, memberId).catch(() => undefined);
      if (earlier.length > 0)
        this.logger.warn(`Kafka: an earlier run of this instance has left the consumer group`);
    };
    let timer: NodeJS.Timeout | undefined;
    // Not worth failing or holding up a start for: the old member's session expires anyway.
    await Promise.race([
      leave().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, PREDECESSOR_LEAVE_MS))),
    ]);
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const { consumer, client } = this;
    if (!consumer || !client) return;
    this.stopRestarts?.();
    this.stopRestarts = superviseConsumer({
      consumer,
      client,
      start: () => this.bindEvents(consumer),
      warn: (message) => this.logger.warn(`Kafka ${message}`),
    });
  }

  override async close(): Promise<void> {
    this.stopRestarts?.();
    await super.close();
  }
}
