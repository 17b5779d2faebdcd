import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@mash/common';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { CaseFileService, type RepresentativeCaseView } from '../case-file/case-file.service';
import { CaseService } from '../cases/case.service';
import { uuidParam } from '../common/ids';
import { ContributionSchema } from '../contributions/contribution.dto';
import { CONFIDENCE_LEVELS, CONTRIBUTION_KINDS } from '../contributions/contribution.entity';
import { ContributionService } from '../contributions/contribution.service';
import { MatchResolutionService } from '../queries/match-resolution.service';
import { MatchResolutionSchema } from '../queries/query.dto';
import { ConsolePages } from './decorators';
import {
  addError,
  hasErrors,
  mergeErrors,
  noErrors,
  parseForm,
  text,
  type FormErrors,
} from './forms';
import { ConsoleSessions } from './session';
import { ConsoleViews, RELATIONSHIP_LABELS } from './views';

type Req_ = Request & { user: Principal };
type Form = Record<string, unknown>;

/** The contribution form's value for "the child the case is about" (the API leaves memberId out). */
const THE_CHILD = 'child';

/**
 * An agency representative's pages: the cases their agency was asked about (the services filter
 * by the `agency` claim), the reduced case view, and "Add a contribution". A case their agency was
 * not asked about is "There is a problem", exactly like a case that does not exist.
 */
