/**
 * Agreements as enforced policy, end to end over HTTP and Kafka: what a denied agency receives
 * (nothing), what a masked field looks like when it leaves the agency, the dry run, the lifecycle
 * (immutable, content-hashed versions; two-person activation; suspension that takes effect at once,
 * even for a request already on its way to the adapter) and agreements as files.
 *
 * The suspension tests change the demo police agreement, so they run last, on this file's own
 * federation and fresh databases.
 */
import { ConfiguredConnector } from '@mash/adapter-sdk';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Topics, QueryRespondedV1, type Agency, type QueryAnswerV1 } from '@mash/contracts';
import { agreementHash, parseAgreementFile, type AgreementVersion } from '@mash/policy';
import { FileKeyRingStore, ServiceKeys, decryptJson } from '@mash/trust';
import {
  Federation,
  TEST_KEYS_DIR,
  baseEnv,
  dropDatabases,
  eventually,
  seedSources,
  status,
  type DemoSubject,
} from '../support/federation';
import { TopicRecorder, type Captured } from '../support/kafka';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
const POLICE_AGREEMENT = '6f1c2a4e-3b7d-4c1e-9a52-1d0f8e7b3c01';
const JUSTIFICATION = 'Seeking consent could place the child at risk of significant harm.';

type AgencyResult = {
  agency: Agency;
  decision: 'permit' | 'deny';
  status: string;
  reasons: Array<{ code: string; text: string }>;
  failure?: string;
  records?: Record<string, Array<Record<string, unknown>>>;
};
type QueryResult = { id: string; status: string; agencies: AgencyResult[] };

