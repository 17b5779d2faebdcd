/**
 * A household, end to end through HTTP and the real federation (the story): the seeded
 * step family (a child, a half-sibling, their mother, her partner who is not the children's
 * father, and the grandmother, added later) referred; consent refused by the mother for herself
 * (not for the children); the query asks each agency about each person its agreement covers,
 * nothing about the mother where her refusal applies, the partner's police record released only
 * in the adult categories; a police representative's soft intelligence about the partner; each
 * person's transparency report; a strategy discussion whose actions reach each owning agency's
 * adapter once. Then possible matches settled: an NHS number, a previous surname, and a police
 * representative's rejection.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { Agency } from '@mash/contracts';
import { QueryEventRepository } from '../../apps/broker/src/queries/query-event.repository';
import {
  Federation,
  seededFederation,
  adapterStoreUrl,
  eventually,
  sql,
  status,
  testDatabaseUrl,
} from '../support/federation';
import { SECTION_47_ACTIONS, STRATEGY_ATTENDEES } from '../support/meetings';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];

type Part = {
  agency: Agency;
  memberId?: string;
  relationship?: string;
  decision: 'permit' | 'deny';
  status: string;
  reasons: Array<{ code: string }>;
};

describe('A household referred, asked about person by person', () => {
  const { federation, subjects } = seededFederation(new Federation(), 240_000);
  let analyst: string;
  let auditor: string;
  let manager: string;

  beforeAll(async () => {
    analyst = await federation.token('analyst', 'demo', 'analyst-ann');
    auditor = await federation.token('auditor', 'demo', 'auditor-al');
    manager = await federation.token('manager', 'demo', 'manager-mo');
  });

  const http = () => request(federation.http());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('follows a step family from referral to a strategy discussion, sharing about each person only what their consent and the agreements allow', async () => {
    // The seeded step family: the child, a half-sibling, their mother, her partner (not the
    // children's father, and the suspect in the household's domestic incidents) and the
    // grandmother who lives with them, whom no agency holds.
    // The seed appends it after the other demo children.
    const seeded = subjects[subjects.length - 1];
    expect(seeded.household?.map((m) => m.relationship)).toContain('partner-of-parent');
    const person = (r: string) => seeded.household!.find((m) => m.relationship === r)!;
    const partner = person('partner-of-parent');
    expect(partner.knownTo).toContain('police');
    const strip = ({ knownTo: _k, ...m }: (typeof seeded.household & object)[number]) => m;
    // The police hold his domestic incidents (an occurrence log) as well as his warning markers.
    const held = await sql<{ occurrences: number; warnings: number }>(
      'police',
      `SELECT (SELECT count(*)::int FROM occurrence_person o WHERE o.person_id = p.person_id) AS occurrences,
              (SELECT count(*)::int FROM warning_marker w WHERE w.person_id = p.person_id) AS warnings
         FROM person p WHERE forename = $1 AND surname = $2 AND date_of_birth = $3`,
      [partner.givenName, partner.familyName, partner.dateOfBirth],
    );
    expect(held).toEqual([{ occurrences: expect.any(Number), warnings: expect.any(Number) }]);
    expect(held[0].occurrences).toBeGreaterThan(0);
    expect(held[0].warnings).toBeGreaterThan(0);

    const referral = await http()
      .post('/api/v1/referrals')
      .set(as(analyst))
      .send({
        subject: seeded.subject,
        referrer: { agency: 'police' },
        concerns: ['domestic-abuse'],
        members: ['sibling', 'parent', 'partner-of-parent'].map((r) => strip(person(r))),
      })
      .expect(status(201));
    const caseId = referral.body.id as string;
    // The grandmother is found later and added to the case.
    const grandmother = await http()
      .post(`/api/v1/cases/${caseId}/members`)
      .set(as(analyst))
      .send(strip(person('other-adult')))
      .expect(status(201));

    const file = await http().get(`/api/v1/cases/${caseId}`).set(as(analyst)).expect(status(200));
    const members = file.body.members as Array<{
      id: string;
      relationship: string;
      givenName: string;
    }>;
    expect(members.map((m) => m.relationship)).toEqual([
      'subject',
      'sibling',
      'parent',
      'partner-of-parent',
      'other-adult',
    ]);
    expect(members[4].id).toBe(grandmother.body.id);
    const id = (r: string) => members.find((m) => m.relationship === r)!.id;

    // The mother consents for the children but refuses for herself, for police and health.
    await http()
      .put(`/api/v1/cases/${caseId}/consent`)
      .set(as(analyst))
      .send({
        status: 'given',
        justification: 'mother agreed for the children at the home visit',
        givenBy: 'parent-with-parental-responsibility',
        understood: true,
      })
      .expect(status(200));
    await http()
      .put(`/api/v1/cases/${caseId}/consent`)
      .set(as(analyst))
      .send({
        // No reason: the refusal is respected, not overridden.
        status: 'refused',
        justification: 'mother refused for herself; her own records are not to be sought',
        memberId: id('parent'),
        agencies: ['police', 'health'],
        givenBy: 'self',
        understood: true,
      })
      .expect(status(200));
    for (const who of ['sibling', 'partner-of-parent', 'other-adult'])
      await http()
        .put(`/api/v1/cases/${caseId}/consent`)
        .set(as(analyst))
        .send({
          status: 'given',
          justification: 'agreed to checks at the home visit',
          memberId: id(who),
          givenBy: who === 'sibling' ? 'parent-with-parental-responsibility' : 'self',
          understood: true,
        })
        .expect(status(200));

    // The dry run explains each person's decision per agency; the partner's police share is adults-only.
    const dry = await http()
      .post(`/api/v1/cases/${caseId}/queries/dry-run`)
      .set(as(analyst))
      .send({ purpose: 'mash-triage' })
      .expect(status(200));
    type Dry = {
      agency: string;
      memberId?: string;
      decision: string;
      explanation: string;
      obligations: { categories: Array<{ name: string }> };
    };
    const dryFor = (agency: string, memberId?: string) =>
      (dry.body as Dry[]).find((d) => d.agency === agency && d.memberId === memberId)!;
    expect(
      dryFor('police', id('partner-of-parent')).obligations.categories.map((c) => c.name),
    ).toEqual(['warnings']);
    expect(
      dryFor('police')
        .obligations.categories.map((c) => c.name)
        .sort(),
    ).toEqual(['occurrences', 'warnings']);
    expect(dryFor('education', id('partner-of-parent')).decision).toBe('deny');
    expect(dryFor('police', id('parent')).explanation).toMatch(/refused/i);

    const created = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set(as(analyst))
      .send({ purpose: 'mash-triage' })
      .expect(status(202));
    const done = await eventually(async () => {
      const res = await http()
        .get(`/api/v1/queries/${created.body.id}`)
        .set(as(analyst))
        .expect(status(200));
      return res.body.status === 'pending'
        ? undefined
        : (res.body as {
            status: string;
            agencies: Array<Part & { records?: Record<string, unknown[]> }>;
          });
    }, 60_000);
    const part = (agency: string, memberId?: string) =>
      done.agencies.find((a) => a.agency === agency && a.memberId === memberId);

    // The child keeps the shape clients know (no memberId): every agency holds and found them.
    for (const agency of ALL)
      expect(part(agency)).toMatchObject({ decision: 'permit', status: 'match' });
    expect(Object.keys(part('police')!.records ?? {})).toContain('occurrences');
    // Nothing is asked about the mother where her refusal applies; elsewhere she is asked about.
    for (const agency of ['police', 'health']) {
      const p = part(agency, id('parent'))!;
      expect(p).toMatchObject({ decision: 'deny', status: 'denied', relationship: 'parent' });
      expect(p.reasons.map((r) => r.code)).toContain('POLICY.CONSENT_REFUSED');
      expect(p.records).toBeUndefined();
    }
    // Schools are not asked about adults; the children are asked about everywhere.
    for (const who of ['parent', 'partner-of-parent', 'other-adult'])
      expect(part('education', id(who))?.reasons.map((r) => r.code)).toContain(
        'POLICY.RELATIONSHIP_NOT_COVERED',
      );
    for (const agency of ALL)
      expect(part(agency, id('sibling'))).toMatchObject({ decision: 'permit' });
    // The partner's police record: found, and released only in the adult categories (warning
    // markers), never the occurrence log the force holds about him.
    const his = part('police', id('partner-of-parent'))!;
    expect(his).toMatchObject({ decision: 'permit', status: 'match' });
    expect(Object.keys(his.records ?? {})).toEqual(['warnings']);
    expect(his.records!.warnings.length).toBe(held[0].warnings);
    // No agency holds the grandmother.
    for (const agency of ['police', 'health', 'social-care'])
      expect(part(agency, id('other-adult'))).toMatchObject({ status: 'no-match' });
    // Every permitted person got an answer of their own from the agency.
    for (const p of done.agencies.filter((a) => a.decision === 'permit'))
      expect(['match', 'possible-match', 'no-match']).toContain(p.status);

    // The audit log holds a policy decision per person and agency, naming the member.
    const audit = await eventually(async () => {
      const res = await http()
        .get('/api/v1/audit/events')
        .query({ case: caseId, action: 'policy.decision', limit: 100 })
        .set(as(auditor))
        .expect(status(200));
      const items = res.body.items as Array<{ details: { memberId: string } }>;
      return items.length >= ALL.length * members.length ? items : undefined;
    }, 20_000);
    expect(new Set(audit.map((e) => e.details.memberId))).toEqual(
      new Set(members.map((m) => m.id)),
    );

    // A police representative adds soft intelligence about the partner; it is shown with the answers.
    const police = await federation.representativeToken('police');
    const soft = await http()
      .post(`/api/v1/cases/${caseId}/contributions`)
      .set(as(police))
      .send({
        kind: 'soft-intelligence',
        text: 'Neighbourhood officers hear of arguments at the address most weekends.',
        memberId: id('partner-of-parent'),
        confidence: 'medium',
      })
      .expect(status(201));
    expect(soft.body).toMatchObject({
      agency: 'police',
      kind: 'soft-intelligence',
      memberId: id('partner-of-parent'),
      purpose: 'mash-triage',
    });
    const chronology = await http()
      .get(`/api/v1/cases/${caseId}/chronology`)
      .set(as(analyst))
      .expect(status(200));
    expect(chronology.body.items).toContainEqual(
      expect.objectContaining({
        type: 'contribution',
        agency: 'police',
        member: expect.objectContaining({ relationship: 'partner-of-parent' }),
      }),
    );

    // Each person's transparency report tells only what was shared about them.
    const report = async (memberId?: string) =>
      (
        await http()
          .get(`/api/v1/cases/${caseId}/transparency-report`)
          .query(memberId ? { member: memberId } : {})
          .set(as(manager))
          .expect(status(200))
      ).body as {
        title: string;
        agencies: Array<{ agency: string; kindsOfInformation: Array<{ category: string }> }>;
        consent: { status: string };
      };
    const hisReport = await report(id('partner-of-parent'));
    expect(hisReport.title).toBe('What happened to information about you');
    expect(
      hisReport.agencies
        .find((a) => a.agency === 'police')!
        .kindsOfInformation.map((k) => k.category),
    ).toEqual(['warnings']);
    const herReport = await report(id('parent'));
    expect(herReport.consent.status).toBe('refused');
    expect(herReport.agencies.map((a) => a.agency)).not.toContain('police');
    const childReport = await report();
    expect(
      childReport.agencies
        .find((a) => a.agency === 'police')!
        .kindsOfInformation.map((k) => k.category),
    ).toContain('occurrences');

    // The strategy discussion: attendees from each agency, joined virtually; a decision and
    // actions, each delivered once to the owning agency's adapter.
    const meeting = await http()
      .post('/api/v1/meetings')
      .set(as(manager))
      .send({
        kind: 'strategy-discussion',
        heldAt: '2026-12-01T10:00:00Z',
        attendees: STRATEGY_ATTENDEES,
        cases: [
          {
            caseId,
            decision: 'Section 47 enquiry; the partner is not to have unsupervised contact.',
            actions: SECTION_47_ACTIONS,
          },
        ],
      })
      .expect(status(201));
    const actions = (
      meeting.body.cases as Array<{ actions: Array<{ id: string; agency: Agency }> }>
    )[0].actions;
    expect(actions.map((a) => a.agency)).toEqual(['police', 'social-care']);
    const recorded = await eventually(async () => {
      const res = await http()
        .get(`/api/v1/meetings/${meeting.body.id}`)
        .set(as(analyst))
        .expect(status(200));
      const all = res.body.cases[0].actions as Array<{ delivery: { status: string } }>;
      return all.every((a) => a.delivery.status === 'delivered') ? res.body : undefined;
    }, 30_000);
    expect(recorded).toMatchObject({
      kind: 'strategy-discussion',
      attendees: expect.arrayContaining([
        expect.objectContaining({ name: 'DC Tom Reeves', agency: 'police' }),
      ]),
      cases: [expect.objectContaining({ caseId, decision: expect.stringMatching(/Section 47/) })],
    });
    const inbox = (agency: Agency) =>
      sql<{ action_id: string }>(
        `adapter_${agency.replace('-', '_')}`,
        'SELECT action_id FROM sdk_action_inbox WHERE action_id = ANY($1)',
        [actions.map((a) => a.id)],
      );
    // Each owning agency's adapter holds its own action, once, and not the other's.
    expect((await inbox('police')).map((r) => r.action_id)).toEqual([actions[0].id]);
    expect((await inbox('social-care')).map((r) => r.action_id)).toEqual([actions[1].id]);
    expect(await inbox('health')).toEqual([]);
  });

  it('settles a possible match by an NHS number, and lets the agency reject another', async () => {
    // The agencies' own systems hold twins under one name and birth date (as twins often are):
    // health tells them apart by NHS number; police cannot.
    const twin = {
      given: 'Ellis',
      family: `Tanager-${randomUUID().slice(0, 6)}`,
      dob: '2017-03-09',
    };
    const [nhsNumber, otherNhsNumber] = ['9731642080', '9731642099'];
    // Health also holds a boy under the surname he had before he took his step-father's, at the
    // address the family left.
    const renamed = {
      given: 'Rowan',
      before: `Marsh-${randomUUID().slice(0, 6)}`,
      now: `Kestrel-${randomUUID().slice(0, 6)}`,
      dob: '2015-07-21',
    };
    const health = new Client({ connectionString: testDatabaseUrl('health') });
    const police = new Client({ connectionString: testDatabaseUrl('police') });
    const refs = {
      health: [randomUUID(), randomUUID(), randomUUID()],
      police: [randomUUID(), randomUUID()],
    };
    await health.connect();
    await police.connect();
    try {
      await health.query(
        `INSERT INTO patient (patient_id, family_name, given_name, birth_date, gender, address_line, address_postcode)
         VALUES ($1, $2, $3, $4, 'male', '31 Tanners Way', 'NN1 5LP')`,
        [refs.health[2], renamed.before, renamed.given, renamed.dob],
      );
      for (const [i, ref] of refs.health.slice(0, 2).entries())
        await health.query(
          `INSERT INTO patient (patient_id, nhs_number, family_name, given_name, birth_date, gender, address_line, address_postcode)
           VALUES ($1, $2, $3, $4, $5, 'female', '9 Wren Close', 'NN2 6JD')`,
          [ref, [nhsNumber, otherNhsNumber][i], twin.family, twin.given, twin.dob],
        );
      for (const ref of refs.police) {
        await police.query(
          `INSERT INTO person (person_id, surname, forename, date_of_birth, sex) VALUES ($1, $2, $3, $4, 'F')`,
          [ref, twin.family, twin.given, twin.dob],
        );
        await police.query(
          `INSERT INTO person_address (person_id, address_line, town, postcode) VALUES ($1, '9 Wren Close', 'Northampton', 'NN2 6JD')`,
          [ref],
        );
      }
    } finally {
      await health.end();
      await police.end();
    }
    // Both adapters have indexed the new records before anyone asks.
    for (const agency of ['health', 'police'] as const) {
      const store = new Client({ connectionString: adapterStoreUrl(agency) });
      await store.connect();
      try {
        await eventually(async () => {
          const res = await store.query(
            'SELECT DISTINCT subject_ref FROM match_key WHERE subject_ref = ANY($1::text[])',
            [refs[agency]],
          );
          return res.rowCount === refs[agency].length ? true : undefined;
        }, 30_000);
      } finally {
        await store.end();
      }
    }

    const child = subjects.find((s) => s.knownTo.includes('health'))!.subject;
    const caseId = await federation.openCaseWithoutConsent(child, {
      referrer: { agency: 'education' },
      concerns: ['neglect'],
    });
    const addSibling = async (givenName: string, familyName: string, dob: string, sex: string) => {
      const added = await http()
        .post(`/api/v1/cases/${caseId}/members`)
        .set(as(analyst))
        .send({
          relationship: 'sibling',
          givenName,
          familyName,
          dateOfBirth: dob,
          sex,
          postcode: 'NN2 6JD',
        })
        .expect(status(201));
      return added.body.id as string;
    };
    const memberId = await addSibling(twin.given, twin.family, twin.dob, 'female');
    const renamedId = await addSibling(renamed.given, renamed.now, renamed.dob, 'male');
    const ask = async () => {
      const created = await http()
        .post(`/api/v1/cases/${caseId}/queries`)
        .set(as(analyst))
        .send({
          purpose: 'mash-triage',
          agencies: ['health', 'police'],
          memberIds: [memberId, renamedId],
        })
        .expect(status(202));
      const done = await eventually(async () => {
        const res = await http()
          .get(`/api/v1/queries/${created.body.id}`)
          .set(as(analyst))
          .expect(status(200));
        return res.body.status === 'pending' ? undefined : (res.body as { agencies: Part[] });
      }, 60_000);
      const of = (agency: string, who = memberId) =>
        done.agencies.find((a) => a.agency === agency && a.memberId === who)!;
      return {
        id: created.body.id as string,
        health: of('health'),
        police: of('police'),
        renamed: of('health', renamedId),
      };
    };
    const first = await ask();
    expect(first.health.status).toBe('possible-match');
    expect(first.police.status).toBe('possible-match');
    // Asked by his name today, health cannot be sure of the boy it holds under his former one.
    expect(first.renamed.status).toBe('possible-match');

    // (a) The analyst adds the NHS number the family gave and asks health again: a match.
    await http()
      .patch(`/api/v1/cases/${caseId}/members/${memberId}`)
      .set(as(analyst))
      .send({ identifiers: { nhsNumber } })
      .expect(status(200));
    // (a') The family gives the boy's former surname: asked again, health finds him.
    await http()
      .patch(`/api/v1/cases/${caseId}/members/${renamedId}`)
      .set(as(analyst))
      .send({ previousFamilyNames: [renamed.before] })
      .expect(status(200));
    const second = await ask();
    expect(second.health).toMatchObject({
      status: 'match',
      match: { method: 'deterministic:nhsNumber' },
    });
    expect(second.renamed).toMatchObject({ status: 'match', match: { method: 'probabilistic' } });

    // (b) Police look at their twins and reject the candidate; only police may, only once.
    const rep = await federation.representativeToken('police');
    // Settling is not the agency answering again: it does not count towards its answer rate.
    const answered = async () =>
      (await federation.broker.get(QueryEventRepository).answered(['police'], 3600)).get('police')!
        .answered;
    const answeredBefore = await answered();
    const other = await federation.representativeToken('education');
    await http()
      .post(`/api/v1/queries/${first.id}/resolution`)
      .set(as(other))
      .send({ memberId, decision: 'reject' })
      .expect(status(404));
    const resolved = await http()
      .post(`/api/v1/queries/${first.id}/resolution`)
      .set(as(rep))
      .send({ memberId, decision: 'reject', note: 'neither twin is the child described' })
      .expect(status(200));
    expect(resolved.body).toMatchObject({
      agency: 'police',
      decision: 'reject',
      status: 'no-match',
    });
    expect(await answered()).toBe(answeredBefore);
    const again = await http()
      .post(`/api/v1/queries/${first.id}/resolution`)
      .set(as(rep))
      .send({ memberId, decision: 'confirm' })
      .expect(status(409));
    expect(again.body.code).toBe('QUERY.NOT_POSSIBLE_MATCH');
    const view = await http()
      .get(`/api/v1/queries/${first.id}`)
      .set(as(analyst))
      .expect(status(200));
    expect(
      (view.body.agencies as Array<Part & { resolution?: unknown }>).find(
        (a) => a.agency === 'police' && a.memberId === memberId,
      ),
    ).toMatchObject({
      status: 'no-match',
      resolution: { decision: 'reject', note: 'neither twin is the child described' },
    });

    // Both are in the audit log, with field names and decisions, never the values.
    const events = async (action: string) =>
      (
        await http()
          .get('/api/v1/audit/events')
          .query({ case: caseId, action })
          .set(as(auditor))
          .expect(status(200))
      ).body.items as Array<{ actorRole: string; details: Record<string, unknown> }>;
    const updated = await events('case.member.updated');
    expect(updated).toHaveLength(2);
    expect(updated.map((e) => e.details)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ memberId: renamedId, fields: ['previousFamilyNames'] }),
        expect.objectContaining({
          memberId,
          relationship: 'sibling',
          fields: ['identifiers.nhsNumber'],
        }),
      ]),
    );
    expect(JSON.stringify(updated)).not.toContain(nhsNumber);
    expect(JSON.stringify(updated)).not.toContain(renamed.before);
    const settled = await events('query.match.resolved');
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({
      actorRole: 'agency-representative',
      details: { memberId, decision: 'reject', status: 'no-match' },
    });
    expect(JSON.stringify(settled)).not.toContain('twin is the child');
  });

  it("refers a seeded household; an adult's police record is released only in adult categories", async () => {
    // A demo child whose seeded household includes an adult the police hold (a warning marker).
    const seeded = subjects.find((s) =>
      s.household?.some((m) => m.relationship === 'parent' && m.knownTo.includes('police')),
    )!;
    const adult = seeded.household!.find(
      (m) => m.relationship === 'parent' && m.knownTo.includes('police'),
    )!;
    expect(seeded.household!.every((m) => m.postcode === seeded.subject.postcode)).toBe(true);
    // Police also hold an occurrence naming her, which the agreement does not share about an adult.
    const police = new Client({ connectionString: testDatabaseUrl('police') });
    await police.connect();
    let pncId: string;
    try {
      const held = await police.query(
        'SELECT pnc_id FROM person WHERE forename = $1 AND surname = $2 AND date_of_birth = $3',
        [adult.givenName, adult.familyName, adult.dateOfBirth],
      );
      pncId = (held.rows as Array<{ pnc_id: string }>)[0].pnc_id;
      await police.query(
        `INSERT INTO occurrence_person (occurrence_id, person_id, role)
         SELECT (SELECT occurrence_id FROM occurrence ORDER BY occurrence_ref LIMIT 1), person_id, 'suspect'
           FROM person WHERE forename = $1 AND surname = $2 AND date_of_birth = $3
         ON CONFLICT DO NOTHING`,
        [adult.givenName, adult.familyName, adult.dateOfBirth],
      );
    } finally {
      await police.end();
    }
    const members = seeded.household!.map(({ knownTo: _k, ...m }) => m);
    const referral = await http()
      .post('/api/v1/referrals')
      .set(as(analyst))
      .send({
        subject: seeded.subject,
        referrer: { agency: 'health' },
        concerns: ['domestic-abuse'],
        members,
      })
      .expect(status(201));
    const caseId = referral.body.id as string;
    const file = await http().get(`/api/v1/cases/${caseId}`).set(as(analyst)).expect(status(200));
    const people = file.body.members as Array<{ id: string; dateOfBirth: string }>;
    const adultId = people.find((m) => m.dateOfBirth === adult.dateOfBirth)!.id;
    // Consent is not sought from anyone: asking could put the children at risk.
    for (const [i, person] of people.entries())
      await http()
        .put(`/api/v1/cases/${caseId}/consent`)
        .set(as(manager))
        .send({
          status: 'not-sought',
          reason: 'risk-of-significant-harm',
          justification: 'Seeking consent could place the children at risk of significant harm.',
          ...(i === 0 ? {} : { memberId: person.id }),
        })
        .expect(status(200));
    const ask = async (memberIds?: string[]) => {
      const created = await http()
        .post(`/api/v1/cases/${caseId}/queries`)
        .set(as(analyst))
        .send({ purpose: 'mash-triage', agencies: ['police'], ...(memberIds ? { memberIds } : {}) })
        .expect(status(202));
      return eventually(async () => {
        const res = await http()
          .get(`/api/v1/queries/${created.body.id}`)
          .set(as(analyst))
          .expect(status(200));
        return res.body.status === 'pending'
          ? undefined
          : (res.body as { agencies: Array<Part & { records?: Record<string, unknown[]> }> });
      }, 60_000);
    };
    const done = await ask();
    // The force's record of her is out of date (another address): a possible match, not a guess.
    expect(done.agencies.find((a) => a.memberId === adultId)).toMatchObject({
      decision: 'permit',
      status: 'possible-match',
    });
    // The police give the analyst her PNC ID; asked again about her alone, she is found.
    await http()
      .patch(`/api/v1/cases/${caseId}/members/${adultId}`)
      .set(as(analyst))
      .send({ identifiers: { pncId } })
      .expect(status(200));
    const again = await ask([adultId]);
    const theirs = again.agencies.find((a) => a.memberId === adultId)!;
    expect(theirs).toMatchObject({ decision: 'permit', status: 'match' });
    expect(Object.keys(theirs.records ?? {})).toEqual(['warnings']);
    expect(theirs.records!.warnings.length).toBeGreaterThan(0);
    // The child's own answer carries the categories a child's may.
    const childs = done.agencies.find((a) => a.memberId === undefined)!;
    expect(Object.keys(childs.records ?? {})).toContain('occurrences');
  });
});
