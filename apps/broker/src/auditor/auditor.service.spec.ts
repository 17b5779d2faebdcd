import { AuditQuery, AuditQueryError } from '@mash/audit';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { fakeKeys, newTestService, user } from '../../test/utils';
import { AuditEventsQuerySchema } from './auditor.dto';
import { AuditorService } from './auditor.service';

describe(AuditorService.name, () => {
  const auditor = user(['auditor'], 'auditor-1', 'p1');
  const setup = () => {
    const t = newTestService(AuditorService, [
      [BrokerKeys, fakeKeys()],
      [BROKER_CONFIG, {} as BrokerConfig],
    ]);
    const query = t.get(AuditQuery);
    query.search.mockResolvedValue({ items: [{}, {}], nextCursor: null } as never);
    return { sut: t.sut, query, audit: t.get(AuditService) };
  };

  it("searches only the auditor's own partnership and audits the search itself", async () => {
    const { sut, query, audit } = setup();
    const q = AuditEventsQuerySchema.parse({ agency: 'police' });
    const result = await sut.events(auditor, q, 'corr-1');
    expect(result).toMatchObject({ kind: 'page', page: { items: [{}, {}] } });
    expect(query.search.mock.calls[0][0]).toMatchObject({ partnership: 'p1', agency: 'police' });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'audit.searched',
        details: expect.objectContaining({ returned: 2 }),
      }),
    );
  });

  it("answers the library's refusal of a query as a 400", async () => {
    const { sut, query, audit } = setup();
    query.search.mockRejectedValue(new AuditQueryError('bad cursor'));
    await expect(
      sut.events(auditor, AuditEventsQuerySchema.parse({ cursor: 'nonsense' }), 'corr-1'),
    ).rejects.toMatchObject({ code: 'AUDIT.INVALID_QUERY', status: 400 });
    expect(audit.record).not.toHaveBeenCalled();
  });
});
