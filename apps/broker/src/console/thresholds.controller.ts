import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@mash/common';
import type { DeadlineRule } from '@mash/thresholds';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { parseSide, ThresholdVersionsService } from '../thresholds/threshold-versions.service';
import { ConsolePages } from './decorators';
import { addError, hasErrors, noErrors, text } from './forms';
import { ConsoleViews, humanise } from './views';

type Req_ = Request & { user: Principal };
const DIFFERENCES: Record<string, string> = {
  level: 'level',
  rag: 'RAG rating',
  deadline: 'deadline',
};

/** `{ hours: 24, clock: 'working' }` → "24 working hours". */
export function deadlineText(rule: DeadlineRule | null | undefined): string {
  if (!rule) return '';
  const hours = `${rule.hours} ${rule.clock === 'working' ? 'working ' : ''}hour${rule.hours === 1 ? '' : 's'}`;
  return rule.clock === 'elapsed' ? `${hours}, round the clock` : hours;
}

function selectItems(choices: Array<{ value: string; text: string }>, chosen: string | undefined) {
  return [
    { value: '', text: 'Select a matrix' },
    ...choices.map((c) => ({ ...c, selected: c.value === chosen })),
  ];
}

/**
 * The partnership's threshold matrices: the version in force (each concern's level, RAG and
 * deadline), every version with its status, and two matrices side by side. The same service
 * methods, roles and audit as `/api/v1/thresholds` (a comparison is audited `threshold.compared`).
 */
@ConsolePages()
@Controller('thresholds')
export class ThresholdsConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly versions: ThresholdVersionsService,
  ) {}

  @Get()
  @Roles('manager', 'analyst', 'auditor')
  async page(
    @Req() req: Req_,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const list = await this.versions.list(req.user);
    const inForce =
      list.inForce !== null ? await this.versions.get(req.user, list.inForce) : undefined;
    const choices = [
      { value: 'current', text: 'The version in force' },
      ...list.versions.map((v) => ({
        value: String(v.version),
        text: `Version ${v.version} (${v.status.replace('-', ' ')})`,
      })),
      ...list.baselines.map((b) => ({ value: `baseline:${b}`, text: `Regional baseline: ${b}` })),
    ];
    const form = { left: text(query.left), right: text(query.right) };
    const errors = noErrors();
    let comparison: Awaited<ReturnType<ThresholdVersionsService['compare']>> | undefined;
    if (query.compare !== undefined) {
      const left = parseSide(form.left ?? '');
      const right = parseSide(form.right ?? '');
      if (!left) addError(errors, 'left', 'Select the matrix to compare');
      if (!right) addError(errors, 'right', 'Select the matrix to compare it with');
      else if (form.left === form.right)
        addError(errors, 'right', 'Select a different matrix to compare it with');
      if (left && right && !hasErrors(errors)) {
        try {
          comparison = await this.versions.compare(req.user, left, right);
        } catch (error) {
          if (!(error instanceof DomainError) || error.status >= 500) throw error;
          addError(
            errors,
            'right',
            error.code === 'THRESHOLD.NOT_PUBLISHED'
              ? 'That partnership does not publish its thresholds: compare with a regional baseline instead'
              : 'Select a matrix from the list',
          );
        }
      }
    }
    const nameOf = (side: { kind: string; partnership: string; version: number }) =>
      side.kind === 'baseline'
        ? `Regional baseline ${side.partnership}`
        : `${side.partnership === req.user.partnership ? 'Version' : `${side.partnership}, version`} ${side.version}`;
    await this.views.page(
      req,
      res,
      'thresholds.njk',
      {
        title: 'Thresholds',
        list,
        inForce,
        concerns: inForce?.content
          ? Object.entries(inForce.content.concerns).map(([code, c]) => ({
              code,
              ...c,
              deadline: deadlineText(inForce.content?.deadlines[c.rag]),
            }))
          : [],
        leftItems: selectItems(choices, form.left ?? 'current'),
        rightItems: selectItems(choices, form.right),
        errors,
        comparison: comparison && {
          ...comparison,
          leftName: nameOf(comparison.left),
          rightName: nameOf(comparison.right),
          concerns: comparison.concerns.map((c) => ({
            ...c,
            differsIn: humanise(c.differences.map((d) => DIFFERENCES[d]).join(', ')),
            leftDeadline: deadlineText(c.left?.deadline),
            rightDeadline: deadlineText(c.right?.deadline),
          })),
          deadlines: comparison.deadlines.map((d) => ({
            ...d,
            leftText: deadlineText(d.left),
            rightText: deadlineText(d.right),
          })),
        },
      },
      hasErrors(errors) ? 400 : 200,
    );
  }
}
