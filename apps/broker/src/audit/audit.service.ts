import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, subjectPseudonym, type AuditEventInput } from '@mash/audit';
import { DomainError } from '@mash/common';
import type { SubjectCriteria } from '@mash/contracts';
import { BrokerKeys } from '../keys/broker-keys';

/**
 * The broker's door to the tamper-evident log. Writes that guard an access are awaited inside
 * the same transaction as the access (fail closed); a failed write is a 503 and nothing happens.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private readonly log: AuditLog;
  /** Test hook: makes every write fail, to prove that accesses fail closed. */
  failWrites = false;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
  ) {
    this.log = new AuditLog(dataSource);
  }

  pseudonyms(partnership: string, subject: SubjectCriteria): string[] {
    return [...subjectPseudonym(this.keys.pseudonymKey(partnership), subject).tokens];
  }

  /** Records events; throws AUDIT.UNAVAILABLE when they cannot be written. */
  async record(events: AuditEventInput | AuditEventInput[], tx?: EntityManager): Promise<void> {
    const list = Array.isArray(events) ? events : [events];
    try {
      if (this.failWrites) throw new Error('audit writes disabled');
      await this.log.appendMany(list, tx ? { tx } : {});
    } catch {
      this.logger.error(`audit write failed for ${list.map((e) => e.action).join(', ')}`);
      throw new DomainError('AUDIT.UNAVAILABLE', 'the audit log cannot be written, so the action was not carried out', 503);
    }
  }

  /** For events that accompany no access (failed sign-ins): logged if the write fails, never thrown. */
  recordQuietly(event: AuditEventInput): void {
    this.record(event).catch(() => undefined);
  }
}
