import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { CaseEntity } from './case.entity';
import { CaseRepository } from './case.repository';
import { CaseMemberEntity } from './member.entity';
import { MemberRepository } from './member.repository';
import { MemberService } from './member.service';

const sibling = {
  relationship: 'sibling' as const,
  givenName: 'Cal',
  familyName: 'Example',
  dateOfBirth: '2017-01-09',
};

const row = (patch: Partial<CaseMemberEntity>): CaseMemberEntity =>
  Object.assign(new CaseMemberEntity(), {
    id: 'm1',
    partnership: 'p1',
    caseId: 'c1',
    relationship: 'subject',
    detailsSealed: null,
    pseudonym: 'pseudo',
    createdAt: NOW,
    createdBy: 'user-1',
    ...patch,
  });

describe(MemberService.name, () => {
  const setup = () => {
    const t = newTestService(MemberService, [[BrokerKeys, fakeKeys()]]);
    t.get(AuditService).pseudonyms.mockReturnValue(['by-id', 'by-name-and-dob']);
    return {
      sut: t.sut,
      cases: t.get(CaseRepository),
      members: t.get(MemberRepository),
      audit: t.get(AuditService),
    };
  };

  it('adds a member to an open case, sealed, pseudonymised and audited in one transaction', async () => {
    const { sut, cases, members, audit } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { id: 'c1', status: 'open' }));
    const view = await sut.add(user(), 'c1', sibling);
    const [[inserted], tx] = members.insert.mock.calls[0];
    expect(tx).toBe(TX);
    expect(inserted).toMatchObject({
      caseId: 'c1',
      relationship: 'sibling',
      pseudonym: 'by-name-and-dob',
      createdBy: 'user-1',
    });
    expect(inserted.detailsSealed).not.toContain('sibling');
    expect(view).toMatchObject({ id: inserted.id, relationship: 'sibling', givenName: 'Cal' });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'case.member.added',
        subjectPseudonyms: ['by-id', 'by-name-and-dob'],
        details: { memberId: inserted.id, relationship: 'sibling' },
      }),
      TX,
    );
  });

  it('adds no one to a closed case', async () => {
    const { sut, cases, members, audit } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { id: 'c1', status: 'closed' }));
    await expect(sut.add(user(), 'c1', sibling)).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
    expect(members.insert).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('lists members with their details, and only the relationship once purged', async () => {
    const { sut, members } = setup();
    const { relationship: _r, ...details } = sibling;
    members.forCase.mockResolvedValue([
      row({ id: 'm1', detailsSealed: `sealed:${JSON.stringify(details)}` }),
      row({ id: 'm2', relationship: 'parent' }),
    ]);
    await expect(sut.list('p1', 'c1')).resolves.toEqual([
      expect.objectContaining({ id: 'm1', relationship: 'subject', givenName: 'Cal' }),
      {
        id: 'm2',
        relationship: 'parent',
        dataDeleted: true,
        addedAt: NOW.toISOString(),
        addedBy: 'user-1',
      },
    ]);
    // Only members whose details are held can be asked about.
    await expect(sut.open('p1', 'c1')).resolves.toEqual([
      { id: 'm1', relationship: 'subject', details },
    ]);
  });

  it('adds an identifier to a member, merged and sealed, audited by field name only', async () => {
    const { sut, cases, members, audit } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { id: 'c1', status: 'open' }));
    const { relationship: _r, ...details } = sibling;
    const held = { ...details, identifiers: { upn: 'A123' } };
    members.get.mockResolvedValue(
      row({ relationship: 'sibling', detailsSealed: `sealed:${JSON.stringify(held)}` }),
    );
    const view = await sut.update(user(), 'c1', 'm1', {
      identifiers: { nhsNumber: '9731642080' },
      postcode: 'NN2 6JD',
    });
    expect(view).toMatchObject({
      identifiers: { upn: 'A123', nhsNumber: '9731642080' },
      postcode: 'NN2 6JD',
      givenName: 'Cal',
    });
    const [, , patch, tx] = members.update.mock.calls[0];
    expect(tx).toBe(TX);
    expect(JSON.parse(patch.detailsSealed!.slice(7))).toMatchObject({
      identifiers: { upn: 'A123', nhsNumber: '9731642080' },
    });
    const [entry] = audit.record.mock.calls[0];
    expect(entry).toMatchObject({
      action: 'case.member.updated',
      details: { memberId: 'm1', fields: ['identifiers.nhsNumber', 'postcode'] },
    });
    expect(JSON.stringify(entry)).not.toContain('9731642080');
  });

  it('adds a previous family name to those held, sealed, audited without the name', async () => {
    const { sut, cases, members, audit } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { id: 'c1', status: 'open' }));
    const { relationship: _r, ...details } = sibling;
    const held = { ...details, previousFamilyNames: ['Holloway'] };
    members.get.mockResolvedValue(
      row({ relationship: 'sibling', detailsSealed: `sealed:${JSON.stringify(held)}` }),
    );
    const view = await sut.update(user(), 'c1', 'm1', {
      previousFamilyNames: ['Holloway', 'Marsh'],
    });
    expect(view).toMatchObject({ previousFamilyNames: ['Holloway', 'Marsh'], givenName: 'Cal' });
    const [, , patch] = members.update.mock.calls[0];
    expect(JSON.parse(patch.detailsSealed!.slice(7))).toMatchObject({
      previousFamilyNames: ['Holloway', 'Marsh'],
    });
    const [entry] = audit.record.mock.calls[0];
    expect(entry).toMatchObject({ details: { fields: ['previousFamilyNames'] } });
    expect(JSON.stringify(entry)).not.toContain('Marsh');

    members.update.mockClear();
    await expect(
      sut.update(user(), 'c1', 'm1', { previousFamilyNames: ['A', 'B', 'C', 'D', 'E'] }),
    ).rejects.toMatchObject({ code: 'CASE.TOO_MANY_FORMER_NAMES' });
    expect(members.update).not.toHaveBeenCalled();
  });

  it('changes no member of a closed case', async () => {
    const { sut, cases, members, audit } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { id: 'c1', status: 'closed' }));
    await expect(
      sut.update(user(), 'c1', 'm1', { identifiers: { nhsNumber: '9731642080' } }),
    ).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
    expect(members.update).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });
});
