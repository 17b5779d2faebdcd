import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@mash/common';
import {
  AGENCIES,
  Topics,
  type Agency,
  type CaseOutcomeBodyV1,
  type CaseOutcomeV1,
  kafkaRecord,
} from '@mash/contracts';
import { sealSigned } from '@mash/trust';
import { firstAttempt, redeliveryPass, RetrySchedule } from '../common/backoff';
import { Transactions } from '../common/transactions';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { ThresholdService } from '../thresholds/threshold.service';
import type { OutcomeDto } from './outcome.dto';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerKeys } from '../keys/broker-keys';
import type { KafkaRecord } from '../kafka/kafka.producer';
import { OutboxService } from '../outbox/outbox.service';
import { CaseOutcomeEntity, OutcomeDeliveryEntity } from './outcome.entity';
import { OutcomeRepository } from './outcome.repository';
import { brokerError } from '../common/errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface OutcomeView {
  id: string;
  outcome: string;
  rationale: string | null;
  decidedBy: string;
  decidedRole: string;
  decidedAt: string;
  closedCase: boolean;
  deliveries: Array<{
    agency: string;
    roles: string[];
    status: string;
    attempts: number;
    lastSentAt: string | null;
    deliveredAt: string | null;
  }>;
}

/**
 * Records MASH decisions and feeds them back to every agency that contributed (answered a query on
 * the case with a match) or referred. The outcome, its deliveries and the messages commit
 * together through the outbox; a delivery stays pending, and is sent again with back-off, until
 * the agency acknowledges it. Agencies record an outcome once by its id, so resending is safe.
 */
@Injectable()
export class OutcomeService {
  private readonly logger = new Logger('Outcomes');
  readonly retries = new RetrySchedule();

  constructor(
    private readonly transactions: Transactions,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly cases: CaseRepository,
    private readonly thresholds: ThresholdService,
    private readonly outcomes: OutcomeRepository,
    private readonly directory: AgencyDirectory,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async record(
    user: Principal,
    caseId: string,
    dto: OutcomeDto,
    now = this.clock.now(),
  ): Promise<OutcomeView> {
    const role = primaryRole(user, ['manager', 'analyst']);
    const kase = await this.cases.get(user.partnership, caseId);
    if (kase.status !== 'open')
      throw brokerError(
        'CASE.NOT_OPEN',
        `the case is ${kase.status}; an outcome needs an open case`,
      );
    const contributors = await this.outcomes.contributors(user.partnership, caseId);
    const recipients = new Map<Agency, string[]>();
    for (const agency of contributors)
      if (isAgency(agency)) recipients.set(agency, ['contributed']);
    if (isAgency(kase.referrerAgency))
      recipients.set(kase.referrerAgency, [
        ...(recipients.get(kase.referrerAgency) ?? []),
        'referred',
      ]);

    const outcome = Object.assign(new CaseOutcomeEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      caseId,
      outcome: dto.outcome,
      rationaleSealed: await this.keys.cipher.seal(dto.rationale),
      decidedBy: user.sub,
      decidedRole: role,
      decidedAt: now,
      closedCase: dto.close,
    } satisfies Partial<CaseOutcomeEntity>);

    // Encrypt to each agency before the transaction (fetching keys is network I/O). An agency whose
    // keys cannot be fetched now gets a pending delivery that the retry loop sends later.
    const messages: KafkaRecord[] = [];
    const deliveries: OutcomeDeliveryEntity[] = [];
    for (const [agency, roles] of recipients) {
      const delivery: OutcomeDeliveryEntity = Object.assign(new OutcomeDeliveryEntity(), {
        outcomeId: outcome.id,
        agency,
        partnership: user.partnership,
        caseId,
        roles,
        status: 'pending',
        attempts: 0,
        lastSentAt: null,
        nextAttemptAt: now,
        lastError: null,
        deliveredAt: null,
      } satisfies Partial<OutcomeDeliveryEntity>);
      const message = await firstAttempt(
        delivery,
        now,
        (n) => this.retries.delay(n),
        () => this.message(outcome, agency),
      );
      if (message) messages.push(message);
      deliveries.push(delivery);
    }

    await this.transactions.run(async (tx) => {
      const locked = await this.cases.get(user.partnership, caseId, tx, true);
      if (locked.status !== 'open')
        throw brokerError(
          'CASE.NOT_OPEN',
          `the case is ${locked.status}; an outcome needs an open case`,
        );
      await this.outcomes.insert(outcome, deliveries, tx);
      if (dto.close) {
        const matrix = this.thresholds.matrixFor(user.partnership, now);
        await this.cases.update(
          user.partnership,
          caseId,
          {
            status: 'closed',
            closedAt: now,
            retainUntil: new Date(now.getTime() + matrix.retentionDaysAfterClose * DAY_MS),
          },
          tx,
        );
      }
      await this.audit.record(
        [
          {
            partnership: user.partnership,
            actorType: 'user',
            actorId: user.sub,
            actorRole: role,
            action: 'case.outcome.recorded',
            outcome: 'success',
            caseId,
            details: {
              outcomeId: outcome.id,
              outcome: dto.outcome,
              closed: dto.close,
              recipients: [...recipients.keys()],
            },
          },
          ...(dto.close
            ? [
                {
                  partnership: user.partnership,
                  actorType: 'user' as const,
                  actorId: user.sub,
                  actorRole: role,
                  action: 'case.closed',
                  outcome: 'success' as const,
                  caseId,
                },
              ]
            : []),
        ],
        tx,
      );
      await this.outbox.enqueue(tx, messages);
    });
    this.outbox.kick();
    return this.view(outcome, deliveries, dto.rationale);
  }

