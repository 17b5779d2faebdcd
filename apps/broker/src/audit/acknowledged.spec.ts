import { automock, fakeTransactions, TX } from '../../test/utils';
import { applyAcknowledgement, type Delivered } from './acknowledged';
import { AuditService } from './audit.service';

const CASE = '7f1c9a4e-2b3d-4c5e-8f60-718293a4b5c6';
const delivered: Delivered = {
  action: 'case.outcome.delivered',
  partnership: 'demo',
  caseId: CASE,
  agency: 'police',
  details: { attempts: 2 },
};

describe(applyAcknowledgement.name, () => {
  it('marks the delivery and audits it, with the agency as actor, in one transaction', async () => {
    const audit = automock(AuditService);
    const mark = jest.fn().mockResolvedValue(true);
    await expect(applyAcknowledgement(fakeTransactions(), audit, mark, delivered)).resolves.toBe(
      'delivered',
    );
    expect(mark).toHaveBeenCalledWith(TX);
    expect(audit.record).toHaveBeenCalledWith(
      {
        partnership: 'demo',
        actorType: 'agency',
        actorId: 'police',
        action: 'case.outcome.delivered',
        outcome: 'success',
        caseId: CASE,
        agency: 'police',
        details: { attempts: 2 },
      },
      TX,
    );
  });

  it('audits nothing for an acknowledgement already applied', async () => {
    const audit = automock(AuditService);
    const mark = jest.fn().mockResolvedValue(false);
    await expect(applyAcknowledgement(fakeTransactions(), audit, mark, delivered)).resolves.toBe(
      'duplicate',
    );
    expect(audit.record).not.toHaveBeenCalled();
  });
});
