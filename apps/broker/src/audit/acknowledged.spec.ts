import type { AuditEventInput } from '@mash/audit';
import { automock, fakeTransactions, TX } from '../../test/utils';
import { applyAcknowledgement } from './acknowledged';
import { AuditService } from './audit.service';

const event: AuditEventInput = {
  partnership: 'demo',
  actorType: 'agency',
  actorId: 'police',
  action: 'case.outcome.delivered',
  outcome: 'success',
};

describe(applyAcknowledgement.name, () => {
  it('marks the delivery and audits it in one transaction', async () => {
    const audit = automock(AuditService);
    const mark = jest.fn().mockResolvedValue(true);
    await expect(applyAcknowledgement(fakeTransactions(), audit, mark, event)).resolves.toBe(
      'delivered',
    );
    expect(mark).toHaveBeenCalledWith(TX);
    expect(audit.record).toHaveBeenCalledWith(event, TX);
  });

  it('audits nothing for an acknowledgement already applied', async () => {
    const audit = automock(AuditService);
    const mark = jest.fn().mockResolvedValue(false);
    await expect(applyAcknowledgement(fakeTransactions(), audit, mark, event)).resolves.toBe(
      'duplicate',
    );
    expect(audit.record).not.toHaveBeenCalled();
  });
});