describe('Data-sharing agreements, enforced end to end', () => {
  // A generous deadline: the suspension test holds the police adapter down for a while.
  const federation = new Federation(baseEnv({ QUERY_TIMEOUT_MS: '60000' }));
  let subjects: DemoSubject[];
  let analyst: string;
  let manager: string;
  let adminOne: string;
  let adminTwo: string;
  let brokerKeys: ServiceKeys;

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    analyst = await federation.token('analyst', 'demo', 'analyst-ann');
    manager = await federation.token('manager', 'demo', 'manager-mo');
    adminOne = await federation.token('agreement-admin', 'demo', 'admin-one');
    adminTwo = await federation.token('agreement-admin', 'demo', 'admin-two');
    brokerKeys = await ServiceKeys.fromRing(
      await new FileKeyRingStore(TEST_KEYS_DIR).loadOrCreate('broker'),
    );
  }, 240_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await federation.stop();
  });

  const http = () => request(federation.http());

  async function openCase(subject: DemoSubject['subject']): Promise<string> {
    const res = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject,
        referrer: { agency: 'education', name: 'Designated safeguarding lead' },
        concerns: ['physical-abuse'],
      })
      .expect(status(201));
    return res.body.id as string;
  }

  /** Without consent, for a recorded reason; decided by `token` (a manager's own decision counts as approved). */
  async function consentNotSought(caseId: string, token = manager): Promise<void> {
    await http()
      .put(`/api/v1/cases/${caseId}/consent`)
      .set('Authorization', `Bearer ${token}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: JUSTIFICATION,
      })
      .expect(status(200));
  }

  async function ask(caseId: string, purpose: string, agencies?: Agency[]): Promise<QueryResult> {
    const res = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose, ...(agencies ? { agencies } : {}) })
      .expect(status(202));
    return res.body as QueryResult;
  }

  async function finished(queryId: string, timeoutMs = 20_000): Promise<QueryResult> {
    return eventually(async () => {
      const res = await http()
        .get(`/api/v1/queries/${queryId}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : (res.body as QueryResult);
    }, timeoutMs);
  }

  const agencyOf = (q: QueryResult, agency: Agency) => q.agencies.find((a) => a.agency === agency)!;
  const forQuery = (messages: Captured[], queryId: string) =>
    messages.filter((m) => m.key === queryId);

  /** The answer as the adapter sent it, opened with the broker's key: what actually left the agency. */
  async function answerOnTheWire(captured: Captured): Promise<QueryAnswerV1> {
    const envelope = QueryRespondedV1.parse(JSON.parse(captured.value));
    const { jws } = await decryptJson<{ jws: string }>(envelope.body, brokerKeys);
    return JSON.parse(
      Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'),
    ) as QueryAnswerV1;
  }

  const policeChildren = () => subjects.filter((s) => s.knownTo.includes('police'));

  it('never sends a request to a denied agency, and tells the analyst why it was denied', async () => {
    const health = await new TopicRecorder(Topics.queryRequested('health')).start();
    const police = await new TopicRecorder(Topics.queryRequested('police')).start();
    try {
      const child = subjects.find(
        (s) => s.knownTo.includes('police') && s.knownTo.includes('health'),
      )!;
      const caseId = await openCase(child.subject);
      // An analyst's decision to proceed without consent: health's agreement needs a manager's approval.
      await consentNotSought(caseId, analyst);
      const accepted = await ask(caseId, 'mash-triage');
      const deniedHealth = agencyOf(accepted, 'health');
      expect(deniedHealth).toMatchObject({ decision: 'deny', status: 'denied' });
      expect(deniedHealth.reasons.map((r) => r.code)).toContain('POLICY.MANAGER_APPROVAL_PENDING');
      expect(
        deniedHealth.reasons.find((r) => r.code === 'POLICY.MANAGER_APPROVAL_PENDING')!.text,
      ).toMatch(/manager/i);
      expect(agencyOf(accepted, 'police').decision).toBe('permit');

      const done = await finished(accepted.id);
      expect(agencyOf(done, 'health').status).toBe('denied');
      // The permitted agency's request went out through the same outbox; the denied one's never existed.
      expect(forQuery(police.messages, accepted.id)).toHaveLength(1);
      expect(forQuery(health.messages, accepted.id)).toHaveLength(0);
    } finally {
      await health.stop();
      await police.stop();
    }
  });

  it('masks police locations as a partial postcode and leaves out summaries for MASH triage, as the agreement says, before the data leaves police', async () => {
    const wire = await new TopicRecorder(Topics.queryResponded('police')).start();
    try {
      // Children known to police with at least one recorded occurrence location.
      let triage: { onWire: QueryAnswerV1; shown: AgencyResult; caseId: string } | undefined;
      for (const child of policeChildren().slice(0, 6)) {
        const caseId = await openCase(child.subject);
        await consentNotSought(caseId);
        const accepted = await ask(caseId, 'mash-triage', ['police']);
        const done = await finished(accepted.id);
        const shown = agencyOf(done, 'police');
        if (shown.status !== 'match' || !(shown.records?.occurrences ?? []).some((o) => o.location))
          continue;
        const sent = await eventually(async () => forQuery(wire.messages, accepted.id)[0]);
        triage = { onWire: await answerOnTheWire(sent), shown, caseId };
        break;
      }
      expect(triage).toBeDefined();
      const { onWire, shown, caseId } = triage!;
      const sentOccurrences = onWire.records!.occurrences;
      expect(sentOccurrences.length).toBeGreaterThan(0);
      for (const occurrence of [...sentOccurrences, ...shown.records!.occurrences]) {
        if (occurrence.location !== null)
          expect(String(occurrence.location)).toMatch(/^[A-Z]{1,2}\d[A-Z\d]?$/);
        expect(occurrence).not.toHaveProperty('summary');
        expect(Object.keys(occurrence).sort()).toEqual([
          'domesticAbuse',
          'location',
          'occurredOn',
          'occurrenceRef',
          'role',
          'type',
        ]);
      }

      // The s47 enquiry purpose shares the summary and the full location for the same child.
      const s47 = await ask(caseId, 's47-enquiry', ['police']);
      const s47Done = await finished(s47.id);
      const s47Sent = await answerOnTheWire(
        await eventually(async () => forQuery(wire.messages, s47.id)[0]),
      );
      for (const occurrences of [
        s47Sent.records!.occurrences,
        agencyOf(s47Done, 'police').records!.occurrences,
      ]) {
        expect(occurrences.length).toBe(sentOccurrences.length);
        expect(occurrences.every((o) => 'summary' in o)).toBe(true);
        expect(
          occurrences.some(
            (o) => typeof o.location === 'string' && / \d[A-Z]{2}$/.test(o.location),
          ),
        ).toBe(true);
      }
    } finally {
      await wire.stop();
    }
  });

  it('explains in a dry run, in plain English, what each agency would share and why, and sends nothing', async () => {
    const police = await new TopicRecorder(Topics.queryRequested('police')).start();
    try {
      const caseId = await openCase(policeChildren()[0].subject);
      await consentNotSought(caseId, analyst);
      const res = await http()
        .post(`/api/v1/cases/${caseId}/queries/dry-run`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage' })
        .expect(status(200));
      const byAgency = new Map<string, { decision: string; explanation: string }>(
        res.body.map((d: { agency: string; decision: string; explanation: string }) => [
          d.agency,
          d,
        ]),
      );
      expect(byAgency.get('police')!.decision).toBe('permit');
      expect(byAgency.get('police')!.explanation).toMatch(
        /^Police would share .*occurrences.* for MASH triage under .*Crime and Disorder Act 1998.*, because /,
      );
      expect(byAgency.get('police')!.explanation).toMatch(/partial postcode/);
      expect(byAgency.get('health')!.decision).toBe('deny');
      expect(byAgency.get('health')!.explanation).toMatch(
        /^Health would share nothing for MASH triage because .*manager/i,
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(police.messages).toHaveLength(0);
    } finally {
      await police.stop();
    }
  });

  it('stores every version immutably with its content hash, and refuses a bad one with file, field and reason', async () => {
    const id = randomUUID();
    const exported = await http()
      .get(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/1/export?format=json`)
      .set('Authorization', `Bearer ${adminOne}`)
      .expect(status(200));
    const draft = {
      ...(JSON.parse(exported.text) as AgreementVersion),
      id,
      title: 'Pilot agreement for the e2e tests',
    };

    const created = await http()
      .post('/api/v1/agreements')
      .set('Authorization', `Bearer ${adminOne}`)
      .send(draft)
      .expect(status(201));
    expect(created.body).toMatchObject({
      id,
      version: 1,
      status: 'draft',
      partnership: 'demo',
      agency: 'police',
    });
    expect(created.body.hash).toBe(agreementHash({ ...draft, status: 'draft' }));

    const again = await http()
      .post('/api/v1/agreements')
      .set('Authorization', `Bearer ${adminOne}`)
      .send({ ...draft, retentionDays: 1 })
      .expect(status(409));
    expect(again.body.code).toBe('AGREEMENT.VERSION_EXISTS');
    const stored = await http()
      .get(`/api/v1/agreements/${id}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(stored.body.versions).toHaveLength(1);
    expect(stored.body.versions[0]).toMatchObject({
      hash: created.body.hash,
      content: { retentionDays: draft.retentionDays },
    });

    const bad = {
      ...draft,
      version: 2,
      retentionDays: 0,
      purposes: {
        ...draft.purposes,
        'mash-triage': {
          ...draft.purposes['mash-triage']!,
          categories: { occurrences: { fields: { location: { mask: 'postcode-only' } } } },
        },
      },
    };
    const refused = await http()
      .post('/api/v1/agreements')
      .set('Authorization', `Bearer ${adminOne}`)
      .send(bad)
      .expect(status(400));
    expect(refused.body.code).toBe('POLICY.AGREEMENT_INVALID');
    expect(refused.body.details.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'request body',
          field: 'retentionDays',
          reason: expect.any(String),
        }),
        expect.objectContaining({
          file: 'request body',
          field: 'purposes.mash-triage.categories.occurrences.fields.location.mask',
          reason: expect.stringMatching(/partial-postcode/),
        }),
      ]),
    );
    await http()
      .post('/api/v1/agreements')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ ...draft, version: 3 })
      .expect(status(403));
  });

  it('exports a version as a YAML or JSON file that validates and hashes the same as the stored version', async () => {
    const listed = await http()
      .get('/api/v1/agreements')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    const stored = listed.body.find(
      (v: { id: string; version: number }) => v.id === POLICE_AGREEMENT && v.version === 1,
    );
    for (const format of ['yaml', 'json'] as const) {
      const res = await http()
        .get(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/1/export?format=${format}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      expect(res.headers['content-type']).toContain(
        format === 'yaml' ? 'application/yaml' : 'application/json',
      );
      expect(res.headers['content-disposition']).toContain(
        `police-${POLICE_AGREEMENT}-v1.${format}`,
      );
      const file = parseAgreementFile(`police.${format}`, res.text);
      expect(agreementHash(file)).toBe(stored.hash);
      expect(file.status).toBe('active');
    }
    const badFormat = await http()
      .get(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/1/export?format=pdf`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(400));
    expect(badFormat.body.code).toBe('REQUEST.INVALID');
  });

  // --- From here on the demo police agreement is suspended and replaced: keep these last. ---

  it('denies police on the next query once the demo police agreement is suspended, and sends police nothing', async () => {
    const suspended = await http()
      .post(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/1/suspend`)
      .set('Authorization', `Bearer ${adminOne}`)
      .send({ reason: 'Police data protection review after a reported breach' })
      .expect(status(200));
    expect(suspended.body.status).toBe('suspended');

    const police = await new TopicRecorder(Topics.queryRequested('police')).start();
    const education = await new TopicRecorder(Topics.queryRequested('education')).start();
    try {
      const caseId = await openCase(policeChildren()[0].subject);
      await consentNotSought(caseId);
      const accepted = await ask(caseId, 'mash-triage');
      const denied = agencyOf(accepted, 'police');
      expect(denied).toMatchObject({ decision: 'deny', status: 'denied' });
      expect(denied.reasons[0].code).toBe('POLICY.AGREEMENT_SUSPENDED');
      expect(denied.reasons[0].text).toMatch(/suspended/i);
      const done = await finished(accepted.id);
      expect(agencyOf(done, 'police').status).toBe('denied');
      await eventually(async () =>
        forQuery(education.messages, accepted.id).length === 1 ? true : undefined,
      );
      expect(forQuery(police.messages, accepted.id)).toHaveLength(0);
    } finally {
      await police.stop();
      await education.stop();
    }
  });

  it('activates a new version only when a second agreement-admin approves it', async () => {
    const exported = await http()
      .get(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/1/export?format=json`)
      .set('Authorization', `Bearer ${adminOne}`)
      .expect(status(200));
    await http()
      .post('/api/v1/agreements')
      .set('Authorization', `Bearer ${adminOne}`)
      .send({ ...JSON.parse(exported.text), version: 2 })
      .expect(status(201));
    const requested = await http()
      .post(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/2/activate`)
      .set('Authorization', `Bearer ${adminOne}`)
      .expect(status(200));
    expect(requested.body).toMatchObject({
      status: 'draft',
      approval: 'awaiting-second-admin',
      activationRequestedBy: 'admin-one',
    });

    const self = await http()
      .post(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/2/activate`)
      .set('Authorization', `Bearer ${adminOne}`)
      .expect(status(403));
    expect(self.body.code).toBe('AGREEMENT.SECOND_ADMIN_REQUIRED');
    const caseId = await openCase(policeChildren()[0].subject);
    await consentNotSought(caseId);
    const stillDenied = await ask(caseId, 'mash-triage', ['police']);
    expect(agencyOf(stillDenied, 'police').status).toBe('denied');

    const approved = await http()
      .post(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/2/activate`)
      .set('Authorization', `Bearer ${adminTwo}`)
      .expect(status(200));
    expect(approved.body).toMatchObject({
      status: 'active',
      approval: 'approved',
      activatedBy: 'admin-two',
    });
    const shared = await finished((await ask(caseId, 'mash-triage', ['police'])).id);
    expect(agencyOf(shared, 'police').status).toBe('match');
  });

  it('refuses a request already sent to the police adapter when the agreement is suspended before police read their source', async () => {
    // The police adapter runs from its connector file; only police is asked in this test.
    const findSubject = jest.spyOn(ConfiguredConnector.prototype, 'findSubject');
    const fetchRecords = jest.spyOn(ConfiguredConnector.prototype, 'fetchRecords');
    const requested = await new TopicRecorder(Topics.queryRequested('police')).start();
    await federation.stopAdapter('police');
    try {
      const caseId = await openCase(policeChildren()[0].subject);
      await consentNotSought(caseId);
      const accepted = await ask(caseId, 'mash-triage', ['police']);
      expect(agencyOf(accepted, 'police')).toMatchObject({ decision: 'permit', status: 'pending' });
      // The signed request is on Kafka, waiting for the adapter.
      await eventually(async () =>
        forQuery(requested.messages, accepted.id).length === 1 ? true : undefined,
      );

      await http()
        .post(`/api/v1/agreements/${POLICE_AGREEMENT}/versions/2/suspend`)
        .set('Authorization', `Bearer ${adminTwo}`)
        .send({ reason: 'Suspended pending a review of the retention schedule' })
        .expect(status(200));
      findSubject.mockClear();
      fetchRecords.mockClear();
      await federation.startAdapter('police');

      const done = await finished(accepted.id, 40_000);
      expect(agencyOf(done, 'police')).toMatchObject({
        status: 'failed',
        failure: 'GRANT.AGREEMENT_NOT_IN_FORCE',
      });
      expect(agencyOf(done, 'police').records).toBeUndefined();
      expect(findSubject).not.toHaveBeenCalled();
      expect(fetchRecords).not.toHaveBeenCalled();
    } finally {
      await requested.stop();
      if (!federation.adapters.has('police')) await federation.startAdapter('police');
    }
  }, 90_000);
});
