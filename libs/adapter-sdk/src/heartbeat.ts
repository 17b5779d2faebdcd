import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CompactSign } from 'jose';
import {
  ADAPTER_HEARTBEAT_JWS_TYPE,
  type AdapterHeartbeatClaimsV1,
  type AdapterHeartbeatV1,
  type Agency,
  Topics,
  kafkaRecord,
} from '@mash/contracts';
import { SIGNING_ALG, type ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import type { Publisher } from './publisher';

/** The SDK's version, sent in heartbeats (the adapters are released with it). */
export const ADAPTER_SDK_VERSION = '0.1.0';

/**
 * How fresh the source data is, as the connector last said (its `dataAsOf`). Read again on each
 * heartbeat, so an answer carries it without a query of its own.
 */
export class SourceFreshness {
  private last: string | null = null;

  constructor(private readonly connector: Pick<SourceConnector, 'dataAsOf'>) {}

  /** The last value read, or null when the connector cannot say (or has not been asked yet). */
  current(): string | null {
    return this.last;
  }

  async refresh(): Promise<string | null> {
    if (!this.connector.dataAsOf) return null;
    try {
      const at = await this.connector.dataAsOf();
      this.last = at ? at.toISOString() : null;
    } catch {
      // The source is down: keep the last known value; the answer paths report the failure.
    }
    return this.last;
  }
}

export interface HeartbeatOptions {
  agency: Agency;
  intervalSeconds: number;
  version?: string;
  instance?: string;
}

/**
 * Tells the broker every `intervalSeconds` that this adapter is alive, its version and how fresh
 * its source data is, signed with the agency's key (the broker refuses anything else). The first
 * beat goes out once the app has started; a failed beat is logged and the next one tries again.
 */
export class HeartbeatPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Heartbeat');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly instance: string;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly keys: ServiceKeys,
    private readonly publisher: Pick<Publisher, 'publish'>,
    private readonly freshness: SourceFreshness,
  ) {
    this.instance = (options.instance ?? hostname()).slice(0, 100) || 'adapter';
  }

  onApplicationBootstrap(): void {
    this.running = this.beatQuietly();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.beatQuietly();
    }, this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Sends one heartbeat now. */
  async beat(): Promise<void> {
    const sentAt = new Date().toISOString();
    const claims: AdapterHeartbeatClaimsV1 = {
      agency: this.options.agency,
      instance: this.instance,
      adapterVersion: this.options.version ?? ADAPTER_SDK_VERSION,
      dataAsOf: await this.freshness.refresh(),
      intervalSeconds: this.options.intervalSeconds,
      sentAt,
    };
    const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({
        alg: SIGNING_ALG,
        kid: this.keys.signing.kid,
        typ: ADAPTER_HEARTBEAT_JWS_TYPE,
      })
      .sign(this.keys.signing.privateKey);
    const message: AdapterHeartbeatV1 = {
      type: 'adapter.heartbeat',
      version: 1,
      messageId: randomUUID(),
      agency: this.options.agency,
      signed,
      sentAt,
    };
    const { topic, ...record } = kafkaRecord(
      Topics.adapterHeartbeat(this.options.agency),
      this.options.agency,
      message,
    );
    await this.publisher.publish(topic, record);
  }

  private async beatQuietly(): Promise<void> {
    try {
      await this.beat();
    } catch (error) {
      this.logger.warn(
        `heartbeat not sent: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.running = undefined;
    }
  }
}
