import { randomUUID } from 'node:crypto';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { compactVerify, type JWTVerifyGetKey } from 'jose';
import { Kafka, type Admin, type Consumer, type KafkaConfig } from 'kafkajs';
import {
  AGREEMENT_STATUS_JWS_TYPE,
  AgreementStatusChangedV1,
  AgreementStatusClaimsV1,
  Topics,
  parseMessage,
  type Agency,
} from '@mash/contracts';
import { KAFKA_CONSUMER_SETTINGS, superviseConsumer } from '@mash/common';
import { SIGNING_ALG } from '@mash/trust';

export const AGREEMENT_NOT_IN_FORCE = 'GRANT.AGREEMENT_NOT_IN_FORCE';
export const AGREEMENT_STATUS_UNKNOWN = 'GRANT.AGREEMENT_STATUS_UNKNOWN';

export type AgreementLifecycle = AgreementStatusClaimsV1['status'];
export type StatusApplyOutcome = 'applied' | 'stale' | 'invalid';

/** What the processor asks before it touches the source. */
export interface AgreementStatusGate {
  /** A rejection code when the grant's agreement version is not in force here, else undefined. */
  refusalFor(
    partnership: string,
    agreement: { id: string; version: number },
  ): Promise<string | undefined>;
}

const decoder = new TextDecoder();
const keyOf = (partnership: string, id: string, version: number) =>
  `${partnership}/${id}@${version}`;

/**
 * The adapter's view of which agreement versions are in force, built from the broker's signed
 * status messages. Only the JWS content is trusted; a message for another agency is ignored. The
 * latest statement for a version wins, by its signed `issuedAt`, not by arrival: a replayed older
 * message changes nothing.
 */
export class AgreementStatusRegistry {
  private readonly statuses = new Map<string, AgreementLifecycle>();
  /** When the broker signed each version's latest status: an older statement loses. */
  private readonly issuedAt = new Map<string, number>();

  constructor(
    private readonly agency: Agency,
    private readonly brokerKeys: JWTVerifyGetKey,
  ) {}

  async apply(value: Buffer | string | null): Promise<StatusApplyOutcome> {
    const parsed = parseMessage(AgreementStatusChangedV1, value);
    if (!parsed.ok || parsed.value.agency !== this.agency) return 'invalid';
    let claims: AgreementStatusClaimsV1;
    try {
      const { payload, protectedHeader } = await compactVerify(
        parsed.value.signed,
        this.brokerKeys,
        { algorithms: [SIGNING_ALG] },
      );
      if (protectedHeader.typ !== AGREEMENT_STATUS_JWS_TYPE) return 'invalid';
      const valid = AgreementStatusClaimsV1.safeParse(JSON.parse(decoder.decode(payload)));
      if (!valid.success) return 'invalid';
      claims = valid.data;
    } catch {
      return 'invalid';
    }
    const outer = parsed.value;
    if (
      claims.agency !== this.agency ||
      claims.partnership !== outer.partnership ||
      claims.agreementId !== outer.agreementId ||
      claims.agreementVersion !== outer.agreementVersion
    ) {
      return 'invalid';
    }
    const key = keyOf(claims.partnership, claims.agreementId, claims.agreementVersion);
    // A replayed older message (say "active" from before a suspension) is genuinely signed, so
    // only its signed issue time tells it apart: it must not undo a later statement. Issue time,
    // not `changedAt`: the broker re-states every status at boot, and that newest statement is
    // the truth even where a calendar clock (pinned in tests) dates the change earlier.
    const issued = new Date(claims.issuedAt).getTime();
    const seen = this.issuedAt.get(key);
    if (seen !== undefined && issued < seen) return 'stale';
    this.issuedAt.set(key, issued);
    this.statuses.set(key, claims.status);
    return 'applied';
  }

  statusOf(partnership: string, id: string, version: number): AgreementLifecycle | undefined {
    return this.statuses.get(keyOf(partnership, id, version));
  }

