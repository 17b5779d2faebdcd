import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '@mash/common';
import { MEMBER_RELATIONSHIPS, PURPOSES } from '@mash/contracts';
import { CONSENT_REASONS } from '@mash/policy';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { CaseFileService } from '../case-file/case-file.service';
import { ChronologyService } from '../case-file/chronology.service';
import { ReferralSchema, RerateSchema, type MemberDto } from '../cases/case.dto';
import { CaseService } from '../cases/case.service';
import { MemberService } from '../cases/member.service';
import { uuidParam } from '../common/ids';
import { ConsentSchema, type ConsentDto } from '../consent/consent.dto';
import { ConsentService } from '../consent/consent.service';
import { OutcomeSchema } from '../outcomes/outcome.dto';
import { OutcomeService } from '../outcomes/outcome.service';
import { CreateQuerySchema } from '../queries/query.dto';
import { QueryService } from '../queries/query.service';
import { writeQueryEvents } from '../queries/query-events.http';
import { QueryEventsService } from '../queries/query-events.service';
import { TransparencyService } from '../transparency/transparency.service';
import { WithholdSchema } from '../transparency/transparency.dto';
import { ConsolePages } from './decorators';
import {
  addError,
  dateInput,
  hasErrors,
  list,
  formResult,
  mergeErrors,
  noErrors,
  parseForm,
  text,
  type FormErrors,
  type ParsedForm,
} from './forms';
import { MAX_REFERRAL_MEMBERS, memberFromForm, referralMemberRows } from './household';
import { possibleMatches, SETTLE_FIELDS, settleFieldId, settleFromForm } from './matches';
import { ConsoleSessions } from './session';
import { ConsoleViews, RELATIONSHIP_LABELS } from './views';

type Req_ = Request & { user: Principal };
type Form = Record<string, unknown>;

const OUTCOMES = OutcomeSchema.shape.outcome.options;
const RAGS = ['red', 'amber', 'green'] as const;
const NO_CONSENT_REASON = 'Select the reason for proceeding without consent';

/**
 * The analyst's and manager's pages: today's work, a new referral, the case with its consent, the
 * dry run, the question to the federation and its answers, re-rating, the outcome and the family's
 * report. Each action calls the same service method as the API, with the signed-in principal.
 */
