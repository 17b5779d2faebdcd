import { Inject, Injectable, Logger } from '@nestjs/common';
import { compactVerify } from 'jose';
import { Clock, type RawKafkaMessage } from '@mash/common';
import {
  ADAPTER_HEARTBEAT_JWS_TYPE,
  AdapterHeartbeatClaimsV1,
  AdapterHeartbeatV1,
  parseMessage,
  type Agency,
} from '@mash/contracts';
import { SIGNING_ALG } from '@mash/trust';
import { AuditService } from '../audit/audit.service';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { DeadLetters } from '../kafka/dead-letters';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { AdapterHeartbeatRepository } from './adapter-heartbeat.repository';

export type HeartbeatOutcome = 'recorded' | 'stale' | 'refused' | 'dead-lettered';

/** A heartbeat sent further ahead of the broker's time than this is refused, not stored. */
const MAX_AHEAD_MS = 5 * 60_000;

/**
 * Adapters' heartbeats: kept only when the agency's registered key signed them (typ
 * `mash-adapter-heartbeat+jws`), on the agency's own topic, and newer than the last one kept. A
 * malformed message is dead-lettered; a forged one is refused and audited (on the `system`
 * partnership: a heartbeat belongs to none); an old one (a backlog read after a restart) is
 * skipped. Only a transient failure (the database down) throws, so that Kafka redelivers it.
 */
@Injectable()
export class HeartbeatHandler {
  private readonly logger = new Logger('Heartbeats');

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly directory: AgencyDirectory,
    private readonly heartbeats: AdapterHeartbeatRepository,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
  ) {}

  async handle(topicAgency: Agency, message: RawKafkaMessage): Promise<HeartbeatOutcome> {
    const parsed = parseMessage(AdapterHeartbeatV1, message.value);
    if (!parsed.ok) {
      await this.deadLetters.send(message, parsed.reason);
      return 'dead-lettered';
    }
    const beat = parsed.value;
    if (beat.agency !== topicAgency) return this.refuse(topicAgency, 'HEARTBEAT.WRONG_TOPIC');
    // Judged on the system clock, as Kafka's own timestamps are: a backlog older than the
    // silence allowed could only ever say "down", so it is skipped without verifying.
    const age = Date.now() - Date.parse(beat.sentAt);
    if (age > this.config.heartbeatSilenceSeconds * 1000) return 'stale';
    if (age < -MAX_AHEAD_MS) return this.refuse(beat.agency, 'HEARTBEAT.FROM_THE_FUTURE');

    const claims = await this.verify(beat);
    if (!claims) return this.refuse(beat.agency, 'HEARTBEAT.UNVERIFIABLE');
    if (claims.agency !== beat.agency || claims.sentAt !== beat.sentAt)
      return this.refuse(beat.agency, 'HEARTBEAT.ENVELOPE_MISMATCH');

    const kept = await this.heartbeats.record({
      agency: claims.agency,
      instance: claims.instance,
      adapterVersion: claims.adapterVersion,
      dataAsOf: claims.dataAsOf ? new Date(claims.dataAsOf) : null,
      sentAt: new Date(claims.sentAt),
      heardAt: this.clock.now(),
      intervalSeconds: claims.intervalSeconds,
    });
    return kept ? 'recorded' : 'stale';
  }

  /** The claims, when a key registered for the agency (by default or for any partnership) signed them. */
  private async verify(beat: AdapterHeartbeatV1): Promise<AdapterHeartbeatClaimsV1 | undefined> {
    for (const keys of this.directory.keySetsFor(beat.agency)) {
      try {
        const { payload, protectedHeader } = await compactVerify(beat.signed, keys.getKey, {
          algorithms: [SIGNING_ALG],
        });
        if (protectedHeader.typ !== ADAPTER_HEARTBEAT_JWS_TYPE) return undefined;
        const claims = AdapterHeartbeatClaimsV1.safeParse(
          JSON.parse(new TextDecoder().decode(payload)),
        );
        return claims.success ? claims.data : undefined;
      } catch {
        // Not this key set: try the agency's next one.
      }
    }
    return undefined;
  }

  private async refuse(agency: Agency, code: string): Promise<HeartbeatOutcome> {
    this.metrics.heartbeatsRefused.inc({ agency });
    this.logger.warn(`heartbeat refused (${agency}): ${code}`);
    await this.audit.record({
      partnership: null,
      actorType: 'agency',
      actorId: agency,
      action: 'agency.heartbeat.refused',
      outcome: 'failure',
      agency,
      details: { code },
    });
    return 'refused';
  }
}
