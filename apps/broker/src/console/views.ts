import { dirname, join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';
import { AGENCIES } from '@mash/contracts';
import type { Principal } from '../auth/principal';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { navigationFor } from './nav';
import { ConsoleSessions } from './session';

/** govuk-frontend's own templates and macros (`govuk/components/*\/macro.njk`) and its assets. */
export const GOVUK_FRONTEND_DIST = join(
  dirname(require.resolve('govuk-frontend/package.json')),
  'dist',
);
export const CONSOLE_VIEWS = resolve(__dirname, 'views');
export const CONSOLE_PUBLIC = resolve(__dirname, 'public');

const AGENCY_NAMES: Record<string, string> = {
  police: 'Police',
  health: 'Health',
  education: 'Education',
  'social-care': "Children's social care",
  other: 'Another agency',
};

const LONDON = 'Europe/London';

/** Who a household member is to the child, as a MASH worker would say it. */
export const RELATIONSHIP_LABELS: Record<string, string> = {
  subject: 'The child referred',
  sibling: 'Brother or sister',
  parent: 'Parent',
  carer: 'Carer',
  'partner-of-parent': "Parent's partner",
  'other-adult': 'Another adult in the household',
  'other-child': 'Another child in the household',
  unknown: 'Someone no longer on the case',
};

/** `s47-strategy` → `S47 strategy`, `mash-triage` → `MASH triage`: codes as words. */
export function humanise(s: unknown): unknown {
  return typeof s === 'string'
    ? (s.charAt(0).toUpperCase() + s.slice(1)).replace(/-/g, ' ').replace(/\bmash\b/gi, 'MASH')
    : s;
}

function formatDate(value: string | Date | null | undefined, withTime: boolean): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString('en-GB', {
    timeZone: LONDON,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(withTime ? { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' } : {}),
  });
}

/** Pages rendered with Nunjucks and the GOV.UK Design System's macros; never cached. */
@Injectable()
export class ConsoleViews {
  private readonly env: nunjucks.Environment;

  constructor(
    private readonly sessions: ConsoleSessions,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {
    this.env = new nunjucks.Environment(
      new nunjucks.FileSystemLoader([CONSOLE_VIEWS, GOVUK_FRONTEND_DIST], { noCache: false }),
      { autoescape: true },
    );
    this.env.addFilter('date', (v: string | Date | null) => formatDate(v, false));
    this.env.addFilter('dateTime', (v: string | Date | null) => formatDate(v, true));
    this.env.addFilter('agencyName', (a: string) => AGENCY_NAMES[a] ?? a);
    this.env.addFilter('humanise', humanise);
    this.env.addFilter('relationship', (r: string) => RELATIONSHIP_LABELS[r] ?? humanise(r));
    this.env.addGlobal('agencies', AGENCIES);
    // Items for govukRadios/govukCheckboxes/govukSelect: `checked` for radios and checkboxes,
    // `selected` for a select.
    this.env.addGlobal('choices', (values: readonly string[], chosen: unknown, label?: string) =>
      values.map((value) => {
        const on = Array.isArray(chosen) ? chosen.includes(value) : chosen === value;
        return {
          value,
          text:
            label === 'agency'
              ? (AGENCY_NAMES[value] ?? value)
              : label === 'relationship'
                ? (RELATIONSHIP_LABELS[value] ?? value)
                : humanise(value),
          checked: on,
          selected: on,
        };
      }),
    );
    this.env.addGlobal('agencyChoices', (chosen: unknown, empty?: string) => [
      ...(empty ? [{ value: '', text: empty }] : []),
      ...AGENCIES.map((value) => ({
        value,
        text: AGENCY_NAMES[value],
        selected: chosen === value,
      })),
    ]);
  }

  render(template: string, context: Record<string, unknown>): string {
    return this.env.render(template, context);
  }

  async page(
    req: Request & { user?: Principal },
    res: Response,
    template: string,
    context: Record<string, unknown> = {},
    status = 200,
  ): Promise<void> {
    const session = await this.sessions.open(req, res);
    const csrfToken = await this.sessions.csrfToken(session);
    const flash = await this.sessions.takeFlash(session);
    const html = this.render(template, {
      ...context,
      user: req.user,
      navigation: navigationFor(req.user, req.path),
      csrfToken,
      flash,
      cspNonce: (res.locals as { cspNonce?: string }).cspNonce,
      authMode: this.config.auth.mode,
      currentPath: req.path,
    });
    res.status(status);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  }
}