@ConsolePages()
@Controller()
export class CasesConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly cases: CaseService,
    private readonly caseFile: CaseFileService,
    private readonly chronology: ChronologyService,
    private readonly members: MemberService,
    private readonly consent: ConsentService,
    private readonly queries: QueryService,
    private readonly queryEvents: QueryEventsService,
    private readonly outcomes: OutcomeService,
    private readonly transparency: TransparencyService,
    private readonly clock: Clock,
  ) {}

  @Get('cases')
  @Roles('analyst', 'manager')
  async today(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const { items } = await this.cases.list(req.user, { status: 'open', limit: 200, offset: 0 });
    const byDue = [...items].sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'));
    await this.views.page(req, res, 'cases.njk', {
      title: "Today's work",
      cases: byDue,
      overdue: byDue.filter((c) => c.overdue).length,
    });
  }

  @Get('referrals/new')
  @Roles('analyst')
  async newReferral(@Req() req: Req_, @Res() res: Response): Promise<void> {
    await this.referralPage(req, res, {}, noErrors());
  }

  @Post('referrals/new')
  @Roles('analyst')
  async openReferral(@Req() req: Req_, @Res() res: Response, @Body() form: Form): Promise<void> {
    if (form.action === 'add-member') {
      const rows = Math.min(MAX_REFERRAL_MEMBERS, referralMemberRows(form.memberRows) + 1);
      await this.referralPage(req, res, { ...form, memberRows: String(rows) }, noErrors(), 200, {
        focus: `members-${rows - 1}-relationship`,
      });
      return;
    }
    const errors = noErrors();
    const dob = dateInput(
      form['dateOfBirth-day'],
      form['dateOfBirth-month'],
      form['dateOfBirth-year'],
    );
    if ('problem' in dob)
      addError(
        errors,
        'dateOfBirth',
        dob.problem === 'missing'
          ? 'Enter the child’s date of birth'
          : 'Date of birth must be a real date, for example 27 3 2015',
      );
    const concerns = list(form.concerns);
    const members: MemberDto[] = [];
    for (let i = 0; i < referralMemberRows(form.memberRows); i++) {
      const member = memberFromForm(form, `members-${i}-`, errors, `household member ${i + 1}`);
      if (member) members.push(member);
    }
    const candidate = {
      subject: {
        givenName: text(form.givenName),
        familyName: text(form.familyName),
        dateOfBirth: 'date' in dob ? dob.date : undefined,
        ...(text(form.postcode) ? { postcode: text(form.postcode) } : {}),
        ...(text(form.nhsNumber)
          ? { identifiers: { nhsNumber: text(form.nhsNumber)?.replace(/\s/g, '') } }
          : {}),
      },
      referrer: {
        agency: text(form.referrerAgency),
        ...(text(form.referrerName) ? { name: text(form.referrerName) } : {}),
      },
      concerns,
      ...(text(form.narrative) ? { narrative: text(form.narrative) } : {}),
      ...(members.length ? { members } : {}),
    };
    const parsed = parseForm(ReferralSchema, candidate, {
      'subject.givenName': { id: 'givenName', message: 'Enter the child’s given name' },
      'subject.familyName': { id: 'familyName', message: 'Enter the child’s family name' },
      'subject.dateOfBirth': { id: 'dateOfBirth', message: 'Enter the child’s date of birth' },
      'subject.postcode': { id: 'postcode', message: 'Enter a real postcode' },
      'subject.identifiers': { id: 'nhsNumber', message: 'Enter a 10-digit NHS number' },
      'referrer.agency': { id: 'referrerAgency', message: 'Select who made the referral' },
      'referrer.name': {
        id: 'referrerName',
        message: 'Enter the referrer’s name in 200 characters or fewer',
      },
      concerns: { id: 'concerns', message: 'Select at least one concern' },
      narrative: {
        id: 'narrative',
        message: 'The referral’s account must be 20,000 characters or fewer',
      },
    });
    if (!parsed.success) mergeErrors(errors, parsed.errors);
    if (hasErrors(errors) || !parsed.success) {
      await this.referralPage(req, res, form, errors, 400);
      return;
    }
    if (form.action === 'check') {
      const assessment = this.cases.assess(req.user.partnership, concerns);
      await this.referralPage(req, res, form, errors, 200, { assessment });
      return;
    }
    const opened = await this.cases.openFromReferral(req.user, parsed.data);
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/cases/${opened.id}`,
      opened.status === 'signposted'
        ? `Referral recorded and signposted: level ${opened.level}, ${opened.rag.toUpperCase()}.`
        : `Case opened: level ${opened.level}, ${opened.rag.toUpperCase()}, to be decided by ${formatDue(opened.dueAt)}.`,
    );
  }

  @Get('cases/:id')
  @Roles('analyst', 'manager')
  async casePage(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    await this.renderCase(req, res, id, {});
  }

  @Post('cases/:id/consent')
  @Roles('analyst', 'manager')
  async recordConsent(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    await this.submit(req, res, id, 'consentForm', form, parseConsentForm(form), async (data) => {
      const recorded = (await this.consent.record(req.user, id, data)) as { approval: string };
      return {
        to: `/cases/${id}#consent`,
        flash:
          recorded.approval === 'pending-manager-approval'
            ? 'Consent decision recorded. A manager must approve it before agencies that need approval share.'
            : 'Consent decision recorded.',
      };
    });
  }

  /** A household member found after the referral: a sibling, a parent's new partner, … */
  @Post('cases/:id/members')
  @Roles('analyst')
  async addMember(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    const errors = noErrors();
    const member = memberFromForm(form, 'member-', errors, 'the new member', true);
    const parsed = formResult(errors, member);
    await this.submit(req, res, id, 'memberForm', form, parsed, async (data) => {
      const added = await this.members.add(req.user, id, data);
      return {
        to: `/cases/${id}#household`,
        flash: `${RELATIONSHIP_LABELS[added.relationship]} added to the household.`,
      };
    });
  }

  /**
   * "Add what would settle it": an identifier (or the postcode) added to the person a possible
   * match is about, through the API's member update (audited as `case.member.updated`).
   */
  @Post('cases/:id/members/:memberId/settle')
  @Roles('analyst')
  async settle(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('memberId', uuidParam) memberId: string,
    @Body() form: Form,
  ): Promise<void> {
    const parsed = settleFromForm(form, memberId);
    await this.submit(req, res, id, 'settleForm', form, parsed, async (update) => {
      const updated = await this.members.update(req.user, id, memberId, update);
      const added = [
        ...Object.keys(update.identifiers ?? {}).map(
          (k) => SETTLE_FIELDS.find((f) => f.name === k)?.label ?? k,
        ),
        ...(update.previousFamilyNames ? ['Previous family name'] : []),
        ...(update.postcode ? ['Postcode'] : []),
      ].join(' and ');
      return {
        to: `/cases/${id}#matches`,
        flash: `${added} added for ${personName(updated)}. Ask again about this person to settle the match.`,
      };
    });
  }

  /**
   * "Ask again about this person": the agencies whose latest answer about them is still a possible
   * match are asked again, about that person only (`memberIds`), for the same purpose. The
   * agencies and purpose come from the case, not the form, and no other agency is asked again.
   */
  @Post('cases/:id/members/:memberId/ask-again')
  @Roles('analyst')
  async askAgain(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('memberId', uuidParam) memberId: string,
    @Body() form: Form,
  ): Promise<void> {
    const queries = await this.queries.forCase(req.user, id);
    const members = await this.members.list(req.user.partnership, id);
    const person = possibleMatches(queries, members).find((p) => p.memberId === memberId);
    if (!person?.open.length) {
      await this.sessions.flashAndRedirect(
        req,
        res,
        `/cases/${id}#matches`,
        'No agency has a possible match about that person left to settle.',
      );
      return;
    }
    const justification = text(form.justification);
    const parsed = CreateQuerySchema.safeParse({
      purpose: person.open[0].purpose,
      agencies: [...new Set(person.open.map((m) => m.agency))],
      memberIds: [memberId],
      ...(justification ? { justification } : {}),
    });
    if (!parsed.success) {
      const errors = noErrors();
      addError(
        errors,
        settleFieldId(memberId, 'justification'),
        'The justification must be at least 10 characters',
      );
      await this.renderCase(req, res, id, { errors, settleForm: form }, 400);
      return;
    }
    const query = await this.queries.create(req.user, id, parsed.data);
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/cases/${id}/queries/${query.id}`,
      `Asked again about ${person.name || 'this person'}.`,
    );
  }

  /** The dry run: what each agency would share, and why, in plain English. Sends nothing. */
  @Post('cases/:id/dry-run')
  @Roles('analyst', 'manager')
  async dryRun(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    const parsed = parseAskForm(form);
    if (!parsed.success) {
      await this.renderCase(req, res, id, { errors: parsed.errors, askForm: form }, 400);
      return;
    }
    const dryRun = await this.queries.dryRun(req.user, id, parsed.data);
    await this.renderCase(req, res, id, { dryRun, askForm: form });
  }

  @Post('cases/:id/queries')
  @Roles('analyst')
  async ask(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    await this.submit(req, res, id, 'askForm', form, parseAskForm(form), async (data) => {
      const query = await this.queries.create(req.user, id, data);
      return { to: `/cases/${id}/queries/${query.id}`, flash: 'The agencies have been asked.' };
    });
  }

  /**
   * The answers as they stand; while the query is pending the page names its event stream
   * (`liveUrl`) and console.mjs redraws the answers as each agency replies. Without script the
   * page offers "Refresh answers".
   */
  @Get('cases/:id/queries/:queryId')
  @Roles('analyst', 'manager')
  async answers(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('queryId', uuidParam) queryId: string,
  ): Promise<void> {
    const query = await this.queries.read(req.user, queryId);
    if (query.caseId !== id) {
      res.redirect(303, `/cases/${query.caseId}/queries/${queryId}`);
      return;
    }
    const members = await this.members.list(req.user.partnership, id);
    await this.views.page(req, res, 'answers.njk', {
      title: 'Answers from the agencies',
      caseId: id,
      query,
      memberNames: Object.fromEntries(members.map((m) => [m.id, personName(m)])),
      liveUrl: query.status === 'pending' ? `/cases/${id}/queries/${queryId}/events` : undefined,
    });
  }

  /**
   * The query's Server-Sent Events for the answers page, on the session cookie: an EventSource
   * cannot send a bearer token. Same stream, scoping and audit as `GET /api/v1/queries/:id/events`.
   */
  @Get('cases/:id/queries/:queryId/events')
  @Roles('analyst', 'manager')
  async answerEvents(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('queryId', uuidParam) queryId: string,
  ): Promise<void> {
    await writeQueryEvents(this.queryEvents, req.user, queryId, req, res);
  }

  @Post('cases/:id/rating')
  @Roles('analyst', 'manager')
  async rerate(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    await this.submit(req, res, id, 'ratingForm', form, parseRatingForm(form), async (data) => {
      const rated = await this.cases.rerate(req.user, id, data);
      return { to: `/cases/${id}#rating`, flash: `Rating changed to ${rated.rag.toUpperCase()}.` };
    });
  }

  @Post('cases/:id/outcome')
  @Roles('analyst', 'manager')
  async outcome(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    await this.submit(req, res, id, 'outcomeForm', form, parseOutcomeForm(form), async (data) => {
      await this.outcomes.record(req.user, id, data);
      return {
        to: `/cases/${id}#outcome`,
        flash: 'Outcome recorded and sent to the agencies that shared.',
      };
    });
  }

  @Post('cases/:id/withhold')
  @Roles('manager')
  async withhold(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    await this.submit(req, res, id, 'withholdForm', form, parseWithholdForm(form), async (data) => {
      await this.transparency.withhold(req.user, id, data);
      return { to: `/cases/${id}#report`, flash: 'That item is left out of the family’s report.' };
    });
  }

  /** The family's transparency report, laid out to print. */
  @Get('cases/:id/report')
  @Roles('analyst', 'manager')
  async report(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    const report = await this.transparency.report(req.user, id, 'html');
    await this.views.page(req, res, 'report.njk', { title: report.title, caseId: id, report });
  }

  private async renderCase(
    req: Req_,
    res: Response,
    id: string,
    extra: Record<string, unknown>,
    status = 200,
  ): Promise<void> {
    const kase = await this.caseFile.readDetail(req.user, id);
    const queries = await this.queries.forCase(req.user, id);
    // The chronology tab is part of the page, so opening the case records a chronology view too.
    const { items: chronology } = await this.chronology.read(req.user, id);
    const names = new Map(
      kase.members.map((m) => [m.id, [m.givenName, m.familyName].filter(Boolean).join(' ')]),
    );
    await this.views.page(
      req,
      res,
      'case.njk',
      {
        title: kase.subject ? `${kase.subject.givenName} ${kase.subject.familyName}` : 'Case',
        kase,
        queries,
        chronology,
        memberNames: Object.fromEntries(names),
        matches: possibleMatches(queries, kase.members),
        settleFields: SETTLE_FIELDS,
        settleForm: {},
        relationships: MEMBER_RELATIONSHIPS,
        purposes: PURPOSES,
        consentReasons: CONSENT_REASONS,
        outcomes: OUTCOMES,
        rags: RAGS.filter((r) => r !== kase.rag),
        errors: noErrors(),
        consentForm: {},
        askForm: {},
        ratingForm: {},
        outcomeForm: {},
        withholdForm: {},
        memberForm: {},
        ...extra,
      },
      status,
    );
  }

  /**
   * A form on the case page, parsed: on bad input the case page again (400) with the errors and
   * what was typed (as `formKey`); else `act` calls the service and says where to go and what the
   * next page tells the person.
   */
  private async submit<T>(
    req: Req_,
    res: Response,
    id: string,
    formKey: string,
    form: Form,
    parsed: ParsedForm<T>,
    act: (data: T) => Promise<{ to: string; flash: string }>,
  ): Promise<void> {
    if (!parsed.success) {
      await this.renderCase(req, res, id, { errors: parsed.errors, [formKey]: form }, 400);
      return;
    }
    const { to, flash } = await act(parsed.data);
    await this.sessions.flashAndRedirect(req, res, to, flash);
  }

  private async referralPage(
    req: Req_,
    res: Response,
    form: Form,
    errors: FormErrors,
    status = 200,
    { assessment, focus }: { assessment?: unknown; focus?: string } = {},
  ): Promise<void> {
    const matrix = this.cases.matrix(req.user.partnership, this.clock.now());
    await this.views.page(
      req,
      res,
      'referral.njk',
      {
        title: 'New referral',
        form,
        memberRows: Array.from({ length: referralMemberRows(form.memberRows) }, (_, i) => i),
        maxMembers: MAX_REFERRAL_MEMBERS,
        focus,
        relationships: MEMBER_RELATIONSHIPS,
        errors,
        assessment,
        concerns: Object.entries(matrix.concerns).map(([value, c]) => ({
          value,
          text: (c as { label: string }).label,
          checked: list(form.concerns).includes(value),
        })),
      },
      status,
    );
  }
}

