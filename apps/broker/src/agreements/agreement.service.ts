import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { stringify } from 'yaml';
import { kafkaClientConfig, Clock } from '@mash/common';
import {
  agreementHash,
  parseAgreementFile,
  validateAgreement,
  type AgreementVersion,
} from '@mash/policy';
import { Transactions, type Tx } from '../common/transactions';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { OutboxService } from '../outbox/outbox.service';
import { AgreementRepository } from './agreement.repository';
import type { AgreementVersionEntity } from './agreement.entity';
import { agreementStatusRecord, compactStatusTopics } from './agreement-status.publisher';
import { brokerError } from '../common/errors';

export type ExportFormat = 'yaml' | 'json';

export interface AgreementFile {
  fileName: string;
  contentType: string;
  body: string;
}

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
export class AgreementService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Agreements');

  constructor(
    private readonly transactions: Transactions,
    private readonly repo: AgreementRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Announces the status of every non-draft version at boot, so adapters agree with this database
   * even when the status topic was emptied or an older database's statuses are still on it.
   */
  async onApplicationBootstrap(): Promise<void> {
    await compactStatusTopics(kafkaClientConfig(this.config.kafka, 'broker-admin'), this.logger);
    await this.transactions.run(async (tx) => {
      const rows = (await this.repo.allNonDraft(tx)).map((row) => ({
        row,
        changedAt: row.suspendedAt ?? row.activatedAt ?? row.createdAt,
      }));
      await this.announce(tx, rows);
    });
    this.outbox.kick();
  }

  /** Queues signed status messages for the adapters, in the caller's transaction. */
  private async announce(
    tx: Tx,
    changes: Array<{ row: AgreementVersionEntity; changedAt: Date }>,
  ): Promise<void> {
    const records = await Promise.all(
      changes.map((c) => agreementStatusRecord(this.keys.broker.signing, c.row, c.changedAt)),
    );
    await this.outbox.enqueue(tx, records);
  }

  /** Loads agreement files (YAML/JSON) not yet stored, e.g. the demo partnership's at `npm start`. */
  async importDirectory(dir: string): Promise<number> {
    let imported = 0;
    for (const file of readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()) {
      const agreement = parseAgreementFile(file, readFileSync(join(dir, file), 'utf8'));
      if (await this.repo.exists(agreement.id, agreement.version)) continue;
      const inserted = await this.transactions.run(async (tx) => {
        // Another instance may have imported it since the check above: look again under the lock.
        await this.repo.lockImports(tx);
        if (await this.repo.exists(agreement.id, agreement.version, tx)) return false;
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
            activatedAt: agreement.status === 'active' ? this.clock.now() : null,
          },
          tx,
        );
        if (agreement.status !== 'draft')
          await this.announce(tx, [
            {
              row: await this.repo.get(agreement.partnership, agreement.id, agreement.version, tx),
              changedAt: this.clock.now(),
            },
          ]);
        await this.audit.record(
          {
            partnership: agreement.partnership,
            actorType: 'service',
            actorId: 'broker',
            action: 'agreement.imported',
            outcome: 'success',
            agency: agreement.agency,
            details: {
              agreementId: agreement.id,
              version: agreement.version,
              hash: agreementHash(agreement),
              file,
              status: agreement.status,
            },
          },
          tx,
        );
        return true;
      });
      if (inserted) imported += 1;
    }
    if (imported > 0) this.outbox.kick();
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
    const given = {
      ...(body as Record<string, unknown>),
      status: 'draft',
      partnership: user.partnership,
    };
    const agreement: AgreementVersion = validateAgreement(given, 'request body');
    if (await this.repo.exists(agreement.id, agreement.version)) {
      throw brokerError(
        'AGREEMENT.VERSION_EXISTS',
        'that agreement version exists; versions are immutable, so create a higher version',
      );
    }
    const earlier = await this.repo.anyVersion(agreement.id);
    if (
      earlier &&
      (earlier.partnership !== user.partnership || earlier.agency !== agreement.agency)
    ) {
      throw brokerError(
        'AGREEMENT.AGENCY_CHANGED',
        'every version of an agreement must keep its partnership and providing agency; use a new agreement id',
      );
    }
    const hash = agreementHash(agreement);
    await this.transactions.run(async (tx) => {
      await this.repo.insert(
        {
          agreementId: agreement.id,
          version: agreement.version,
          partnership: user.partnership,
          agency: agreement.agency,
          status: 'draft',
          content: agreement,
          hash,
          createdBy: user.sub,
        },
        tx,
      );
      await this.audit.record(
        this.event(user, 'agreement.drafted', agreement.id, agreement.version, {
          hash,
          agency: agreement.agency,
        }),
        tx,
      );
    });
    return agreementView(await this.repo.get(user.partnership, agreement.id, agreement.version));
  }

  /** First call requests activation; a second, different agreement-admin approves it. */
  async activate(user: Principal, id: string, version: number) {
    const result = await this.transactions.run(async (tx) => {
      const row = await this.repo.get(user.partnership, id, version, tx, true);
      if (row.status !== 'draft')
        throw brokerError(
          'AGREEMENT.NOT_DRAFT',
          `only a draft can be activated; this version is ${row.status}`,
        );
      if (!row.activationRequestedBy) {
        await this.repo.update(
          user.partnership,
          id,
          version,
          { activationRequestedBy: user.sub },
          tx,
        );
        await this.audit.record(
          this.event(user, 'agreement.activation-requested', id, version, { hash: row.hash }),
          tx,
        );
        return {
          ...agreementView({ ...row, activationRequestedBy: user.sub }),
          approval: 'awaiting-second-admin',
        };
      }
      if (row.activationRequestedBy === user.sub) {
        throw brokerError(
          'AGREEMENT.SECOND_ADMIN_REQUIRED',
          'activation needs a second agreement-admin to approve',
        );
      }
      const now = this.clock.now();
      // The version in force for this agency is replaced by the new one.
      const replaced = await this.repo.expireOtherActive(user.partnership, id, version, tx);
      await this.repo.update(
        user.partnership,
        id,
        version,
        { status: 'active', activatedBy: user.sub, activatedAt: now },
        tx,
      );
      await this.audit.record(
        this.event(user, 'agreement.activated', id, version, {
          hash: row.hash,
          requestedBy: row.activationRequestedBy,
          expired: replaced.map((r) => r.version),
        }),
        tx,
      );
      const activated = {
        ...row,
        status: 'active' as const,
        activatedBy: user.sub,
        activatedAt: now,
      };
      await this.announce(tx, [
        ...replaced.map((r) => ({ row: r, changedAt: now })),
        { row: activated, changedAt: now },
      ]);
      return { ...agreementView(activated), approval: 'approved' };
    });
    this.outbox.kick();
    return result;
  }

  /**
   * Takes effect at once: the broker decides every later query without this version, and the
   * adapters learn of it from the status topic (same transaction, via the outbox) and refuse
   * grants issued under it that they have not yet answered.
   */
  async suspend(user: Principal, id: string, version: number, reason: string) {
    const result = await this.transactions.run(async (tx) => {
      const row = await this.repo.get(user.partnership, id, version, tx, true);
      if (row.status !== 'active')
        throw brokerError(
          'AGREEMENT.NOT_ACTIVE',
          `only an active agreement can be suspended; this version is ${row.status}`,
        );
      const now = this.clock.now();
      await this.repo.update(
        user.partnership,
        id,
        version,
        { status: 'suspended', suspendedAt: now },
        tx,
      );
      await this.audit.record(
        this.event(user, 'agreement.suspended', id, version, { hash: row.hash, reason }),
        tx,
      );
      const suspended = { ...row, status: 'suspended' as const, suspendedAt: now };
      await this.announce(tx, [{ row: suspended, changedAt: now }]);
      return agreementView(suspended);
    });
    this.outbox.kick();
    return result;
  }

  /** One version as a file that `npm run agreements -- validate` and POST /api/v1/agreements accept. */
  async exportFile(
    user: Principal,
    id: string,
    version: number,
    format: ExportFormat,
  ): Promise<AgreementFile> {
    const row = await this.repo.get(user.partnership, id, version);
    // Re-validating puts the top-level keys back in the schema's order (jsonb sorts them).
    const content = validateAgreement({ ...row.content, status: row.status }, `${id}@${version}`);
    const base = `${row.agency}-${id}-v${version}`;
    if (format === 'json') {
      return {
        fileName: `${base}.json`,
        contentType: 'application/json; charset=utf-8',
        body: `${JSON.stringify(content, null, 2)}\n`,
      };
    }
    const header = [
      `# Exported from the MASH broker: agreement ${id} version ${version} (${row.status}).`,
      `# Content hash ${row.hash}: any change to what is agreed needs a new version.`,
    ].join('\n');
    return {
      fileName: `${base}.yaml`,
      contentType: 'application/yaml; charset=utf-8',
      body: `${header}\n${stringify(content, { lineWidth: 0 })}`,
    };
  }

  private event(
    user: Principal,
    action: string,
    agreementId: string,
    version: number,
    details: Record<string, unknown>,
  ) {
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
