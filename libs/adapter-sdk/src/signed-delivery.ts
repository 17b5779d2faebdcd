import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import type { Counter } from 'prom-client';
import type { z } from 'zod';
import { deadLetterRecord, parseMessage, type Agency, type WireRecord } from '@mash/contracts';
import { TrustError, openSigned, type ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import type { Publisher } from './publisher';
import type { AdapterMetrics } from './metrics';
import type { IncomingMessage } from './processor';

/** What an envelope and its signed body both name, so a body cannot be moved to another envelope. */
interface Addressed {
  caseId: string;
  partnership: string;
  agency: Agency;
}

/**
 * Something the broker sends this agency to record (a MASH outcome, a meeting's action), recorded
 * exactly once and acknowledged: a redelivery is acknowledged again but not recorded twice. Only a
 * body the broker signed, for this envelope, is recorded. Nothing here throws: a message that
 * cannot be recorded is dead-lettered and not acknowledged, so the broker sends it again later with
 * back-off (a transient fault heals; a permanent one never blocks the partition).
 */
export abstract class SignedDeliveryProcessor<
  Envelope extends Addressed & { body: string },
  Body extends Addressed,
> {
  /** `outcome` or `action`: names it in the log and, upper-cased, in dead-letter reasons. */
  protected abstract readonly what: 'outcome' | 'action';
  protected abstract readonly logger: Logger;
  protected abstract readonly envelopeSchema: z.ZodType<Envelope>;
  protected abstract readonly bodySchema: z.ZodType<Body>;
  /** Counts what was newly recorded (not redeliveries). */
  protected abstract readonly recordedCount: Counter<string>;

  constructor(
    protected readonly agency: Agency,
    protected readonly connector: SourceConnector,
    private readonly keys: ServiceKeys,
    private readonly dataSource: DataSource,
    private readonly publisher: Publisher,
    protected readonly metrics: AdapterMetrics,
    private readonly brokerKeys: JWTVerifyGetKey,
  ) {}

  /** The body names the envelope's own outcome or action (its ids besides case and partnership). */
  protected abstract sameIds(envelope: Envelope, body: Body): boolean;

  /**
   * In `manager`'s transaction: the inbox entry (`insertOnce`), then the source system. False when
   * the inbox already held it (a redelivery).
   */
  protected abstract record(
    manager: EntityManager,
    envelope: Envelope,
    body: Body,
  ): Promise<boolean>;

  /** The acknowledgement for the broker, sent for a redelivery too. */
  protected abstract acknowledgement(envelope: Envelope): WireRecord;

  async process(message: IncomingMessage): Promise<'recorded' | 'duplicate' | 'dead-lettered'> {
    const code = this.what.toUpperCase();
    const parsed = parseMessage(this.envelopeSchema, message.value);
    if (!parsed.ok || parsed.value.agency !== this.agency) {
      await this.deadLetter(message, parsed.ok ? `${this.what} for another agency` : parsed.reason);
      return 'dead-lettered';
    }
    const envelope = parsed.value;
    let body: Body;
    try {
      const opened = await openSigned<unknown>(envelope.body, this.keys, this.brokerKeys);
      const valid = this.bodySchema.safeParse(opened.payload);
      if (!valid.success)
        throw new TrustError(`${code}.MALFORMED`, `${this.what} content is not valid`);
      body = valid.data;
    } catch (error) {
      await this.deadLetter(
        message,
        error instanceof TrustError ? error.code : `${code}.UNVERIFIABLE`,
      );
      return 'dead-lettered';
    }
    if (
      !this.sameIds(envelope, body) ||
      body.caseId !== envelope.caseId ||
      body.partnership !== envelope.partnership ||
      body.agency !== this.agency
    ) {
      await this.deadLetter(message, `${code}.ENVELOPE_MISMATCH`);
      return 'dead-lettered';
    }
    let recorded: boolean;
    try {
      recorded = await this.dataSource.transaction((manager) =>
        this.record(manager, envelope, body),
      );
    } catch (error) {
      this.logger.warn(
        `${this.what} could not be recorded (${error instanceof Error ? error.name : 'error'}); the broker will send it again`,
      );
      await this.deadLetter(message, `${code}.NOT_RECORDED`);
      return 'dead-lettered';
    }
    if (recorded) this.recordedCount.inc();
    const { topic, ...record } = this.acknowledgement(envelope);
    await this.publisher.publish(topic, record);
    return recorded ? 'recorded' : 'duplicate';
  }

  /** Inserts the inbox entry unless its key is there already; true when it was inserted. */
  protected async insertOnce<T extends ObjectLiteral>(
    manager: EntityManager,
    inbox: EntityTarget<T>,
    entry: Partial<T>,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(inbox)
      .values(entry)
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  private async deadLetter(message: IncomingMessage, reason: string): Promise<void> {
    this.metrics.deadLettered.inc();
    const { topic, ...record } = deadLetterRecord(message, reason, randomUUID);
    await this.publisher.publish(topic, record);
  }
}
