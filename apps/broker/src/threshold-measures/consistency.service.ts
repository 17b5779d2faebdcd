import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AGENCIES } from '@mash/contracts';
import { Clock } from '@mash/common';
import { addLocalDays, localDateOf, startOfLocalDate } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { brokerError } from '../common/errors';
import { BrokerKeys } from '../keys/broker-keys';
import { ThresholdService } from '../thresholds/threshold.service';
import { consistencyReport } from './consistency';
import { ConsistencyRepository } from './consistency.repository';

/** Periods are London calendar days, as the hub's working day and the matrices' dates are. */
const TIME_ZONE = 'Europe/London';
const DEFAULT_DAYS = 28;
const MAX_DAYS = 366;

/**
 * Consistency measures of the partnership's thresholds over a period of local dates. People are
 * named by a keyed pseudonym, stable across reports so a trend can be followed, and the caller's
 * own row is marked: the measure is about whether the matrix is applied alike, not a league table.
 */
@Injectable()
export class ConsistencyService {
  constructor(
    private readonly repo: ConsistencyRepository,
    private readonly thresholds: ThresholdService,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly clock: Clock,
  ) {}

  async report(user: Principal, range: { from?: string; to?: string }) {
    const now = this.clock.now();
    const to = range.to ?? localDateOf(now, TIME_ZONE);
    const from = range.from ?? addLocalDays(to, 1 - DEFAULT_DAYS);
    if (from > to || addLocalDays(from, MAX_DAYS) <= to)
      throw brokerError(
        'THRESHOLD.BAD_RANGE',
        `from and to are local dates (YYYY-MM-DD), from not after to, at most ${MAX_DAYS} days apart`,
      );
    const start = startOfLocalDate(from, TIME_ZONE);
    const end = startOfLocalDate(addLocalDays(to, 1), TIME_ZONE);
    const matrix = await this.thresholds.matrixAt(user.partnership, end < now ? end : now);
    const capacity = matrix.capacity as Partial<Record<string, { queriesPerHour: number }>>;
    const loads = new Map(
      (await this.repo.agencyLoads(user.partnership, start, end)).map((l) => [l.agency, l]),
    );
    const key = this.keys.pseudonymKey(user.partnership);
    const report = consistencyReport({
      cases: await this.repo.ratedCases(user.partnership, start, end),
      agencies: AGENCIES.map((agency) => ({
        agency,
        asked: loads.get(agency)?.asked ?? 0,
        busiestHour: loads.get(agency)?.busiestHour ?? 0,
        queriesPerHour: capacity[agency]?.queriesPerHour ?? null,
      })),
      periodHours: (end.getTime() - start.getTime()) / 3_600_000,
      // Domain-separated from the subjects' pseudonyms made with the same partnership key.
      label: (actor) =>
        `staff-${createHmac('sha256', key).update(`staff\u0000${actor}`).digest('hex').slice(0, 10)}`,
      caller: user.sub,
    });
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['manager', 'analyst', 'auditor']),
      action: 'threshold.consistency-viewed',
      outcome: 'success',
      details: { from, to },
    });
    return {
      partnership: user.partnership,
      period: { from, to, timeZone: TIME_ZONE },
      thresholdVersion: matrix.version,
      ...report,
    };
  }
}
