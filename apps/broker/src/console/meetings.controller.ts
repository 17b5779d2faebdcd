import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '@mash/common';
import { AGENCIES } from '@mash/contracts';
import { fromLocal, toLocal } from '@mash/thresholds';
import { Roles } from '../auth/decorators';
import { isRepresentative, type Principal } from '../auth/principal';
import { CaseService, type CaseSummary } from '../cases/case.service';
import { uuidParam } from '../common/ids';
import { MeetingSchema, type MeetingDto } from '../meetings/meeting.dto';
import { MEETING_KINDS } from '../meetings/meeting.entity';
import { MeetingService } from '../meetings/meeting.service';
import { ConsolePages } from './decorators';
import { addError, dateInput, hasErrors, noErrors, text, type FormErrors } from './forms';
import { ConsoleSessions } from './session';
import { ConsoleViews } from './views';

type Req_ = Request & { user: Principal };
type Form = Record<string, unknown>;

const LONDON = 'Europe/London';
/** Rows the meeting form starts with; "Add another …" adds one more, with a round trip (no script). */
const ATTENDEE_ROWS = 4;
const ACTION_ROWS = 1;
const MAX_ROWS = 50;
const TIME = /^(\d{1,2})[:.](\d{2})$/;

interface CaseRow {
  index: number;
  caseId: string;
  summary?: CaseSummary;
  actions: number[];
}

/**
 * The daily MASH meeting and strategy discussions: the agenda for a London day, the form that
 * records a meeting as it goes (attendees; per case the decision and the actions for agencies),
 * and the meeting's record. Representatives see the agenda and records of the cases their agency
 * was asked about, read-only. The pages are laid out for a shared screen: large type, and every
 * status said in words, never by colour alone.
 */
