import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@mash/common';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { CaseEntity } from '../cases/case.entity';
import { MeetingActionEntity, MeetingCaseEntity, MeetingEntity } from './meeting.entity';

export interface StoredMeeting {
  meeting: MeetingEntity;
  cases: MeetingCaseEntity[];
  actions: MeetingActionEntity[];
}

/** Meetings, their case decisions and actions (with each action's delivery), per partnership. */
@Injectable()
export class MeetingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async insert(stored: StoredMeeting, tx: EntityManager): Promise<void> {
    await tx.getRepository(MeetingEntity).insert(stored.meeting);
    if (stored.cases.length) await tx.getRepository(MeetingCaseEntity).insert(stored.cases);
    if (stored.actions.length) await tx.getRepository(MeetingActionEntity).insert(stored.actions);
  }

  async get(partnership: string, id: string): Promise<StoredMeeting> {
    const meeting = await this.m()
      .getRepository(MeetingEntity)
      .findOne({ where: { partnership, id } });
    if (!meeting) throw new NotFoundError('meeting');
    const cases = await this.m()
      .getRepository(MeetingCaseEntity)
      .find({ where: { partnership, meetingId: id }, order: { caseId: 'ASC' } });
    const actions = await this.m()
      .getRepository(MeetingActionEntity)
      .find({ where: { partnership, meetingId: id }, order: { dueAt: 'ASC', id: 'ASC' } });
    return { meeting, cases, actions };
  }

  /** The cases of `ids` that exist in the partnership (a meeting may name only its own). */
  async existingCases(partnership: string, ids: string[], tx?: EntityManager): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.m(tx)
      .getRepository(CaseEntity)
      .find({ where: { partnership, id: In(ids) }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /**
   * Open cases for a day's agenda: due before `end` (overdue ones too) or rated red, earliest
   * deadline first. With `agency`, only cases that agency was asked about (a representative's).
   */
  async agenda(partnership: string, end: Date, agency?: string): Promise<CaseEntity[]> {
    const qb = this.m()
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where("c.partnership = :partnership AND c.status = 'open'", { partnership })
      .andWhere("(c.due_at < :end OR c.rag = 'red')", { end });
    if (agency)
      qb.andWhere(
        `EXISTS (SELECT 1 FROM federated_query q JOIN federated_query_agency a ON a.query_id = q.id
          WHERE q.case_id = c.id AND q.partnership = c.partnership AND a.agency = :agency
            AND a.decision = 'permit')`,
        { agency },
      );
    return qb.orderBy('c.due_at', 'ASC', 'NULLS LAST').addOrderBy('c.received_at', 'ASC').getMany();
  }

  /** Deliveries whose next attempt is due, locked so that two broker instances do not both resend. */
  async due(now: Date, limit: number, tx: EntityManager): Promise<MeetingActionEntity[]> {
    return tx
      .getRepository(MeetingActionEntity)
      .createQueryBuilder('a')
      .where("a.status = 'pending' AND a.next_attempt_at <= :now", { now })
      .orderBy('a.next_attempt_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async kindOf(meetingId: string, tx?: EntityManager): Promise<MeetingEntity | null> {
    return this.m(tx)
      .getRepository(MeetingEntity)
      .findOne({ where: { id: meetingId } });
  }

  async action(id: string, tx?: EntityManager): Promise<MeetingActionEntity | null> {
    return this.m(tx).getRepository(MeetingActionEntity).findOne({ where: { id } });
  }

  async updateAction(
    id: string,
    patch: Partial<MeetingActionEntity>,
    tx: EntityManager,
  ): Promise<void> {
    await tx.getRepository(MeetingActionEntity).update({ id }, patch);
  }

  /** Marks an action delivered once; returns whether this call did it. */
  async markDelivered(id: string, agency: string, at: Date, tx: EntityManager): Promise<boolean> {
    const result = await tx
      .getRepository(MeetingActionEntity)
      .createQueryBuilder()
      .update()
      .set({ status: 'delivered', deliveredAt: at, lastError: null })
      .where("id = :id AND agency = :agency AND status = 'pending'", { id, agency })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
