// Test fixtures: a valid agreement version and a decision request, each overridable. Not exported from the library.
import type { AgreementVersion } from './agreement';
import type { DecisionRequest } from './decision';

export function agreementFixture(overrides: Partial<AgreementVersion> = {}): AgreementVersion {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    version: 1,
    partnership: 'demo',
    agency: 'police',
    title: 'Test agreement',
    legalGateways: [
      'uk-gdpr-art-6-1-e',
      'uk-gdpr-art-9-2-g',
      'dpa-2018-sch-1-para-18',
      'cda-1998-s115',
      'ca-1989-s47',
    ],
    consent: {
      rule: 'not-required-with-reason',
      allowedReasons: ['risk-of-significant-harm', 'cannot-reasonably-be-obtained'],
    },
    retentionDays: 180,
    purposes: {
      'mash-triage': {
        legalGateways: ['uk-gdpr-art-6-1-e', 'cda-1998-s115'],
        retentionDays: 90,
        categories: {
          occurrences: {
            minimumLevel: 2,
            fields: {
              occurredOn: 'include',
              type: 'include',
              role: 'include',
              location: { mask: 'partial-postcode' },
              summary: 'exclude',
            },
          },
          warnings: {
            minimumLevel: 2,
            minimumRag: 'amber',
            fields: { type: 'include', addedOn: { mask: 'month-year' } },
          },
        },
      },
      's47-enquiry': {
        categories: {
          occurrences: {
            fields: {
              occurredOn: 'include',
              type: 'include',
              role: 'include',
              location: 'include',
              summary: 'include',
            },
          },
        },
      },
    },
    effectiveFrom: '2026-04-01',
    effectiveTo: '2029-03-31',
    reviewDate: '2027-03-31',
    status: 'active',
    signatories: [
      {
        name: 'A Signatory',
        role: 'Data Protection Officer',
        organisation: 'Test Police',
        signedAt: '2026-03-01T09:00:00Z',
      },
    ],
    ...overrides,
  };
}

export function requestFixture(
  overrides: Partial<DecisionRequest> = {},
  caseOverrides: Partial<DecisionRequest['case']> = {},
): DecisionRequest {
  return {
    partnership: 'demo',
    agency: 'police',
    purpose: 'mash-triage',
    user: { sub: 'analyst-1', roles: ['analyst'] },
    case: { id: 'case-1', level: 3, rag: 'red', consent: { status: 'given' }, ...caseOverrides },
    now: new Date('2026-06-15T12:00:00Z'),
    ...overrides,
  };
}
