import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '@mash/common';
import { agreementHash, parseAgreementFile, validateAgreement, type AgreementVersion } from '@mash/policy';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { AgreementRepository } from './agreement.repository';
import type { AgreementVersionEntity } from './agreement.entity';

export function agreementView(row: AgreementVersionEntity) {
  return {
    id: row.agreementId,
    version: row.version,
    partnership: row.partnership,
    agency: row.agency,
    status: row.status,
    hash: row.hash,
    createdBy: row.createdBy,
    createdAt: row.createdAt?.toISOString?.() ?? null,
    activationRequestedBy: row.activationRequestedBy,
    activatedBy: row.activatedBy,
    activatedAt: row.activatedAt?.toISOString() ?? null,
    suspendedAt: row.suspendedAt?.toISOString() ?? null,
    content: { ...row.content, status: row.status },
  };
}

/**
 * Agreements as versioned, content-hashed policy. Content is immutable once written; a change is
 * a new version. Activation follows the two-person rule; suspension takes effect at once.
 */
@Injectable()
export class AgreementService {
  private readonly logger = new Logger('Agreements');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AgreementRepository,
    private readonly audit: AuditService,
  ) {}

  /** Loads agreement files (YAML/JSON) not yet stored, e.g. the demo partnership's at `npm start`. */
  async importDirectory(dir: string): Promise<number> {
    let imported = 0;
    for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()) {
      const agreement = parseAgreementFile(file, readFileSync(join(dir, file), 'utf8'));
      if (await this.repo.exists(agreement.id, agreement.version)) continue;
      await this.dataSource.transaction(async (tx) => {
        await this.repo.insert(
          {
            agreementId: agreement.id,
            version: agreement.version,
            partnership: agreement.partnership,
            agency: agreement.agency,
            status: agreement.status,
            content: agreement,
            hash: agreementHash(agreement),
            createdBy: `import:${file}`,
            activatedAt: agreement.status === 'active' ? new Date() : null,
          },
          tx,
        );
        await this.audit.record(
          {
            partnership: agreement.partnership,
            actorType: 'service',
            actorId: 'broker',
            action: 'agreement.imported',
            outcome: 'success',
            agency: agreement.agency,
            details: { agreementId: agreement.id, version: agreement.version, hash: agreementHash(agreement), file, status: agreement.status },
          },
          tx,
        );
      });
      imported += 1;
    }
    return imported;
  }

  async list(user: Principal) {
    return (await this.repo.list(user.partnership)).map(agreementView);
  }

  async get(user: Principal, id: string) {
    const versions = await this.repo.versions(user.partnership, id);
    return { id, versions: versions.map(agreementView) };
  }

  /** A new agreement or a new version of one, always as a draft. */
  async createDraft(user: Principal, body: unknown) {
    const given = { ...(body as Record<string, unknown>), status: 'draft', partnership: user.partnership };
    const agreement: AgreementVersion = validateAgreement(given, 'request body');
    if (await this.repo.exists(agreement.id, agreement.version)) {
      throw new DomainError('AGREEMENT.VERSION_EXISTS', 'that agreement version exists; versions are immutable, so create a higher version', 409);
    }
    const hash = agreementHash(agreement);
    await this.dataSource.transaction(async (tx) => {
      await this.repo.insert({ agreementId: agreement.id, version: agreement.version, partnership: user.partnership, agency: agreement.agency, status: 'draft', content: agreement, hash, createdBy: user.sub }, tx);
      await this.audit.record(this.event(user, 'agreement.drafted', agreement.id, agreement.version, { hash, agency: agreement.agency }), tx);
    });
    return agreementView(await this.repo.get(user.partnership, agreement.id, agreement.version));
  }

  /** First call requests activation; a second, different agreement-admin approves it. */
  async activate(user: Principal, id: string, version: number) {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.repo.get(user.partnership, id, version, tx);
      if (row.status !== 'draft') throw new DomainError('AGREEMENT.NOT_DRAFT', `only a draft can be activated; this version is ${row.status}`, 409);
      if (!row.activationRequestedBy) {
        await this.repo.update(user.partnership, id, version, { activationRequestedBy: user.sub }, tx);
        await this.audit.record(this.event(user, 'agreement.activation-requested', id, version, { hash: row.hash }), tx);
        return { ...agreementView({ ...row, activationRequestedBy: user.sub }), approval: 'awaiting-second-admin' };
      }
      if (row.activationRequestedBy === user.sub) {
        throw new DomainError('AGREEMENT.SECOND_ADMIN_REQUIRED', 'activation needs a second agreement-admin to approve', 403);
      }
      const now = new Date();
      // The version in force for this agency is replaced by the new one.
      await tx.query(
        `UPDATE agreement_version SET status = 'expired' WHERE partnership = $1 AND agreement_id = $2 AND status = 'active' AND version <> $3`,
        [user.partnership, id, version],
      );
      await this.repo.update(user.partnership, id, version, { status: 'active', activatedBy: user.sub, activatedAt: now }, tx);
      await this.audit.record(this.event(user, 'agreement.activated', id, version, { hash: row.hash, requestedBy: row.activationRequestedBy }), tx);
      return { ...agreementView({ ...row, status: 'active', activatedBy: user.sub, activatedAt: now }), approval: 'approved' };
    });
  }

  async suspend(user: Principal, id: string, version: number, reason: string) {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.repo.get(user.partnership, id, version, tx);
      if (row.status !== 'active') throw new DomainError('AGREEMENT.NOT_ACTIVE', `only an active agreement can be suspended; this version is ${row.status}`, 409);
      const now = new Date();
      await this.repo.update(user.partnership, id, version, { status: 'suspended', suspendedAt: now }, tx);
      await this.audit.record(this.event(user, 'agreement.suspended', id, version, { hash: row.hash, reason }), tx);
      return agreementView({ ...row, status: 'suspended', suspendedAt: now });
    });
  }

  /** Whether a grant's agreement version is still in force (asked by adapters before reading). */
  async inForce(partnership: string, id: string, version: number): Promise<boolean> {
    try {
      return (await this.repo.get(partnership, id, version)).status === 'active';
    } catch {
      return false;
    }
  }

  private event(user: Principal, action: string, agreementId: string, version: number, details: Record<string, unknown>) {
    return {
      partnership: user.partnership,
      actorType: 'user' as const,
      actorId: user.sub,
      actorRole: 'agreement-admin',
      action,
      outcome: 'success' as const,
      details: { agreementId, version, ...details },
    };
  }
}
