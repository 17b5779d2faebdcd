import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '@mash/common';
import { CaseMemberEntity } from './member.entity';

/** The people on a case, always within one partnership (another's member is a 404). */
@Injectable()
export class MemberRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: EntityManager) {
    return (tx ?? this.dataSource.manager).getRepository(CaseMemberEntity);
  }

  async insert(members: CaseMemberEntity[], tx?: EntityManager): Promise<void> {
    if (members.length) await this.repo(tx).insert(members);
  }

  /** The case's members, the subject first, then in the order they were added. */
  async forCase(
    partnership: string,
    caseId: string,
    tx?: EntityManager,
  ): Promise<CaseMemberEntity[]> {
    const rows = await this.repo(tx).find({
      where: { partnership, caseId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return [
      ...rows.filter((m) => m.relationship === 'subject'),
      ...rows.filter((m) => m.relationship !== 'subject'),
    ];
  }

  async get(
    partnership: string,
    caseId: string,
    id: string,
    tx?: EntityManager,
  ): Promise<CaseMemberEntity> {
    const found = await this.repo(tx).findOne({ where: { partnership, caseId, id } });
    if (!found) throw new NotFoundError('member');
    return found;
  }

  async update(
    partnership: string,
    id: string,
    patch: Partial<CaseMemberEntity>,
    tx?: EntityManager,
  ): Promise<void> {
    await this.repo(tx).update({ id, partnership }, patch);
  }
}