function personName(m: { givenName?: string; familyName?: string; dataDeleted?: true }): string {
  return m.dataDeleted ? '' : [m.givenName, m.familyName].filter(Boolean).join(' ');
}

function formatDue(iso: string | null): string {
  if (!iso) return 'no deadline';
  return new Date(iso).toLocaleString('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h12',
  });
}

/** The "Ask the federation" form, shared by the dry run and the question itself. */
function parseAskForm(form: Form) {
  return parseForm(
    CreateQuerySchema,
    {
      purpose: text(form.purpose),
      ...(text(form.justification) ? { justification: text(form.justification) } : {}),
    },
    {
      purpose: { id: 'purpose', message: 'Select why you are asking' },
      justification: {
        id: 'justification',
        message: 'The justification must be at least 10 characters',
      },
    },
  );
}

function parseConsentForm(form: Form): ParsedForm<ConsentDto> {
  const parsed = parseForm(
    ConsentSchema,
    {
      status: text(form.status),
      ...(text(form.status) && form.status !== 'given' && text(form.reason)
        ? { reason: text(form.reason) }
        : {}),
      justification: text(form.justification),
    },
    {
      status: {
        id: 'consent-status',
        message: 'Select whether consent was given, refused or not sought',
      },
      reason: { id: 'consent-reason', message: NO_CONSENT_REASON },
      justification: {
        id: 'consent-justification',
        message: 'Explain the decision in at least 10 characters',
      },
    },
  );
  if (parsed.success && parsed.data.status !== 'given' && !parsed.data.reason)
    return { success: false, errors: addError(noErrors(), 'consent-reason', NO_CONSENT_REASON) };
  return parsed;
}

function parseRatingForm(form: Form) {
  return parseForm(
    RerateSchema,
    { rag: text(form.rag), rationale: text(form.rationale) },
    {
      rag: { id: 'rag', message: 'Select the new rating' },
      rationale: { id: 'rationale', message: 'Explain the new rating in at least 10 characters' },
    },
  );
}

function parseOutcomeForm(form: Form) {
  return parseForm(
    OutcomeSchema,
    { outcome: text(form.outcome), rationale: text(form.rationale) },
    {
      outcome: { id: 'outcome', message: 'Select the outcome' },
      rationale: {
        id: 'outcome-rationale',
        message: 'Explain the outcome in at least 10 characters',
      },
    },
  );
}

function parseWithholdForm(form: Form) {
  return parseForm(
    WithholdSchema,
    { item: text(form.item), reason: text(form.reason) },
    {
      item: { id: 'withhold-item', message: 'Select what to leave out of the report' },
      reason: {
        id: 'withhold-reason',
        message:
          'Explain in at least 10 characters why telling the family would put the child at risk',
      },
    },
  );
}
