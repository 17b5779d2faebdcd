import request from 'supertest';
import { seededFederation, eventually, status, type DemoSubject } from '../support/federation';

/** Day and month swapped: 2014-03-07 → 2014-07-03. */
function transposed(dateOfBirth: string): string | undefined {
  const [year, month, day] = dateOfBirth.split('-');
  return Number(day) <= 12 && day !== month ? `${year}-${day}-${month}` : undefined;
}

/** A keying slip: two letters after the first exchanged (Olivia → Oilvia). */
function misspelt(name: string): string {
  return name.length < 4 ? `${name}${name.at(-1)}` : name[0] + name[2] + name[1] + name.slice(3);
}

describe('Identity matching across the federation', () => {
  const { federation, subjects } = seededFederation();
  let analyst: string;

  beforeAll(async () => {
    analyst = await federation.token('analyst');
  });

  it('finds a child with a misspelt given name and day and month swapped in every agency that knows them', async () => {
    const child = subjects.find(
      (s) => transposed(s.subject.dateOfBirth) !== undefined && s.knownTo.length >= 2,
    );
    expect(child).toBeDefined();
    const { identifiers: _none, ...known } = child!.subject;
    // No identifiers: the agencies must find the child on the probabilistic evidence alone.
    const subject = {
      ...known,
      givenName: misspelt(known.givenName),
      dateOfBirth: transposed(known.dateOfBirth)!,
    };
    expect(subject.givenName).not.toBe(known.givenName);

    const opened = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject,
        referrer: { agency: 'education', name: 'Designated safeguarding lead' },
        concerns: ['neglect'],
      })
      .expect(status(201));
    const caseId = opened.body.id as string;
    const manager = await federation.token('manager', 'demo', 'test-manager');
    await request(federation.http())
      .put(`/api/v1/cases/${caseId}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));

    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage' })
      .expect(status(202));
    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    });

    const answers = done.agencies as Array<{
      agency: string;
      status: string;
      match?: { method: string; confidence: number };
      records?: unknown;
    }>;
    for (const agency of child!.knownTo) {
      const answer = answers.find((a) => a.agency === agency);
      expect({ agency, status: answer?.status }).toEqual({ agency, status: 'match' });
      expect(answer?.match?.method).toBe('probabilistic');
      expect(answer?.match?.confidence).toBeGreaterThanOrEqual(0.99);
      expect(answer?.records).toBeDefined();
    }
    // An agency that does not know the child must not hand over someone else's records.
    for (const answer of answers.filter(
      (a) => !child!.knownTo.includes(a.agency as DemoSubject['knownTo'][number]),
    )) {
      expect(answer.status).not.toBe('match');
      expect(answer.records).toBeUndefined();
    }
  });
});