  /** Known to be suspended or expired. An unknown version is left to the grant, which the broker signed. */
  notInForce(partnership: string, agreement: { id: string; version: number }): boolean {
    const status = this.statusOf(partnership, agreement.id, agreement.version);
    return status === 'suspended' || status === 'expired';
  }
}

export interface AgreementStatusFeedOptions {
  kafka: KafkaConfig;
  /** The adapter's service name; the feed's consumer group is `<service>.agreements.<instance>`. */
  service: string;
  agency: Agency;
  brokerKeys: JWTVerifyGetKey;
  /** How long a request may wait for the feed to catch up before it is refused. */
  syncTimeoutMs?: number;
}

/**
 * Reads the agency's agreement status topic from the beginning into an `AgreementStatusRegistry`,
 * then follows it. Its own consumer group, one per process and never committed, so every instance
 * rebuilds the whole picture at start (a group shared with the query consumer would resume from
 * committed offsets and forget statuses across a restart).
 *
 * Before each grant is honoured, `refusalFor` waits until the feed has read everything on the topic
 * at that moment, so a suspension published before the request is processed is always seen, even
 * when the two topics are consumed in a different order.
 */
export class AgreementStatusFeed implements AgreementStatusGate, OnModuleDestroy {
  readonly registry: AgreementStatusRegistry;
  readonly topic: string;
  private readonly logger = new Logger('AgreementStatus');
  private readonly client: Kafka;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private stopRestarts: (() => void) | undefined;
  /** Next offset to read, per partition. */
  private readonly positions = new Map<number, number>();
  private readonly syncTimeoutMs: number;
  invalid = 0;

  constructor(private readonly options: AgreementStatusFeedOptions) {
    this.registry = new AgreementStatusRegistry(options.agency, options.brokerKeys);
    this.topic = Topics.agreementStatus(options.agency);
    this.client = new Kafka({ ...options.kafka, clientId: `${options.service}-agreements` });
    this.syncTimeoutMs = options.syncTimeoutMs ?? 5_000;
  }

  async start(): Promise<this> {
    this.admin = this.client.admin();
    await this.admin.connect();
    this.consumer = this.client.consumer({
      groupId: `${this.options.service}.agreements.${randomUUID().slice(0, 8)}`,
      ...KAFKA_CONSUMER_SETTINGS,
    });
    const consumer = this.consumer;
    this.stopRestarts = superviseConsumer({
      consumer,
      client: this.client,
      start: () => this.run(consumer),
      warn: (message) => this.logger.warn(`agreement status ${message}`),
    });
    await consumer.connect();
    await this.run(consumer);
    return this;
  }

  /** Reads the topic from its start (the group commits nothing), applying each status. */
  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const outcome = await this.registry.apply(message.value);
        if (outcome === 'stale')
          this.logger.warn(
            `ignored an agreement status older than the one in force (offset ${message.offset})`,
          );
        if (outcome === 'invalid') {
          this.invalid += 1;
          this.logger.warn(
            `ignored an agreement status message that is not valid or not signed by the broker (offset ${message.offset})`,
          );
        }
        this.positions.set(partition, Number(message.offset) + 1);
      },
    });
  }

  /** Resolves true once every status message on the topic now has been applied; false on timeout. */
  async synced(timeoutMs = this.syncTimeoutMs): Promise<boolean> {
    if (!this.admin) return false;
    const until = Date.now() + timeoutMs;
    let offsets: Array<{ partition: number; high: string; low: string }>;
    try {
      offsets = await this.admin.fetchTopicOffsets(this.topic);
    } catch {
      return false;
    }
    const behind = () =>
      offsets.some(
        (o) =>
          Number(o.high) > Number(o.low) && (this.positions.get(o.partition) ?? 0) < Number(o.high),
      );
    while (behind()) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  async refusalFor(
    partnership: string,
    agreement: { id: string; version: number },
  ): Promise<string | undefined> {
    // Fail closed: without a current view the adapter cannot tell that the agreement is in force.
    if (!(await this.synced())) return AGREEMENT_STATUS_UNKNOWN;
    return this.registry.notInForce(partnership, agreement) ? AGREEMENT_NOT_IN_FORCE : undefined;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopRestarts?.();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
