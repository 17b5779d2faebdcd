/**
 * People in the MASH, end to end over the real Kafka and PostgreSQL with the four adapters:
 * agencies' representatives (what they may see and contribute), the chronology, and a strategy
 * discussion whose actions reach each owning agency's adapter exactly once.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Agency } from '@mash/contracts';
import { MeetingService } from '../../apps/broker/src/meetings/meeting.service';
import {
  auditSequenced,
  baseEnv,
  eventually,
  Federation,
  ROOT,
  sql,
  status,
  type DemoSubject,
} from '../support/federation';
import { SECTION_47_ACTIONS, STRATEGY_ATTENDEES } from '../support/meetings';

/** The demo agreements, with police allowed to share about a parent's partner. */
function testAgreementsDir(): string {
  const dir = resolve(ROOT, '.local/test/agreements-people');
  mkdirSync(dir, { recursive: true });
  const source = resolve(ROOT, 'deploy/agreements/demo');
  for (const file of readdirSync(source)) {
    let text = readFileSync(resolve(source, file), 'utf8');
    // Only where the demo agreement does not already say who in the household it covers.
    if (file === 'police.yaml' && !text.includes('household:')) {
      const patched = text.replace(
        '    retentionDays: 90\n',
        '    retentionDays: 90\n    household:\n      relationships: [parent, partner-of-parent, sibling]\n      adultCategories: [occurrences]\n',
      );
      if (patched === text) throw new Error('demo police agreement changed shape');
      text = patched;
    }
    writeFileSync(resolve(dir, file), text);
  }
  return dir;
}

