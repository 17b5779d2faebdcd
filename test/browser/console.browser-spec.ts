/**
 * The console in a real Chromium (Debian's, at /usr/bin/chromium) against the real federation:
 * an analyst works a household referral end to end, a manager approves the consent override, a
 * police representative sees only the case police was asked about and contributes, the analyst
 * reads it in the chronology and records a strategy discussion with an action for police, an auditor finds
 * the analyst's view of the child and verifies the chain, two agreement admins activate a version,
 * and another partnership sees none of it. axe checks every page visited; screenshots of the main
 * pages go to docs/screenshots/.
 */
import { resolve } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import {
  Federation,
  ROOT,
  TEST_DEMO_DIR,
  baseEnv,
  dropDatabases,
  seedSources,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';

const BASE = 'http://127.0.0.1:3900';
/** This file's own checkpoint file: the database is recreated, so older checkpoints must go too. */
const CHECKPOINTS = resolve(ROOT, '.local/test/audit/checkpoints-console.jsonl');
const SCREENSHOTS = resolve(ROOT, 'docs/screenshots');

describe('The MASH console in a browser', () => {
  const federation = new Federation(baseEnv({ AUDIT_CHECKPOINT_FILE: CHECKPOINTS }));
  let browser: Browser;
  let child: DemoSubject;
  let seedSubjects: DemoSubject[];
  let caseId: string;
  /** A case police was never asked about. */
  let notAsked: string;
  /** The brother or sister found later: a twin health and education hold twice under one name. */
  let twin: Awaited<ReturnType<typeof confusedTwin>>;

  beforeAll(async () => {
    await dropDatabases(['broker', 'police', 'health', 'education', 'social-care']);
    rmSync(CHECKPOINTS, { force: true });
    const subjects = seedSources();
    seedSubjects = subjects;
    child = subjects.find((s) => s.knownTo.length === 4) ?? subjects[0];
    twin = await confusedTwin();
    await federation.start();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await federation.stop();
  });

  /**
   * A seeded twin whose health and education records the seed confused (the other twin recorded
   * under this one's name and birth date), so both agencies answer a possible match; the NHS number
   * is health's record of this twin, which the family would give.
   */
  async function confusedTwin() {
    const rows = readFileSync(resolve(TEST_DEMO_DIR, 'truth.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [agency, recordRef, personId, , , twinGroup, corruptions] = line.split(',');
        return { agency, recordRef, personId, twinGroup, confused: corruptions.includes('twin-') };
      });
    const confusedAt = (agency: string, group: string) =>
      rows.find((r) => r.agency === agency && r.twinGroup === group && r.confused);
    const borrowed = rows.find(
      (r) => r.agency === 'health' && r.confused && confusedAt('education', r.twinGroup),
    );
    expect(borrowed).toBeDefined();
    const genuine = rows.find(
      (r) =>
        r.agency === 'health' &&
        r.twinGroup === borrowed!.twinGroup &&
        r.personId !== borrowed!.personId,
    )!;
    const health = new Client({ connectionString: testDatabaseUrl('health') });
    await health.connect();
    try {
      const { rows: found } = await health.query<{
        givenName: string;
        familyName: string;
        dateOfBirth: string;
        nhsNumber: string;
      }>(
        `SELECT given_name AS "givenName", family_name AS "familyName",
                to_char(birth_date, 'YYYY-MM-DD') AS "dateOfBirth", nhs_number AS "nhsNumber"
           FROM patient WHERE patient_id = $1`,
        [genuine.recordRef],
      );
      return found[0];
    } finally {
      await health.end();
    }
  }

  /** No serious or critical accessibility violation on the page as it stands. */
  async function accessible(page: Page): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
      [],
    );
  }

  /** Waits for the element (Playwright waits; jest asserts) and checks its text. */
  async function sees(locator: Locator, text: string): Promise<void> {
    await locator.first().waitFor({ state: 'visible' });
    expect(await locator.first().innerText()).toContain(text);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function signIn(
    role: string,
    userName: string,
    partnership = 'demo',
    agency?: string,
  ): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${BASE}/`);
    expect(await page.locator('h1').count()).toBe(1);
    await page
      .getByLabel(
        role.replace('-', ' ').replace(/^./, (c) => c.toUpperCase()),
        { exact: true },
      )
      .check();
    await page.getByLabel('Partnership').fill(partnership);
    if (agency) await page.getByLabel('Agency (optional)').selectOption(agency);
    await page.getByLabel('User name').fill(userName);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  it('signs in, and shows the error summary when the sign-in form is incomplete', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${BASE}/sign-in`);
    await accessible(page);
    await shot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await sees(page.locator('.govuk-error-summary'), 'Select the role');
    await accessible(page);
    await context.close();
  });

  it('lets an analyst open a household referral, add a member, record consent, see the dry run, ask and read answers; a manager approves the override', async () => {
    const analyst = await signIn('analyst', 'analyst-ann');
    await analyst.getByRole('link', { name: 'New referral' }).first().click();
    // Bad input: the GOV.UK error summary, linked to the fields.
    await analyst.getByRole('button', { name: 'Open the case' }).click();
    const summary = analyst.locator('.govuk-error-summary');
    await sees(summary, 'Enter the child’s given name');
    await sees(summary, 'Enter the child’s date of birth');
    await sees(summary, 'Select at least one concern');
    await accessible(analyst);

    const [year, month, day] = child.subject.dateOfBirth.split('-');
    await analyst.locator('#givenName').fill(child.subject.givenName);
    await analyst.locator('#familyName').fill(child.subject.familyName);
    await analyst.locator('#dateOfBirth-day').fill(day);
    await analyst.locator('#dateOfBirth-month').fill(month);
    await analyst.locator('#dateOfBirth-year').fill(year);
    // "Add a household member" posts the form back with a row and everything typed kept.
    await analyst.getByRole('button', { name: 'Add a household member' }).click();
    expect(await analyst.locator('#givenName').inputValue()).toBe(child.subject.givenName);
    await analyst.locator('#members-0-relationship').selectOption('parent');
    await analyst.locator('#members-0-givenName').fill('Dana');
    await analyst.locator('#members-0-familyName').fill(child.subject.familyName);
    await analyst.locator('#members-0-dateOfBirth-day').fill('12');
    await analyst.locator('#members-0-dateOfBirth-month').fill('4');
    await analyst.locator('#members-0-dateOfBirth-year').fill('1988');
    if (child.subject.postcode)
      await analyst.getByLabel('Postcode (optional)').fill(child.subject.postcode);
    await analyst.getByLabel('Who made the referral').selectOption('education');
    await analyst.getByLabel('Neglect', { exact: false }).first().check();
    await analyst.getByRole('button', { name: 'Check threshold level and deadline' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'This referral would be level');
    await accessible(analyst);
    await shot(analyst, 'new-referral');
    await analyst.getByRole('button', { name: 'Open the case' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'Case opened');
    caseId = /\/cases\/([0-9a-f-]{36})/.exec(analyst.url())![1];
    await sees(analyst.locator('#household table'), 'Parent');
    await accessible(analyst);
    // A member found later: the error summary first, then the member in plain English.
    await analyst.getByRole('button', { name: 'Add to the household' }).click();
    await sees(analyst.locator('.govuk-error-summary'), 'Select who the new member is');
    const [twinYear, twinMonth, twinDay] = twin.dateOfBirth.split('-');
    await analyst.locator('#member-relationship').selectOption('sibling');
    await analyst.locator('#member-givenName').fill(twin.givenName);
    await analyst.locator('#member-familyName').fill(twin.familyName);
    await analyst.locator('#member-dateOfBirth-day').fill(twinDay);
    await analyst.locator('#member-dateOfBirth-month').fill(twinMonth);
    await analyst.locator('#member-dateOfBirth-year').fill(twinYear);
    await analyst.getByRole('button', { name: 'Add to the household' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'Brother or sister added');
    await sees(analyst.locator('#household table'), 'Brother or sister');

    // Consent: not sought, with a reason; it waits for a manager.
    await analyst.getByRole('tab', { name: 'Consent' }).click();
    await analyst.getByLabel('Consent not sought').check();
    await analyst
      .getByLabel('Reason for proceeding without consent')
      .selectOption('risk-of-significant-harm');
    await analyst
      .getByLabel('Why', { exact: true })
      .fill('Seeking consent could place the child at risk of significant harm.');
    await analyst.getByRole('button', { name: 'Record consent decision' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'A manager must approve it');

    const manager = await signIn('manager', 'manager-mo');
    await manager.getByRole('link', { name: 'Consent approvals' }).click();
    await accessible(manager);
    await shot(manager, 'consent-approvals');
    await manager.getByRole('button', { name: 'Approve this decision' }).first().click();
    await sees(manager.locator('.govuk-notification-banner'), 'approved');

    // The dry run in plain English, then the question to the federation.
    await analyst.goto(`${BASE}/cases/${caseId}#ask`);
    await analyst.getByRole('tab', { name: 'Ask the federation' }).click();
    await analyst.getByLabel('Why you are asking').selectOption('mash-triage');
    await analyst.getByRole('button', { name: 'Check what each agency would share' }).click();
    await analyst.locator('#dry-run').first().waitFor({ state: 'visible' });
    await sees(analyst.locator('.govuk-summary-list').last(), 'Police');
    await accessible(analyst);
    await shot(analyst, 'case-dry-run');
    await analyst.getByRole('button', { name: 'Ask the agencies' }).click();
    await sees(analyst.locator('h1'), 'Answers from the agencies');
    // Answers arrive over Kafka and the page redraws them as each agency replies (Server-Sent
    // Events on the session cookie), with no reload: a marker set now must survive.
    await analyst.evaluate(() => Object.assign(globalThis, { mashNoReload: true }));
    expect(await analyst.locator('#answers[data-live-url]').count()).toBe(1);
    await analyst
      .locator('#answers')
      .getByRole('link', { name: 'Refresh answers' })
      .waitFor({ state: 'detached', timeout: 45_000 });
    expect(await analyst.evaluate(() => 'mashNoReload' in globalThis)).toBe(true);
    for (const agency of ['Police', 'Health', 'Education', "Children's social care"])
      await sees(analyst.locator('#answers h2', { hasText: agency }).first(), agency);
    await sees(analyst.locator('#answers'), 'Match');
    // Health cannot tell the twins apart: a possible match, with the way to settle it.
    await sees(
      analyst.locator('#answers h2', { hasText: `Health, about ${twin.givenName}` }),
      'Possible match',
    );
    await accessible(analyst);
    await shot(analyst, 'answers');
  }, 120_000);

  it("lets an analyst settle a possible match with the twin's NHS number and ask again; education's representative says its candidate is not the same person", async () => {
    const analyst = await signIn('analyst', 'analyst-ann');
    await analyst.goto(`${BASE}/cases/${caseId}#matches`);
    const matches = analyst.locator('#matches .mash-match', {
      hasText: `${twin.givenName} ${twin.familyName}`,
    });
    await sees(matches.locator('.govuk-summary-list'), 'Health');
    await sees(matches.locator('.govuk-summary-list'), 'Education');
    await accessible(analyst);
    // A typing slip in the NHS number fails its check digit: the error summary, before any change.
    const typo = `${twin.nhsNumber.slice(0, 9)}${(Number(twin.nhsNumber[9]) + 1) % 10}`;
    await matches.getByLabel('NHS number (optional)').fill(typo);
    await matches.getByRole('button', { name: 'Add these details' }).click();
    await sees(analyst.locator('.govuk-error-summary'), 'its last digit does not check');
    await accessible(analyst);
    await matches
      .getByLabel('NHS number (optional)')
      .fill(twin.nhsNumber.replace(/^(\d{3})(\d{3})/, '$1 $2 '));
    await matches.getByRole('button', { name: 'Add these details' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'NHS number added');
    await sees(matches, 'Already held: NHS number');
    await shot(analyst, 'possible-matches');
    await matches.getByRole('button', { name: 'Ask again about this person' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'Asked again about');
    await analyst
      .locator('#answers')
      .getByRole('link', { name: 'Refresh answers' })
      .waitFor({ state: 'detached', timeout: 45_000 });
    // Only the two agencies that could not tell were asked again, and only about the twin.
    expect(await analyst.locator('#answers h2').count()).toBe(2);
    await sees(analyst.locator('#answers h2', { hasText: 'Health' }), 'Match');
    await sees(analyst.locator('#answers h2', { hasText: 'Education' }), 'Possible match');
    await accessible(analyst);

    const rep = await signIn('agency-representative', 'rep-education', 'demo', 'education');
    await rep.goto(`${BASE}/agency/cases/${caseId}`);
    const newest = rep.locator('form[action*="/resolution"]');
    expect(await newest.count()).toBe(1); // the older possible match was overtaken by the new question
    await accessible(rep);
    await newest.getByRole('button', { name: 'Not the same person' }).click();
    await sees(rep.locator('.govuk-notification-banner'), 'not the same person');
    expect(await rep.locator('form[action*="/resolution"]').count()).toBe(0);

    await analyst.goto(`${BASE}/cases/${caseId}#matches`);
    await sees(matches, 'Settled by asking again: match');
    await sees(matches, 'not the same person');
    expect(await matches.getByRole('button', { name: 'Ask again about this person' }).count()).toBe(
      0,
    );
    await accessible(analyst);
  }, 90_000);

  it('shows a police representative only the case police was asked about, and lets them contribute; the analyst reads it in the chronology', async () => {
    const other = seedSubjects.find((s) => s !== child)!;
    notAsked = await federation.openCaseWithoutConsent(other.subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const rep = await signIn('agency-representative', 'rep-police', 'demo', 'police');
    await sees(rep.locator('h1'), 'Cases your agency was asked about');
    expect(await rep.locator(`a[href="/agency/cases/${caseId}"]`).count()).toBe(1);
    expect(await rep.locator(`a[href="/agency/cases/${notAsked}"]`).count()).toBe(0);
    await accessible(rep);
    // Not asked, so not there: the same page as a case that does not exist.
    await rep.goto(`${BASE}/agency/cases/${notAsked}`);
    await sees(rep.locator('h1'), 'There is a problem');
    expect(await rep.locator('main').innerText()).not.toContain(other.subject.familyName);

    await rep.goto(`${BASE}/agency/cases/${caseId}`);
    await sees(rep.locator('main'), 'Brother or sister');
    await rep.getByRole('button', { name: 'Add the contribution' }).click();
    await sees(rep.locator('.govuk-error-summary'), 'Select what kind of information this is');
    await accessible(rep);
    await rep.getByLabel('Professional judgement').check();
    await rep.getByLabel('The child the case is about').check();
    await rep
      .getByLabel('What your agency knows')
      .fill('Officers attended the address twice last month after neighbours reported shouting.');
    await rep.getByLabel('High').check();
    await rep.getByRole('button', { name: 'Add the contribution' }).click();
    await sees(rep.locator('.govuk-notification-banner'), 'Contribution added');
    await sees(rep.locator('.govuk-summary-card'), 'Officers attended the address');
    await shot(rep, 'representative-case');

    // The day's agenda, read-only for a representative.
    // The day's agenda: the red case police was not asked about is not on the representative's.
    await rep.getByRole('link', { name: 'Daily meeting' }).click();
    await sees(rep.locator('.govuk-inset-text'), 'The MASH team records the meeting');
    expect(await rep.getByRole('button', { name: 'Record this meeting' }).count()).toBe(0);
    expect(await rep.locator(`a[href*="${notAsked}"]`).count()).toBe(0);
    await accessible(rep);

    const analyst = await signIn('analyst', 'analyst-ann');
    await analyst.getByRole('link', { name: 'Daily meeting' }).click();
    await sees(analyst.locator('main table'), 'Physical abuse');
    expect(await analyst.locator(`a[href="/cases/${notAsked}"]`).count()).toBe(1);
    await accessible(analyst);
    await shot(analyst, 'meeting-agenda');
    await analyst.goto(`${BASE}/cases/${caseId}#chronology`);
    await analyst.getByRole('tab', { name: 'Chronology' }).click();
    await sees(analyst.locator('#chronology'), 'Officers attended the address');
    await sees(analyst.locator('#chronology'), 'Professional judgement from rep-police');
    await accessible(analyst);
    await shot(analyst, 'chronology');
  }, 60_000);

  it('lets an analyst record a strategy discussion with an action for police', async () => {
    const analyst = await signIn('analyst', 'analyst-ann');
    await analyst.goto(`${BASE}/cases/${caseId}`);
    await analyst
      .getByRole('link', { name: 'Record a strategy discussion about this case' })
      .click();
    await analyst.getByRole('button', { name: 'Record the meeting' }).click();
    await sees(analyst.locator('.govuk-error-summary'), 'Enter at least one person who attended');
    await accessible(analyst);
    // "Add another" without a script: a round trip that keeps what was typed.
    await analyst.locator('#attendees-0-name').fill('Priya Shah');
    await analyst.getByRole('button', { name: 'Add another attendee' }).click();
    expect(await analyst.locator('#attendees-0-name').inputValue()).toBe('Priya Shah');
    await analyst.locator('#attendees-0-agency').selectOption('social-care');
    await analyst.locator('#attendees-0-role').fill('MASH team manager');
    await analyst.locator('#attendees-4-name').fill('DS Tom Reid');
    await analyst.locator('#attendees-4-agency').selectOption('police');
    await analyst.locator('#attendees-4-role').fill('Child abuse investigation');
    await analyst
      .locator('#cases-0-decision')
      .fill('Threshold for a section 47 enquiry is met; joint visit today.');
    await analyst.locator('#cases-0-actions-0-agency').selectOption('police');
    await analyst.locator('#cases-0-actions-0-action').fill('Joint visit with social care');
    await analyst.locator('#cases-0-actions-0-due-day').fill('2');
    await analyst.locator('#cases-0-actions-0-due-month').fill('12');
    await analyst.locator('#cases-0-actions-0-due-year').fill('2026');
    await analyst.locator('#cases-0-actions-0-dueTime').fill('17:00');
    await shot(analyst, 'meeting-form');
    await analyst.getByRole('button', { name: 'Record the meeting' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'The action has been sent');
    await sees(analyst.locator('h1'), 'Strategy discussion');
    await sees(analyst.locator('main table').last(), 'Joint visit with social care');
    await sees(analyst.locator('main table').last(), 'Police');
    await sees(analyst.locator('main table').first(), 'DS Tom Reid');
    await accessible(analyst);
    await shot(analyst, 'meeting-record');
  }, 60_000);

  it('records an outcome and prints the family report', async () => {
    const analyst = await signIn('analyst', 'analyst-ann');
    const manager = await signIn('manager', 'manager-mo');
    // Outcome, then the family's report.
    await analyst.goto(`${BASE}/cases/${caseId}`);
    await analyst.getByRole('tab', { name: 'Outcome' }).click();
    await analyst.getByRole('button', { name: 'Record the outcome and close the case' }).click();
    await sees(analyst.locator('.govuk-error-summary'), 'Select the outcome');
    await analyst.getByRole('tab', { name: 'Outcome' }).click();
    await analyst.getByLabel('Early help').check();
    await analyst
      .getByLabel('Rationale')
      .last()
      .fill('Needs are met by an early help offer from the school.');
    await analyst.getByRole('button', { name: 'Record the outcome and close the case' }).click();
    await sees(analyst.locator('.govuk-notification-banner'), 'Outcome recorded');
    await analyst.goto(`${BASE}/cases/${caseId}/report`);
    await analyst
      .getByRole('button', { name: 'Print this report' })
      .first()
      .waitFor({ state: 'visible' });
    await accessible(analyst);
    await analyst.emulateMedia({ media: 'print' });
    await shot(analyst, 'transparency-report-print');
    expect(await analyst.locator('.govuk-header').isHidden()).toBe(true);

    // Today's work and the metrics, for the README.
    await manager.goto(`${BASE}/cases`);
    await accessible(manager);
    await shot(manager, 'todays-work');
    await manager.getByRole('link', { name: 'Partnership metrics' }).click();
    await manager.locator('svg.mash-chart').first().first().waitFor({ state: 'visible' });
    await accessible(manager);
    await shot(manager, 'partnership-metrics');

    // The thresholds in force, then side by side with the regional baseline.
    await manager.getByRole('link', { name: 'Thresholds' }).click();
    await sees(manager.locator('main table').first(), 'Neglect');
    await manager.getByLabel('With', { exact: true }).selectOption('current');
    await manager.getByRole('button', { name: 'Compare side by side' }).click();
    await sees(manager.locator('.govuk-error-summary'), 'Select a different matrix');
    await accessible(manager);
    await manager.getByLabel('With', { exact: true }).selectOption('baseline:regional');
    await manager.getByRole('button', { name: 'Compare side by side' }).click();
    await sees(manager.locator('#comparison'), 'Regional baseline regional');
    await sees(manager.locator('main table').nth(2), 'Neglect');
    await accessible(manager);
    await shot(manager, 'thresholds-compare');
  }, 60_000);

  it("lets an auditor find the analyst's view of the child and verify the chain", async () => {
    const auditor = await signIn('auditor', 'auditor-al');
    await auditor.getByLabel('Case reference').fill(caseId);
    await auditor.getByLabel('Action').fill('case.viewed');
    await auditor.getByRole('button', { name: 'Search the log' }).click();
    await sees(auditor.locator('table'), 'analyst-ann');
    await accessible(auditor);
    await shot(auditor, 'audit-search');
    await auditor.getByRole('link', { name: 'Verify the log' }).click();
    await sees(auditor.locator('.govuk-panel'), 'The audit log is intact');
    await accessible(auditor);
    // Operations: every agency's adapter heard from, for any signed-in role.
    await auditor.getByRole('link', { name: 'Agencies' }).click();
    await sees(auditor.locator('h1'), 'Agencies');
    const rows = auditor.locator('table tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    for (const row of await rows.all()) expect(await row.innerText()).toContain('Up');
    await accessible(auditor);
    await shot(auditor, 'operations');
  }, 60_000);

  it('activates an agreement version only with a second admin', async () => {
    const file = resolve(ROOT, 'deploy/agreements/demo/education.yaml');
    const agreement = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const next = stringify({
      ...agreement,
      version: Number(agreement.version) + 1,
      title: `${String(agreement.title)} (revised)`,
    });
    const first = await signIn('agreement-admin', 'admin-ada');
    await first.getByRole('button', { name: 'Upload the draft' }).click();
    await sees(first.locator('.govuk-error-summary'), 'Select an agreement file');
    await first.setInputFiles('#file', {
      name: 'education-v2.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(next),
    });
    await first.getByRole('button', { name: 'Upload the draft' }).click();
    await sees(first.locator('.govuk-notification-banner'), 'Draft version');
    await first.getByRole('button', { name: 'Request activation' }).click();
    await sees(
      first.locator('.govuk-notification-banner'),
      'A second agreement admin must activate',
    );
    await accessible(first);
    const second = await signIn('agreement-admin', 'admin-bea');
    await second.goto(first.url());
    await second.getByRole('button', { name: 'Activate this version' }).click();
    await sees(second.locator('.govuk-notification-banner'), 'is active');
    await second.getByRole('link', { name: /What changed from version/ }).click();
    expect((await second.locator('.mash-diff__added').allInnerTexts()).join('\n')).toContain(
      '(revised)',
    );
    await accessible(second);
    await shot(second, 'agreement-diff');
  }, 60_000);

  it("never shows another partnership's case", async () => {
    const stranger = await signIn('analyst', 'analyst-other', 'elsewhere');
    expect(await stranger.locator('main').innerText()).not.toContain(caseId);
    await stranger.goto(`${BASE}/cases/${caseId}`);
    await sees(stranger.locator('h1'), 'There is a problem');
    expect(await stranger.locator('main').innerText()).not.toContain(child.subject.familyName);
    await accessible(stranger);
  }, 30_000);
});