@ConsolePages()
@Controller('meetings')
export class MeetingsConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly meetings: MeetingService,
    private readonly cases: CaseService,
    private readonly clock: Clock,
  ) {}

  /** The agenda for a day (a GOV.UK date input; today when empty). */
  @Get()
  @Roles('analyst', 'manager', 'agency-representative')
  async agenda(@Req() req: Req_, @Res() res: Response, @Query() query: Form): Promise<void> {
    const given = [query['date-day'], query['date-month'], query['date-year']].some(text);
    const day = dateInput(query['date-day'], query['date-month'], query['date-year']);
    const errors = noErrors();
    if (given && 'problem' in day)
      addError(errors, 'date', 'The date must be a real date, for example 1 12 2026');
    const agenda = hasErrors(errors)
      ? undefined
      : await this.meetings.agenda(req.user, 'date' in day ? { date: day.date } : {});
    const [year, month, dayOfMonth] = (agenda?.date ?? '').split('-');
    await this.views.page(
      req,
      res,
      'agenda.njk',
      {
        title: 'Daily MASH meeting',
        agenda,
        errors,
        form: agenda
          ? {
              'date-day': String(Number(dayOfMonth)),
              'date-month': String(Number(month)),
              'date-year': year,
            }
          : query,
        caseHref: isRepresentative(req.user) ? '/agency/cases/' : '/cases/',
      },
      hasErrors(errors) ? 400 : 200,
    );
  }

  /**
   * A new meeting: the daily meeting for `date` (its agenda's cases) or a strategy discussion
   * about one `case`.
   */
  @Get('new')
  @Roles('analyst', 'manager')
  async newMeeting(@Req() req: Req_, @Res() res: Response, @Query() query: Form): Promise<void> {
    const caseId = text(query.case);
    const date = text(query.date);
    let ids: string[];
    let kind: string;
    if (caseId && /^[0-9a-f-]{36}$/i.test(caseId)) {
      ids = [caseId];
      kind = 'strategy-discussion';
    } else {
      const agenda = await this.meetings.agenda(
        req.user,
        date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? { date } : {},
      );
      ids = agenda.cases.map((c) => c.id);
      kind = 'daily-mash';
    }
    const now = toLocal(this.clock.now(), LONDON);
    const form: Form = {
      kind,
      'held-day': String(now.day),
      'held-month': String(now.month),
      'held-year': String(now.year),
      heldTime: `${now.hour}:${String(now.minute).padStart(2, '0')}`,
      attendeeRows: String(ATTENDEE_ROWS),
    };
    ids.forEach((id, j) => {
      form[`cases-${j}-caseId`] = id;
      form[`cases-${j}-actionRows`] = String(ACTION_ROWS);
    });
    await this.formPage(req, res, form, noErrors());
  }

  @Post()
  @Roles('analyst', 'manager')
  async record(@Req() req: Req_, @Res() res: Response, @Body() form: Form): Promise<void> {
    const action = text(form.action) ?? 'record';
    if (action === 'add-attendee') {
      const row = addRow(form, 'attendeeRows', ATTENDEE_ROWS);
      await this.formPage(req, res, form, noErrors(), 200, `attendees-${row}-name`);
      return;
    }
    const addAction = /^add-action-(\d+)$/.exec(action);
    if (addAction) {
      const c = addAction[1];
      const row = addRow(form, `cases-${c}-actionRows`, ACTION_ROWS);
      await this.formPage(req, res, form, noErrors(), 200, `cases-${c}-actions-${row}-agency`);
      return;
    }
    const errors = noErrors();
    const dto = this.parse(form, errors);
    if (!dto || hasErrors(errors)) {
      await this.formPage(req, res, form, errors, 400);
      return;
    }
    const meeting = await this.meetings.record(req.user, dto);
    const actions = meeting.cases.reduce((n, c) => n + c.actions.length, 0);
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/meetings/${meeting.id}`,
      actions === 0
        ? 'Meeting recorded.'
        : `Meeting recorded. ${actions === 1 ? 'The action has' : `All ${actions} actions have`} been sent to ${actions === 1 ? 'its agency' : 'their agencies'}.`,
    );
  }

  /** The meeting's record: attendees, each case's decision and actions with their delivery. */
  @Get(':id')
  @Roles('analyst', 'manager', 'agency-representative')
  async show(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    const meeting = await this.meetings.read(req.user, id);
    const summaries = await this.summaries(req.user);
    await this.views.page(req, res, 'meeting.njk', {
      title: meeting.kind === 'daily-mash' ? 'Daily MASH meeting' : 'Strategy discussion',
      meeting,
      summaries,
      caseHref: isRepresentative(req.user) ? '/agency/cases/' : '/cases/',
    });
  }

  /** The form as posted, as the API's meeting, with every problem added to `errors`. */
  private parse(form: Form, errors: FormErrors): MeetingDto | undefined {
    const kind = text(form.kind);
    if (!kind || !(MEETING_KINDS as readonly string[]).includes(kind))
      addError(errors, 'kind', 'Select what kind of meeting this is');
    const heldAt = dateTime(form, 'held', 'heldTime');
    if ('problem' in heldAt)
      addError(
        errors,
        heldAt.problem === 'date' ? 'held' : 'heldTime',
        heldAt.problem === 'date'
          ? 'Enter the date of the meeting, for example 1 12 2026'
          : 'Enter the time the meeting started, for example 9:30 or 14:00',
      );

    const attendees: MeetingDto['attendees'] = [];
    for (let i = 0; i < rows(form.attendeeRows, ATTENDEE_ROWS); i++) {
      const p = `attendees-${i}-`;
      const [name, agency, role] = [
        text(form[`${p}name`]),
        text(form[`${p}agency`]),
        text(form[`${p}role`]),
      ];
      if (!name && !agency && !role) continue;
      const who = `attendee ${i + 1}`;
      if (!name || name.length > 200) addError(errors, `${p}name`, `Enter the name of ${who}`);
      if (!agency || !(AGENCIES as readonly string[]).includes(agency))
        addError(errors, `${p}agency`, `Select the agency of ${who}`);
      if (!role || role.length > 200) addError(errors, `${p}role`, `Enter the role of ${who}`);
      if (name && agency && role) attendees.push({ name, agency: agency as never, role });
    }
    if (
      attendees.length === 0 &&
      !Object.keys(errors.fields).some((f) => f.startsWith('attendees-'))
    )
      addError(errors, 'attendees-0-name', 'Enter at least one person who attended');

    const cases: MeetingDto['cases'] = [];
    for (const c of caseRows(form)) {
      const p = `cases-${c.index}-`;
      const decision = text(form[`${p}decision`]);
      const actions: MeetingDto['cases'][number]['actions'] = [];
      for (const k of c.actions) {
        const a = `${p}actions-${k}-`;
        const [agency, what] = [text(form[`${a}agency`]), text(form[`${a}action`])];
        const due = dateTime(form, `${a}due`, `${a}dueTime`);
        const started =
          agency ||
          what ||
          [`${a}due-day`, `${a}due-month`, `${a}due-year`, `${a}dueTime`].some((f) =>
            text(form[f]),
          );
        if (!started) continue;
        const which = `action ${k + 1} for case ${c.index + 1}`;
        if (!agency || !(AGENCIES as readonly string[]).includes(agency))
          addError(errors, `${a}agency`, `Select the agency that owns ${which}`);
        if (!what || what.length > 2000) addError(errors, `${a}action`, `Enter what ${which} is`);
        if ('problem' in due)
          addError(
            errors,
            due.problem === 'date' ? `${a}due` : `${a}dueTime`,
            due.problem === 'date'
              ? `Enter the date ${which} is due, for example 3 12 2026`
              : `Enter the time ${which} is due, for example 17:00`,
          );
        if (agency && what && 'iso' in due)
          actions.push({ agency: agency as never, action: what, dueAt: due.iso });
      }
      if (!decision) {
        if (actions.length || c.actions.some((k) => text(form[`${p}actions-${k}-action`])))
          addError(
            errors,
            `${p}decision`,
            `Enter the decision for case ${c.index + 1}, or remove its actions`,
          );
        continue;
      }
      if (decision.length > 10_000)
        addError(
          errors,
          `${p}decision`,
          `The decision for case ${c.index + 1} must be 10,000 characters or fewer`,
        );
      cases.push({ caseId: c.caseId, decision, actions });
    }
    if (cases.length === 0 && !Object.keys(errors.fields).some((f) => f.startsWith('cases-')))
      addError(
        errors,
        caseRows(form).length ? 'cases-0-decision' : 'kind',
        caseRows(form).length
          ? 'Enter the decision for at least one case'
          : 'There are no cases to discuss',
      );
    if (hasErrors(errors) || !('iso' in heldAt)) return undefined;
    const parsed = MeetingSchema.safeParse({ kind, heldAt: heldAt.iso, attendees, cases });
    if (!parsed.success) {
      addError(errors, 'kind', 'Check the meeting’s details and try again');
      return undefined;
    }
    return parsed.data;
  }

  private async formPage(
    req: Req_,
    res: Response,
    form: Form,
    errors: FormErrors,
    status = 200,
    focus?: string,
  ): Promise<void> {
    const summaries = await this.summaries(req.user);
    const cases = caseRows(form).map((c) => ({ ...c, summary: summaries[c.caseId] }));
    await this.views.page(
      req,
      res,
      'meeting-form.njk',
      {
        title:
          form.kind === 'strategy-discussion'
            ? 'Record a strategy discussion'
            : 'Record the daily MASH meeting',
        form,
        errors,
        attendees: Array.from({ length: rows(form.attendeeRows, ATTENDEE_ROWS) }, (_, i) => i),
        cases,
        kinds: MEETING_KINDS,
        focus,
      },
      status,
    );
  }

  /** Case summaries by id, as the list the reader may see holds them (scoped by the service). */
  private async summaries(user: Principal): Promise<Record<string, CaseSummary>> {
    const { items } = await this.cases.list(user, { limit: 200, offset: 0 });
    return Object.fromEntries(items.map((c) => [c.id, c]));
  }
}

function rows(value: unknown, fallback: number): number {
  const n = Number(text(value));
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_ROWS) : fallback;
}

/** "Add another …": one more row in the form's `key` count (at most MAX_ROWS); the new row's index. */
function addRow(form: Form, key: string, fallback: number): number {
  const count = Math.min(MAX_ROWS, rows(form[key], fallback) + 1);
  form[key] = String(count);
  return count - 1;
}

/** The cases on the form, from its hidden `cases-<j>-caseId` fields. */
function caseRows(form: Form): CaseRow[] {
  const out: CaseRow[] = [];
  for (let j = 0; j < 200; j++) {
    const caseId = text(form[`cases-${j}-caseId`]);
    if (!caseId) break;
    out.push({
      index: j,
      caseId,
      actions: Array.from(
        { length: rows(form[`cases-${j}-actionRows`], ACTION_ROWS) },
        (_, k) => k,
      ),
    });
  }
  return out;
}

/** A GOV.UK date input (`<prefix>-day|month|year`) and a time box read as a London instant. */
function dateTime(
  form: Form,
  prefix: string,
  timeField: string,
): { iso: string } | { problem: 'date' | 'time' } {
  const day = dateInput(form[`${prefix}-day`], form[`${prefix}-month`], form[`${prefix}-year`]);
  if ('problem' in day) return { problem: 'date' };
  const time = TIME.exec(text(form[timeField]) ?? '');
  if (!time || Number(time[1]) > 23 || Number(time[2]) > 59) return { problem: 'time' };
  const [y, m, d] = day.date.split('-').map(Number);
  const at = fromLocal({ year: y, month: m, day: d }, Number(time[1]), Number(time[2]), LONDON);
  return { iso: at.toISOString() };
}
