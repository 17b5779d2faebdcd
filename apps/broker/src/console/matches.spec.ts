import type { MemberView } from '../cases/member.service';
import type { AgencyView, QueryView } from '../queries/query.service';
import { possibleMatches, settleFieldId, settleFromForm } from './matches';

const CHILD = '00000000-0000-4000-8000-000000000001';
const TWIN = '00000000-0000-4000-8000-000000000002';

const members: MemberView[] = [
  {
    id: CHILD,
    relationship: 'subject',
    addedAt: '',
    addedBy: 'a',
    givenName: 'Riley',
    familyName: 'Knight',
    dateOfBirth: '2012-09-10',
  },
  {
    id: TWIN,
    relationship: 'sibling',
    addedAt: '',
    addedBy: 'a',
    givenName: 'Ellis',
    familyName: 'Ward',
    dateOfBirth: '2017-03-09',
    identifiers: { nhsNumber: '9434765919' },
  },
];

function part(
  agency: string,
  status: AgencyView['status'],
  extra: Partial<AgencyView> = {},
): AgencyView {
  return { agency, decision: 'permit', reasons: [], status, ...extra };
}

function query(id: string, createdAt: string, agencies: AgencyView[]): QueryView {
  return {
    id,
    caseId: 'c',
    purpose: 'mash-triage',
    status: 'complete',
    createdAt,
    deadlineAt: createdAt,
    agencies,
  };
}

describe('possibleMatches', () => {
  it('lists an unsettled possible match by person, the child first, and leaves definite answers out', () => {
    const first = query('q1', '2026-12-01T10:00:00Z', [
      part('police', 'match'),
      part('health', 'possible-match', {
        match: { confidence: 0.8, method: 'probabilistic' } as AgencyView['match'],
      }),
      part('health', 'possible-match', { memberId: TWIN }),
      part('education', 'possible-match', { memberId: TWIN }),
    ]);
    const people = possibleMatches([first], members);
    expect(people.map((p) => [p.name, p.open.map((m) => m.agency)])).toEqual([
      ['Riley Knight', ['health']],
      ['Ellis Ward', ['health', 'education']],
    ]);
    expect(people[1].identifiers).toEqual({ nhsNumber: '9434765919' });
  });

  it('counts a later answer about the same person and agency as settling it, and a rejection too', () => {
    const first = query('q1', '2026-12-01T10:00:00Z', [
      part('health', 'possible-match', { memberId: TWIN }),
      part('education', 'possible-match', { memberId: TWIN }),
      part('police', 'possible-match', { memberId: TWIN }),
    ]);
    const again = query('q2', '2026-12-01T11:00:00Z', [
      part('health', 'match', { memberId: TWIN }),
      part('education', 'no-match', {
        memberId: TWIN,
        resolution: { decision: 'reject', by: 'rep', at: '2026-12-01T11:05:00Z' },
      }),
      part('police', 'pending', { memberId: TWIN }),
    ]);
    const [twin] = possibleMatches([again, first], members);
    expect(twin.open).toEqual([]);
    expect(twin.waiting).toBe(true);
    expect(twin.settled.map((m) => [m.agency, m.settledBy, m.now])).toEqual([
      ['health', 'answer', 'match'],
      ['education', 'representative', 'no-match'],
    ]);
  });

  it('keeps a possible match open when asking again got no answer (timed out, failed, refused)', () => {
    const first = query('q1', '2026-12-01T10:00:00Z', [
      part('health', 'possible-match', { memberId: TWIN }),
    ]);
    const again = query('q2', '2026-12-01T11:00:00Z', [
      part('health', 'timed-out', { memberId: TWIN }),
    ]);
    const [twin] = possibleMatches([again, first], members);
    expect(twin.open.map((m) => [m.agency, m.queryId])).toEqual([['health', 'q1']]);
    expect(twin.settled).toEqual([]);
  });

  it('keeps a confirmed candidate open: the agency shares only when asked again', () => {
    const first = query('q1', '2026-12-01T10:00:00Z', [
      part('health', 'possible-match', {
        resolution: { decision: 'confirm', by: 'rep', at: '2026-12-01T10:30:00Z' },
      }),
    ]);
    const [child] = possibleMatches([first], members);
    expect(child.open.map((m) => m.resolution?.decision)).toEqual(['confirm']);
  });
});

describe('settleFromForm', () => {
  const field = (name: string) => settleFieldId(TWIN, name);

  it('reads an NHS number with spaces and a UPN as the member update', () => {
    expect(
      settleFromForm(
        { [field('nhsNumber')]: ' 943 476 5919 ', [field('upn')]: 'a123456789012' },
        TWIN,
      ),
    ).toEqual({
      success: true,
      data: { identifiers: { nhsNumber: '9434765919', upn: 'A123456789012' } },
    });
  });

  it('refuses an NHS number whose check digit is wrong, linked to its box', () => {
    const result = settleFromForm({ [field('nhsNumber')]: '943 476 5918' }, TWIN);
    expect(result).toEqual({
      success: false,
      errors: {
        summary: [
          {
            text: 'Enter a real NHS number: its last digit does not check',
            href: `#${field('nhsNumber')}`,
          },
        ],
        fields: {
          [field('nhsNumber')]: { text: 'Enter a real NHS number: its last digit does not check' },
        },
      },
    });
  });

  it('asks for something when every box is empty, and checks a postcode', () => {
    expect(settleFromForm({}, TWIN)).toMatchObject({
      errors: { summary: [{ text: 'Enter at least one detail that would settle the match' }] },
    });
    expect(settleFromForm({ [field('postcode')]: 'not one' }, TWIN)).toMatchObject({
      errors: { summary: [{ text: 'Enter a real postcode, like NN1 1AA' }] },
    });
    expect(settleFromForm({ [field('postcode')]: 'nn2 6jd' }, TWIN)).toEqual({
      success: true,
      data: { postcode: 'NN2 6JD' },
    });
    expect(settleFromForm({ [field('previousFamilyName')]: ' Ward ' }, TWIN)).toEqual({
      success: true,
      data: { previousFamilyNames: ['Ward'] },
    });
  });
});