describe('People in the MASH: representatives, contributions, meetings, chronology', () => {
  const federation = new Federation(baseEnv({ AGREEMENTS_DIR: testAgreementsDir() }));
  let subjects: DemoSubject[];
  let analyst: string;
  let manager: string;
  let police: string;
  let health: string;
  let education: string;
  /** Asked of police, health and education; its household includes the mother's partner. */
  let asked: string;
  /** Asked of health only. */
  let notAsked: string;
  let partnerId: string;

  const http = () => request(federation.http());

  async function refer(subject: DemoSubject['subject'], members: unknown[] = []): Promise<string> {
    const created = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ subject, referrer: { agency: 'education' }, concerns: ['physical-abuse'], members })
      .expect(status(201));
    await http()
      .put(`/api/v1/cases/${created.body.id}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    return created.body.id as string;
  }

  async function ask(caseId: string, agencies: Agency[]): Promise<void> {
    const q = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies })
      .expect(status(202));
    await eventually(async () => {
      const res = await http()
        .get(`/api/v1/queries/${q.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : true;
    }, 30_000);
  }

  beforeAll(async () => {
    subjects = await federation.startSeeded();
    analyst = await federation.token('analyst');
    manager = await federation.token('manager', 'demo', 'test-manager');
    police = await federation.representativeToken('police');
    health = await federation.representativeToken('health');
    education = await federation.representativeToken('education');
    const child = subjects.find((s) => s.knownTo.includes('police'))!;
    asked = await refer(child.subject, [
      {
        relationship: 'partner-of-parent',
        givenName: 'Darren',
        familyName: 'Kellett',
        dateOfBirth: '1990-04-12',
      },
    ]);
    notAsked = await refer(subjects.find((s) => s !== child)!.subject);
    await ask(asked, ['police', 'health', 'education']);
    await ask(notAsked, ['health']);
    const file = await http()
      .get(`/api/v1/cases/${asked}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    partnerId = (file.body.members as Array<{ id: string; relationship: string }>).find(
      (m) => m.relationship === 'partner-of-parent',
    )!.id;
  }, 180_000);

  afterAll(async () => {
    await federation.stop();
  });

  it('shows a representative only the cases their agency was asked about, minimised', async () => {
    const list = await http()
      .get('/api/v1/cases')
      .set('Authorization', `Bearer ${police}`)
      .expect(status(200));
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([asked]);
    const other = await http()
      .get(`/api/v1/cases/${notAsked}`)
      .set('Authorization', `Bearer ${police}`)
      .expect(status(404));
    expect(other.body.code).toBe('CASE.NOT_FOUND');

    const view = await http()
      .get(`/api/v1/cases/${asked}`)
      .set('Authorization', `Bearer ${police}`)
      .expect(status(200));
    expect(view.body.answers.length).toBeGreaterThan(0);
    expect(view.body.members).toEqual(
      expect.arrayContaining([
        {
          id: partnerId,
          relationship: 'partner-of-parent',
          givenName: 'Darren',
          familyName: 'Kellett',
        },
      ]),
    );
    // No dates of birth, no consent record, no narrative, no other agency's answers.
    expect(JSON.stringify(view.body)).not.toContain('1990-04-12');
    expect(view.body).not.toHaveProperty('consent');
    expect(view.body).not.toHaveProperty('subject');
    // Their own routes stay closed to them.
    const forbidden = await http()
      .post(`/api/v1/cases/${asked}/queries`)
      .set('Authorization', `Bearer ${police}`)
      .send({ purpose: 'mash-triage' })
      .expect(status(403));
    expect(forbidden.body.code).toBe('AUTH.FORBIDDEN');
  });

  it('lets a representative contribute soft intelligence about a member, governed by their agreement', async () => {
    const soft = {
      kind: 'soft-intelligence',
      text: 'Neighbourhood officers report frequent late-night disturbances at the address.',
      memberId: partnerId,
      confidence: 'medium',
    };
    const made = await http()
      .post(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${police}`)
      .send(soft)
      .expect(status(201));
    expect(made.body).toMatchObject({
      agency: 'police',
      kind: 'soft-intelligence',
      memberId: partnerId,
      purpose: 'mash-triage',
      basis: { agreement: { version: 1 } },
    });
    expect(made.body.basis.legalGateways.length).toBeGreaterThan(0);

    // Not asked about that case; not a member of it; an agency whose agreement covers no adults.
    await http()
      .post(`/api/v1/cases/${notAsked}/contributions`)
      .set('Authorization', `Bearer ${police}`)
      .send(soft)
      .expect(status(404));
    const stranger = await http()
      .post(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${police}`)
      .send({ ...soft, memberId: randomUUID() })
      .expect(status(422));
    expect(stranger.body.code).toBe('CONTRIBUTION.UNKNOWN_MEMBER');
    // Schools' agreement covers children only: nothing about the mother's partner.
    const refused = await http()
      .post(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${education}`)
      .send(soft)
      .expect(status(403));
    expect(refused.body.code).toBe('CONTRIBUTION.NOT_PERMITTED');
    await http()
      .post(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${analyst}`)
      .send(soft)
      .expect(status(403));

    // The text is sealed at rest.
    const rows = await sql<{ text_sealed: string }>(
      'broker',
      'SELECT text_sealed FROM case_contribution WHERE id = $1',
      [made.body.id],
    );
    expect(rows[0].text_sealed).not.toContain('disturbances');

    const all = await http()
      .get(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(all.body).toEqual([expect.objectContaining({ id: made.body.id, text: soft.text })]);
    const healthView = await http()
      .get(`/api/v1/cases/${asked}/contributions`)
      .set('Authorization', `Bearer ${health}`)
      .expect(status(200));
    expect(healthView.body).toEqual([]);
    const file = await http()
      .get(`/api/v1/cases/${asked}`)
      .set('Authorization', `Bearer ${manager}`)
      .expect(status(200));
    expect(file.body.contributions).toEqual([expect.objectContaining({ id: made.body.id })]);
  });

  it("gives an analyst the household's chronology: answers and contributions, each with agency, member, basis and source", async () => {
    const res = await http()
      .get(`/api/v1/cases/${asked}/chronology`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    const items = res.body.items as Array<{
      type: string;
      at: string;
      agency: string;
      member: unknown;
      basis: { legalGateways: unknown[] };
      source: { kind: string };
    }>;
    const answers = items.filter((i) => i.type === 'answer');
    expect([...new Set(answers.map((a) => a.agency))].sort()).toEqual([
      'education',
      'health',
      'police',
    ]);
    // Each answer names the person it is about: the child or a member of the household.
    expect(answers.map((a) => a.member)).toContainEqual(
      expect.objectContaining({ relationship: 'subject' }),
    );
    for (const a of answers) {
      expect(['subject', 'partner-of-parent']).toContain(
        (a.member as { relationship: string }).relationship,
      );
      expect(a.basis).toMatchObject({ purpose: 'mash-triage' });
      expect(a.basis.legalGateways.length).toBeGreaterThan(0);
      expect(a.source.kind).toBe('agency-system');
    }
    const contribution = items.find((i) => i.type === 'contribution')!;
    expect(contribution).toMatchObject({
      agency: 'police',
      member: { id: partnerId, relationship: 'partner-of-parent', name: 'Darren Kellett' },
      source: { kind: 'agency-representative' },
    });
    expect([...items].map((i) => i.at)).toEqual([...items].map((i) => i.at).sort());
    await http()
      .get(`/api/v1/cases/${asked}/chronology`)
      .set('Authorization', `Bearer ${police}`)
      .expect(status(403));
  });

  it('records a strategy discussion and delivers each action to its agency exactly once', async () => {
    const agenda = await http()
      .get('/api/v1/meetings/agenda?date=2026-12-01')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(agenda.body.cases.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([asked, notAsked]),
    );
    const dues = agenda.body.cases.map((c: { dueAt: string }) => c.dueAt);
    expect(dues).toEqual([...dues].sort());
    const repAgenda = await http()
      .get('/api/v1/meetings/agenda?date=2026-12-01')
      .set('Authorization', `Bearer ${police}`)
      .expect(status(200));
    expect(repAgenda.body.cases.map((c: { id: string }) => c.id)).toEqual([asked]);

    const meeting = await http()
      .post('/api/v1/meetings')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        kind: 'strategy-discussion',
        heldAt: '2026-12-01T09:30:00Z',
        attendees: STRATEGY_ATTENDEES,
        cases: [
          {
            caseId: asked,
            decision: 'Section 47 enquiry to proceed; joint visit today.',
            actions: SECTION_47_ACTIONS,
          },
          { caseId: notAsked, decision: 'No further action from this meeting.', actions: [] },
        ],
      })
      .expect(status(201));
    const onAsked = (body: { cases: Array<{ caseId: string; actions: unknown[] }> }) =>
      body.cases.find((c) => c.caseId === asked)!.actions as Array<{
        id: string;
        agency: Agency;
        delivery: { attempts: number };
      }>;
    const actions = onAsked(meeting.body);
    expect(actions.map((a) => a.agency)).toEqual(['police', 'social-care']);

    const stored = await sql<{ attendees_sealed: string }>(
      'broker',
      'SELECT attendees_sealed FROM mash_meeting WHERE id = $1',
      [meeting.body.id],
    );
    expect(stored[0].attendees_sealed).not.toContain('Priya');

    const inbox = (agency: Agency, id: string) =>
      // The inbox lives in the adapter's own database, not the agency's source.
      sql<{ action_id: string }>(
        `adapter_${agency.replace('-', '_')}`,
        'SELECT action_id FROM sdk_action_inbox WHERE action_id = $1',
        [id],
      );
    const delivered = () =>
      eventually(async () => {
        const res = await http()
          .get(`/api/v1/meetings/${meeting.body.id}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200));
        const all = res.body.cases.flatMap((c: { actions: unknown[] }) => c.actions) as Array<{
          delivery: { status: string };
        }>;
        return all.every((a) => a.delivery.status === 'delivered') ? res.body : undefined;
      }, 30_000);
    await delivered();
    for (const a of actions) expect(await inbox(a.agency, a.id)).toHaveLength(1);
    // Each agency received only its own action.
    expect(await inbox('police', actions[1].id)).toHaveLength(0);

    // Sent again (as if the acknowledgement were lost): the adapter acknowledges, records nothing twice.
    await sql(
      'broker',
      `UPDATE mash_meeting_action SET status = 'pending', next_attempt_at = now() - interval '1 minute' WHERE id = $1`,
      [actions[0].id],
    );
    expect(await federation.broker.get(MeetingService).redeliver(new Date())).toBe(1);
    const again = await delivered();
    expect(onAsked(again).find((a) => a.id === actions[0].id)!.delivery.attempts).toBe(2);
    expect(await inbox('police', actions[0].id)).toHaveLength(1);

    // A representative sees the meeting, but only the cases their agency was asked about.
    const repView = await http()
      .get(`/api/v1/meetings/${meeting.body.id}`)
      .set('Authorization', `Bearer ${police}`)
      .expect(status(200));
    expect(repView.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual([asked]);
    await http()
      .post('/api/v1/meetings')
      .set('Authorization', `Bearer ${police}`)
      .send({})
      .expect(status(403));

    await auditSequenced({
      query: (q) => sql('broker', q).then((rows) => ({ rowCount: rows.length })),
    });
    const audited = await sql<{ action: string }>(
      'broker',
      `SELECT DISTINCT action FROM audit_event WHERE action = ANY($1)`,
      [
        [
          'case.contribution.recorded',
          'case.contribution.refused',
          'case.contributions.viewed',
          'case.chronology.viewed',
          'meeting.recorded',
          'case.meeting.decided',
          'case.action.delivered',
          'meeting.viewed',
          'meeting.agenda.viewed',
        ],
      ],
    );
    expect(audited.map((r) => r.action).sort()).toEqual([
      'case.action.delivered',
      'case.chronology.viewed',
      'case.contribution.recorded',
      'case.contribution.refused',
      'case.contributions.viewed',
      'case.meeting.decided',
      'meeting.agenda.viewed',
      'meeting.recorded',
      'meeting.viewed',
    ]);
  });
});
