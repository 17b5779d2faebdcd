import request from 'supertest';
import { Headers, Topics } from '@mash/contracts';
import { seededFederation, eventually, status, type DemoSubject } from '../support/federation';
import { TopicRecorder, publishRaw } from '../support/kafka';

const ALL = ['police', 'health', 'education', 'social-care'] as const;

describe('A federated query, end to end over Kafka', () => {
  const { federation, subjects } = seededFederation();
  let analyst: string;

  beforeAll(async () => {
    analyst = await federation.token('analyst');
  });

  const openCaseWithoutConsent = (subject: DemoSubject['subject']) =>
    federation.openCaseWithoutConsent(subject, {
      referrer: { agency: 'education', name: 'Designated safeguarding lead' },
      concerns: ['physical-abuse'],
    });

  it('finds a child known to all four agencies in each of them, within the deadline', async () => {
    const child = subjects.find((s) => ALL.every((a) => s.knownTo.includes(a)));
    expect(child).toBeDefined();
    const caseId = await openCaseWithoutConsent(child!.subject);

    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage' })
      .expect(status(202));
    expect(accepted.body.agencies.map((a: { agency: string }) => a.agency).sort()).toEqual(
      [...ALL].sort(),
    );

    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    });
    expect(done.status).toBe('complete');
    for (const agency of done.agencies) {
      expect({ agency: agency.agency, status: agency.status }).toEqual({
        agency: agency.agency,
        status: 'match',
      });
      expect(agency.records).toBeDefined();
    }
    // Minimisation: police locations leave the agency as a partial postcode only.
    const police = done.agencies.find((a: { agency: string }) => a.agency === 'police');
    for (const occurrence of police.records.occurrences ?? []) {
      expect(String(occurrence.location)).not.toMatch(/\d[A-Z]{2}$/);
    }
  });

  it('answers no-match for a child no agency knows', async () => {
    const caseId = await openCaseWithoutConsent({
      givenName: 'Nobody',
      familyName: 'Unknownperson',
      dateOfBirth: '2015-02-03',
    });
    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage' })
      .expect(status(202));
    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`);
      return res.body.status === 'pending' ? undefined : res.body;
    });
    for (const agency of done.agencies) {
      if (agency.decision === 'permit') expect(agency.status).toBe('no-match');
      expect(agency.records).toBeUndefined();
    }
  });

  it('sends a malformed request to the adapter DLQ and keeps answering', async () => {
    const topic = Topics.queryRequested('police');
    const dlq = await new TopicRecorder(Topics.deadLetter(topic)).start();
    try {
      await publishRaw(topic, '{"type":"query.requested","this is":"not valid"', {
        [Headers.correlationId]: 'malformed-1',
      });
      const dead = await eventually(async () =>
        dlq.messages.find((m) => m.headers[Headers.correlationId] === 'malformed-1'),
      );
      expect(dead.headers[Headers.dlqReason]).toBe('not JSON');
      expect(dead.headers[Headers.dlqSourceTopic]).toBe(topic);
    } finally {
      await dlq.stop();
    }
    const child = subjects.find((s) => s.knownTo.includes('police'))!;
    const caseId = await openCaseWithoutConsent(child.subject);
    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`);
      return res.body.status === 'pending' ? undefined : res.body;
    });
    expect(done.agencies[0].status).toBe('match');
  });

  it('marks an agency that does not answer as timed out, and still records a late answer', async () => {
    const child = subjects.find((s) => s.knownTo.includes('education'))!;
    const caseId = await openCaseWithoutConsent(child.subject);
    // A first query while education is up: the broker has fetched its published keys.
    const first = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['education'] })
      .expect(status(202));
    await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${first.body.id}`)
        .set('Authorization', `Bearer ${analyst}`);
      return res.body.status === 'complete' ? res.body : undefined;
    });
    await federation.stopAdapter('education');
    try {
      const accepted = await request(federation.http())
        .post(`/api/v1/cases/${caseId}/queries`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage', agencies: ['education'] })
        .expect(status(202));
      const timedOut = await eventually(async () => {
        const res = await request(federation.http())
          .get(`/api/v1/queries/${accepted.body.id}`)
          .set('Authorization', `Bearer ${analyst}`);
        return res.body.status === 'partial' ? res.body : undefined;
      }, 20_000);
      expect(timedOut.agencies[0].status).toBe('timed-out');
      await federation.startAdapter('education');
      const late = await eventually(async () => {
        const res = await request(federation.http())
          .get(`/api/v1/queries/${accepted.body.id}`)
          .set('Authorization', `Bearer ${analyst}`);
        return res.body.agencies[0].late ? res.body : undefined;
      }, 30_000);
      expect(late.agencies[0].status).toBe('match');
    } finally {
      if (!federation.adapters.has('education')) await federation.startAdapter('education');
    }
  }, 90_000);

  it('answers 400 with a stable code for malformed and invalid bodies, and 404 for unknown ids', async () => {
    const malformed = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .set('Content-Type', 'application/json')
      .send('{"subject": ')
      .expect(status(400));
    expect(malformed.body).toMatchObject({ statusCode: 400, code: 'REQUEST.MALFORMED_JSON' });
    expect(malformed.body.correlationId).toEqual(expect.any(String));

    const invalid = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: { givenName: 'A', familyName: 'B', dateOfBirth: '2015-13-45' },
        referrer: { agency: 'police' },
        concerns: ['neglect'],
      })
      .expect(status(400));
    expect(invalid.body.code).toBe('REQUEST.INVALID');
    expect(JSON.stringify(invalid.body)).not.toContain('2015-13-45');
    // The field, what was wrong and what is allowed.
    expect(invalid.body.message).toMatch(/subject\.dateOfBirth .*YYYY-MM-DD/);

    const unknownConcern = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: { givenName: 'A', familyName: 'B', dateOfBirth: '2015-01-01' },
        referrer: { agency: 'police' },
        concerns: ['not-a-concern'],
      })
      .expect(status(400));
    expect(unknownConcern.body.code).toBe('THRESHOLD.UNKNOWN_CONCERN');
    expect(unknownConcern.body.message).toMatch(/"not-a-concern".*knows: .*neglect/);
    expect(unknownConcern.body.details).toMatchObject({
      field: 'concerns',
      validCodes: expect.arrayContaining(['neglect', 'missing-from-home']),
    });

    const missing = await request(federation.http())
      .get('/api/v1/queries/5b0e3f56-7d43-4a5e-9d7a-1f1f1f1f1f1f')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(404));
    expect(missing.body.code).toBe('QUERY.NOT_FOUND');
    const badId = await request(federation.http())
      .get('/api/v1/cases/not-a-uuid')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(400));
    expect(badId.body.code).toBe('REQUEST.INVALID');
  });

  it('reports health of the database and Kafka, serves metrics and the OpenAPI document', async () => {
    const health = await request(federation.http()).get('/health').expect(status(200));
    expect(health.body.checks).toEqual({ database: 'up', kafka: 'up' });
    const metrics = await request(federation.http()).get('/metrics').expect(status(200));
    expect(metrics.text).toContain('mash_requests_dispatched_total');
    const docs = await request(federation.http()).get('/api/docs-json').expect(status(200));
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/referrals', '/api/v1/queries/{id}']),
    );
  });
});