  async forCase(partnership: string, caseId: string): Promise<OutcomeView[]> {
    const found = await this.outcomes.forCase(partnership, caseId);
    return Promise.all(
      found.map(async ({ outcome, deliveries }) =>
        this.view(
          outcome,
          deliveries,
          outcome.rationaleSealed
            ? await this.keys.cipher.open<string>(outcome.rationaleSealed)
            : null,
        ),
      ),
    );
  }

  private view(
    o: CaseOutcomeEntity,
    deliveries: OutcomeDeliveryEntity[],
    rationale: string | null,
  ): OutcomeView {
    return {
      id: o.id,
      outcome: o.outcome,
      rationale,
      decidedBy: o.decidedBy,
      decidedRole: o.decidedRole,
      decidedAt: o.decidedAt.toISOString(),
      closedCase: o.closedCase,
      deliveries: deliveries.map((d) => ({
        agency: d.agency,
        roles: d.roles,
        status: d.status,
        attempts: d.attempts,
        lastSentAt: d.lastSentAt?.toISOString() ?? null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
      })),
    };
  }

  /** Puts every pending delivery whose retry is due back in the outbox. Returns how many. */
  async redeliver(now = this.clock.now(), limit = 50): Promise<number> {
    const sent = await this.transactions.run(async (tx) => {
      const due = await this.outcomes.due(now, limit, tx);
      const messages = await redeliveryPass(due, now, (n) => this.retries.delay(n), {
        load: async (d) => {
          const outcome = await this.outcomes.get(d.outcomeId, tx);
          return outcome && isAgency(d.agency) ? outcome : undefined;
        },
        message: (d, outcome) => this.message(outcome, d.agency),
        update: (d, patch) => this.outcomes.updateDelivery(d.outcomeId, d.agency, patch, tx),
      });
      await this.outbox.enqueue(tx, messages);
      return messages.length;
    });
    if (sent > 0) {
      this.logger.log(`re-sent ${sent} unacknowledged outcome(s)`);
      this.outbox.kick();
    }
    return sent;
  }

  private async message(outcome: CaseOutcomeEntity, agency: Agency): Promise<KafkaRecord> {
    // An agency's copy carries no rationale and no free text; signed, so nobody else who can
    // write the topic can put an outcome into the agency's system.
    const body: CaseOutcomeBodyV1 = {
      outcomeId: outcome.id,
      caseId: outcome.caseId,
      partnership: outcome.partnership,
      agency,
      outcome: outcome.outcome as CaseOutcomeBodyV1['outcome'],
      decidedAt: outcome.decidedAt.toISOString(),
    };
    const key = await this.directory.keysFor(outcome.partnership, agency).encryptionKey();
    const message: CaseOutcomeV1 = {
      type: 'case.outcome',
      version: 1,
      messageId: randomUUID(),
      outcomeId: outcome.id,
      caseId: outcome.caseId,
      partnership: outcome.partnership,
      agency,
      body: await sealSigned(body, this.keys.broker.signing, key),
      decidedAt: outcome.decidedAt.toISOString(),
    };
    return kafkaRecord(Topics.caseOutcome(agency), outcome.caseId, message, {
      correlationId: outcome.id,
    });
  }
}

export function isAgency(value: string): value is Agency {
  return (AGENCIES as readonly string[]).includes(value);
}