@ConsolePages()
@Controller('agency')
export class AgencyConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly cases: CaseService,
    private readonly caseFile: CaseFileService,
    private readonly contributions: ContributionService,
    private readonly resolutions: MatchResolutionService,
  ) {}

  @Get('cases')
  @Roles('agency-representative')
  async list(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const { items } = await this.cases.list(req.user, { limit: 200, offset: 0 });
    const byDue = [...items].sort(
      (a, b) =>
        Number(b.status === 'open') - Number(a.status === 'open') ||
        (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'),
    );
    await this.views.page(req, res, 'agency-cases.njk', {
      title: 'Cases your agency was asked about',
      cases: byDue,
    });
  }

  @Get('cases/:id')
  @Roles('agency-representative')
  async casePage(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    await this.renderCase(req, res, id, noErrors(), {});
  }

  @Post('cases/:id/contributions')
  @Roles('agency-representative')
  async contribute(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Body() form: Form,
  ): Promise<void> {
    const member = text(form.memberId);
    const parsed = parseForm(
      ContributionSchema,
      {
        kind: text(form.kind),
        text: text(form.text),
        ...(member && member !== THE_CHILD ? { memberId: member } : {}),
        ...(text(form.confidence) ? { confidence: text(form.confidence) } : {}),
      },
      {
        kind: { id: 'kind', message: 'Select what kind of information this is' },
        text: {
          id: 'contribution-text',
          message: 'Enter what your agency knows, in 10,000 characters or fewer',
        },
        memberId: { id: 'memberId', message: 'Select who this is about' },
        confidence: { id: 'confidence', message: 'Select how sure you are' },
      },
    );
    let errors = noErrors();
    if (!member) addError(errors, 'memberId', 'Select who this is about');
    if (!parsed.success) mergeErrors(errors, parsed.errors);
    if (hasErrors(errors) || !parsed.success) {
      await this.renderCase(req, res, id, errors, form, 400);
      return;
    }
    try {
      await this.contributions.record(req.user, id, parsed.data);
    } catch (error) {
      // The agreement's refusal is an answer to this form, not a broken page: say it there.
      errors = this.refusal(error);
      await this.renderCase(req, res, id, errors, form, 422);
      return;
    }
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/agency/cases/${id}#contributions`,
      'Contribution added. The MASH team sees it in the case’s chronology.',
    );
  }

  /**
   * "Confirm this is the same person" or "Not the same person": the representative has looked at
   * their agency's candidate in its own systems. Only their own agency's unsettled possible match
   * can be settled; the service audits it as `query.match.resolved`.
   */
  @Post('cases/:id/queries/:queryId/resolution')
  @Roles('agency-representative')
  async resolve(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('queryId', uuidParam) queryId: string,
    @Body() form: Form,
  ): Promise<void> {
    const member = text(form.memberId);
    const noteId = `note-${queryId}-${member ?? THE_CHILD}`;
    const parsed = parseForm(
      MatchResolutionSchema,
      {
        decision: text(form.decision),
        ...(member && member !== THE_CHILD ? { memberId: member } : {}),
        ...(text(form.note) ? { note: text(form.note) } : {}),
      },
      {
        decision: { id: noteId, message: 'Choose whether this is the same person' },
        memberId: { id: noteId, message: 'Choose whether this is the same person' },
        note: { id: noteId, message: 'The note must be 2,000 characters or fewer' },
      },
    );
    if (!parsed.success) {
      await this.renderCase(req, res, id, parsed.errors, { ...form, [noteId]: form.note }, 400);
      return;
    }
    try {
      await this.resolutions.resolve(req.user, queryId, parsed.data);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'QUERY.NOT_POSSIBLE_MATCH') throw error;
      const errors = addError(
        noErrors(),
        noteId,
        'This possible match has already been settled: it is no longer waiting for your agency',
      );
      await this.renderCase(req, res, id, errors, {}, 409);
      return;
    }
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/agency/cases/${id}#answers`,
      parsed.data.decision === 'confirm'
        ? 'Recorded: it is the same person. The MASH team sees it and can ask again with what identifies them.'
        : 'Recorded: not the same person. The answer is now no match.',
    );
  }

  private refusal(error: unknown): FormErrors {
    if (!(error instanceof DomainError)) throw error;
    const errors = noErrors();
    if (error.code === 'CONTRIBUTION.NOT_PERMITTED')
      addError(
        errors,
        'memberId',
        'Your agency’s information-sharing agreement does not let it share this about that person for this case',
      );
    else if (error.code === 'CONTRIBUTION.UNKNOWN_MEMBER')
      addError(errors, 'memberId', 'Select someone in this household');
    else throw error;
    return errors;
  }

  private async renderCase(
    req: Req_,
    res: Response,
    id: string,
    errors: FormErrors,
    form: Form,
    status = 200,
  ): Promise<void> {
    const kase = (await this.caseFile.read(req.user, id)) as RepresentativeCaseView;
    const names = Object.fromEntries(
      kase.members.map((m) => [m.id, [m.givenName, m.familyName].filter(Boolean).join(' ')]),
    );
    const child = kase.members.find((m) => m.relationship === 'subject');
    // Newest question first; only the newest answer about a person can still be settled here (an
    // older possible match was overtaken when the MASH team asked again).
    kase.answers.sort((a, b) => b.askedAt.localeCompare(a.askedAt));
    const newest: Record<string, string> = {};
    for (const a of kase.answers) newest[a.memberId ?? THE_CHILD] ??= a.queryId;
    await this.views.page(
      req,
      res,
      'agency-case.njk',
      {
        title: child?.givenName ? `${child.givenName} ${child.familyName ?? ''}`.trim() : 'Case',
        kase,
        memberNames: names,
        newest,
        memberRelationships: Object.fromEntries(kase.members.map((m) => [m.id, m.relationship])),
        aboutChoices: [
          { value: THE_CHILD, text: 'The child the case is about' },
          ...kase.members
            .filter((m) => m.relationship !== 'subject')
            .map((m) => ({
              value: m.id,
              text: `${names[m.id] || 'Name deleted'} (${RELATIONSHIP_LABELS[m.relationship] ?? m.relationship})`,
            })),
        ].map((p) => ({ ...p, checked: form.memberId === p.value })),
        kinds: CONTRIBUTION_KINDS,
        confidence: CONFIDENCE_LEVELS,
        form,
        errors,
      },
      status,
    );
  }
}
