import {
  AuditEventsQuerySchema,
  AuditVerifyQuerySchema,
  PseudonymRequestSchema,
} from './auditor.dto';

describe('AuditEventsQuerySchema', () => {
  const sut = AuditEventsQuerySchema;

  it('accepts several actions and outcomes, repeated or comma-separated, with prefixes', () => {
    const parsed = sut.parse({
      action: ['query.*,policy.decision', 'audit.verified'],
      outcome: 'permit, deny',
    });
    expect(parsed.action).toEqual(['query.*', 'policy.decision', 'audit.verified']);
    expect(parsed.outcome).toEqual(['permit', 'deny']);
    expect(parsed).toMatchObject({ limit: 100, order: 'desc', format: 'json' });
  });

  it('refuses a partnership parameter, unknown outcomes and limits above 1,000', () => {
    expect(sut.safeParse({ partnership: 'other' }).success).toBe(false);
    expect(sut.safeParse({ outcome: 'maybe' }).success).toBe(false);
    expect(sut.safeParse({ limit: '1001' }).success).toBe(false);
    expect(sut.safeParse({ action: 'DROP TABLE' }).success).toBe(false);
  });

  it('takes only a case id as the case filter, so no formula reaches the search event', () => {
    expect(sut.safeParse({ case: '=HYPERLINK("http://x","y")' }).success).toBe(false);
    const id = '8f2b0c1e-4a5d-4c3b-9e7f-1a2b3c4d5e6f';
    expect(sut.parse({ case: id }).case).toBe(id);
  });
});

describe('AuditVerifyQuerySchema', () => {
  it('reads chain positions as numbers and ISO times as dates', () => {
    expect(AuditVerifyQuerySchema.parse({ from: '1', to: '250' })).toEqual({ from: 1, to: 250 });
    const times = AuditVerifyQuerySchema.parse({ from: '2026-06-01T00:00:00Z' });
    expect(times.from).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(AuditVerifyQuerySchema.safeParse({ from: '0' }).success).toBe(false);
    expect(AuditVerifyQuerySchema.safeParse({ from: 'yesterday' }).success).toBe(false);
  });
});

describe('PseudonymRequestSchema', () => {
  const sut = PseudonymRequestSchema;

  it('takes an NHS number, or a full name and date of birth, or both', () => {
    expect(sut.safeParse({ nhsNumber: '943 476 5919' }).success).toBe(true);
    expect(
      sut.safeParse({ givenName: 'Amelia', familyName: 'Jones', dateOfBirth: '2015-03-09' })
        .success,
    ).toBe(true);
    expect(
      sut.safeParse({
        nhsNumber: '9434765919',
        givenName: 'Amelia',
        familyName: 'Jones',
        dateOfBirth: '2015-03-09',
      }).success,
    ).toBe(true);
  });

  it('refuses partial names, short NHS numbers and nothing at all', () => {
    expect(sut.safeParse({ givenName: 'Amelia', dateOfBirth: '2015-03-09' }).success).toBe(false);
    expect(sut.safeParse({ nhsNumber: '9434765919', familyName: 'Jones' }).success).toBe(false);
    expect(sut.safeParse({ nhsNumber: '94347' }).success).toBe(false);
    expect(sut.safeParse({}).success).toBe(false);
  });
});

describe('a date alone in from/to', () => {
  it('means the start of that day in Europe/London, in winter and in summer', () => {
    expect(AuditEventsQuerySchema.parse({ from: '2026-01-15' }).from?.toISOString()).toBe(
      '2026-01-15T00:00:00.000Z',
    );
    expect(AuditEventsQuerySchema.parse({ from: '2026-07-15' }).from?.toISOString()).toBe(
      '2026-07-14T23:00:00.000Z',
    );
    expect(AuditEventsQuerySchema.safeParse({ from: '15/07/2026' }).success).toBe(false);
  });
});
