/**
 * Consent on the case as the agreements see it, end to end: health's agreement lets the MASH
 * proceed without consent only with a recorded reason and a manager's approval, and every consent
 * decision is kept with who made it, when and why.
 */
import request from 'supertest';
import { Topics, type Agency } from '@mash/contracts';
import {
  Federation,
  dropDatabases,
  eventually,
  seedSources,
  status,
  type DemoSubject,
} from '../support/federation';
import { TopicRecorder } from '../support/kafka';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];

type AgencyResult = {
  agency: Agency;
  decision: 'permit' | 'deny';
  status: string;
  reasons: Array<{ code: string; text: string }>;
};
type QueryResult = { id: string; status: string; agencies: AgencyResult[] };

describe('Consent decisions, enforced by the agreements', () => {
  const federation = new Federation();
  let subjects: DemoSubject[];
  let analyst: string;
  let managerOne: string;
  let managerTwo: string;

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    analyst = await federation.token('analyst', 'demo', 'analyst-ann');
    managerOne = await federation.token('manager', 'demo', 'manager-mo');
    managerTwo = await federation.token('manager', 'demo', 'manager-meg');
  }, 240_000);

  afterAll(async () => {
    await federation.stop();
  });

  const http = () => request(federation.http());

  async function openCase(): Promise<string> {
    const child = subjects.find((s) => s.knownTo.includes('health'))!;
    const res = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ subject: child.subject, referrer: { agency: 'education' }, concerns: ['neglect'] })
      .expect(status(201));
    return res.body.id as string;
  }

  async function recordConsent(caseId: string, token: string, body: Record<string, string>) {
    return (
      await http()
        .put(`/api/v1/cases/${caseId}/consent`)
        .set('Authorization', `Bearer ${token}`)
        .send(body)
        .expect(status(200))
    ).body;
  }

  async function askHealth(caseId: string): Promise<QueryResult> {
    const res = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['health'] })
      .expect(status(202));
    return res.body as QueryResult;
  }

  it("keeps health denied while an analyst's decision to proceed without consent awaits a manager, then shares once one approves", async () => {
    const caseId = await openCase();
    const decision = await recordConsent(caseId, analyst, {
      status: 'not-sought',
      reason: 'risk-of-significant-harm',
      justification:
        'The referral describes injuries; telling the parents first could place the child at risk.',
    });
    expect(decision).toMatchObject({
      status: 'not-sought',
      decidedRole: 'analyst',
      approval: 'pending-manager-approval',
    });

    const requests = await new TopicRecorder(Topics.queryRequested('health')).start();
    try {
      const pending = await askHealth(caseId);
      expect(pending.agencies[0]).toMatchObject({
        agency: 'health',
        decision: 'deny',
        status: 'denied',
      });
      expect(pending.agencies[0].reasons.map((r) => r.code)).toContain(
        'POLICY.MANAGER_APPROVAL_PENDING',
      );

      // Only a manager approves, and not the one who made the decision.
      const byAnalyst = await http()
        .post(`/api/v1/cases/${caseId}/consent/${decision.id}/approve`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(403));
      expect(byAnalyst.body.code).toBe('AUTH.FORBIDDEN');
      const approved = await http()
        .post(`/api/v1/cases/${caseId}/consent/${decision.id}/approve`)
        .set('Authorization', `Bearer ${managerOne}`)
        .expect(status(200));
      expect(approved.body).toMatchObject({ id: decision.id, approvedBy: 'manager-mo' });

      const permitted = await askHealth(caseId);
      expect(permitted.agencies[0]).toMatchObject({
        agency: 'health',
        decision: 'permit',
        status: 'pending',
      });
      expect(permitted.agencies[0].reasons[0].code).toBe('POLICY.PERMITTED');
      const done = await eventually(async () => {
        const res = await http()
          .get(`/api/v1/queries/${permitted.id}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200));
        return res.body.status === 'pending' ? undefined : (res.body as QueryResult);
      });
      expect(done.agencies[0].status).toBe('match');
      expect(requests.messages.filter((m) => m.key === pending.id)).toHaveLength(0);
      expect(requests.messages.filter((m) => m.key === permitted.id)).toHaveLength(1);
    } finally {
      await requests.stop();
    }
  });

  it("counts a manager's own decision as approved, but does not let a manager approve their own decision", async () => {
    const caseId = await openCase();
    const decision = await recordConsent(caseId, managerTwo, {
      status: 'not-sought',
      reason: 'cannot-reasonably-be-obtained',
      justification: 'The family have moved and cannot be contacted within the MASH timescale.',
    });
    expect(decision.approval).toBe('approved');
    const self = await http()
      .post(`/api/v1/cases/${caseId}/consent/${decision.id}/approve`)
      .set('Authorization', `Bearer ${managerTwo}`)
      .expect(status(403));
    expect(self.body.code).toBe('CONSENT.SELF_APPROVAL');
    const permitted = await askHealth(caseId);
    expect(permitted.agencies[0].decision).toBe('permit');
  });

  it('keeps every consent decision, newest first, and decides on the latest', async () => {
    const caseId = await openCase();
    await recordConsent(caseId, analyst, {
      status: 'given',
      justification: 'Mother agreed on the phone to checks with health.',
    });
    const given = await askHealth(caseId);
    expect(given.agencies[0]).toMatchObject({ decision: 'permit' });
    expect(given.agencies[0].reasons.map((r) => r.code)).toContain('POLICY.CONSENT_GIVEN');

    // Consent was sought and refused: "cannot reasonably be obtained" cannot override that.
    await recordConsent(caseId, managerOne, {
      status: 'refused',
      reason: 'cannot-reasonably-be-obtained',
      justification: 'Father withdrew consent at the strategy meeting.',
    });
    const refused = await askHealth(caseId);
    expect(refused.agencies[0]).toMatchObject({ decision: 'deny', status: 'denied' });
    expect(refused.agencies[0].reasons.map((r) => r.code)).toContain('POLICY.CONSENT_REFUSED');

    await recordConsent(caseId, analyst, {
      status: 'refused',
      reason: 'risk-of-significant-harm',
      justification:
        'New disclosure at school: respecting the refusal would leave the child at risk.',
    });

    const detail = await http()
      .get(`/api/v1/cases/${caseId}`)
      .set('Authorization', `Bearer ${managerOne}`)
      .expect(status(200));
    const history = detail.body.consent as Array<{
      status: string;
      reason: string | null;
      decidedBy: string;
      decidedRole: string;
      decidedAt: string;
      justification: string;
      approvedBy: string | null;
    }>;
    expect(history.map((h) => [h.status, h.reason, h.decidedBy, h.decidedRole])).toEqual([
      ['refused', 'risk-of-significant-harm', 'analyst-ann', 'analyst'],
      ['refused', 'cannot-reasonably-be-obtained', 'manager-mo', 'manager'],
      ['given', null, 'analyst-ann', 'analyst'],
    ]);
    expect(history[2].justification).toBe('Mother agreed on the phone to checks with health.');
    expect(history.every((h) => !Number.isNaN(Date.parse(h.decidedAt)))).toBe(true);

    // Overriding a refusal for risk of significant harm still needs a manager for health.
    const override = await askHealth(caseId);
    expect(override.agencies[0]).toMatchObject({ decision: 'deny', status: 'denied' });
    expect(override.agencies[0].reasons.map((r) => r.code)).toContain(
      'POLICY.MANAGER_APPROVAL_PENDING',
    );
  });
});
