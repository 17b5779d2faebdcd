import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { diffLines } from 'diff';
import { parse as parseYaml } from 'yaml';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { AgreementService } from '../agreements/agreement.service';
import { uuidParam } from '../common/ids';
import { ConsolePages } from './decorators';
import { addError, noErrors, text } from './forms';
import { ConsoleSessions } from './session';
import { ConsoleViews } from './views';

type Req_ = Request & { user: Principal; file?: { buffer: Buffer; originalname: string } };
const READERS = ['analyst', 'manager', 'auditor', 'agreement-admin'] as const;

/**
 * Data-sharing agreements: every role reads them (as the API allows); the agreement admin drafts a
 * version from a file, activates it with a second admin (the service enforces two people) and
 * suspends it.
 */
@ConsolePages()
@Controller('agreements')
export class AgreementsConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly agreements: AgreementService,
  ) {}

  @Get()
  @Roles(...READERS)
  async list(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const versions = await this.agreements.list(req.user);
    const byId = new Map<string, typeof versions>();
    for (const v of versions) byId.set(v.id, [...(byId.get(v.id) ?? []), v]);
    const agreements = [...byId.values()].map((vs) => {
      const sorted = [...vs].sort((a, b) => b.version - a.version);
      return {
        id: sorted[0].id,
        agency: sorted[0].agency,
        title: sorted[0].content.title,
        versions: sorted,
      };
    });
    await this.views.page(req, res, 'agreements.njk', {
      title: 'Agreements',
      agreements,
      errors: noErrors(),
    });
  }

  /** A draft from an agreement file (YAML or JSON), checked against the agreement schema. */
  @Post('drafts')
  @Roles('agreement-admin')
  async draft(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const errors = noErrors();
    let body: unknown;
    if (!req.file || req.file.buffer.length === 0)
      addError(errors, 'file', 'Select an agreement file');
    else {
      try {
        body = parseYaml(req.file.buffer.toString('utf8'));
      } catch {
        addError(errors, 'file', 'The file must be YAML or JSON');
      }
    }
    if (errors.summary.length === 0) {
      try {
        const created = (await this.agreements.createDraft(req.user, body)) as {
          id: string;
          version: number;
        };
        await this.sessions.flashAndRedirect(
          req,
          res,
          `/agreements/${created.id}/versions/${created.version}`,
          `Draft version ${created.version} saved. A second agreement admin must activate it.`,
        );
        return;
      } catch (error) {
        addError(errors, 'file', `The file is not a valid agreement: ${(error as Error).message}`);
      }
    }
    const versions = await this.agreements.list(req.user);
    const ids = [...new Set(versions.map((v) => v.id))];
    const agreements = ids.map((id) => {
      const vs = versions.filter((v) => v.id === id).sort((a, b) => b.version - a.version);
      return { id, agency: vs[0].agency, title: vs[0].content.title, versions: vs };
    });
    await this.views.page(
      req,
      res,
      'agreements.njk',
      { title: 'Agreements', agreements, errors },
      400,
    );
  }

  @Get(':id/versions/:version')
  @Roles(...READERS)
  async version(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<void> {
    const { versions } = await this.agreements.get(req.user, id);
    const current = versions.find((v) => v.version === version);
    if (!current) {
      res.redirect(303, '/agreements');
      return;
    }
    await this.views.page(req, res, 'agreement.njk', {
      title: current.content.title,
      agreement: current,
      others: versions.filter((v) => v.version !== version).map((v) => v.version),
      errors: noErrors(),
    });
  }

  /** What changed between two versions, line by line of their YAML files. */
  @Get(':id/diff')
  @Roles(...READERS)
  async diff(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Query('from', ParseIntPipe) from: number,
    @Query('to', ParseIntPipe) to: number,
  ): Promise<void> {
    const [a, b] = await Promise.all([
      this.agreements.exportFile(req.user, id, from, 'yaml'),
      this.agreements.exportFile(req.user, id, to, 'yaml'),
    ]);
    const parts = diffLines(a.body, b.body).map((p) => ({
      kind: p.added ? 'added' : p.removed ? 'removed' : 'same',
      text: p.value,
    }));
    await this.views.page(req, res, 'diff.njk', {
      title: `Changes from version ${from} to ${to}`,
      id,
      from,
      to,
      parts,
    });
  }

  @Post(':id/versions/:version/activate')
  @Roles('agreement-admin')
  async activate(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<void> {
    const result = (await this.agreements.activate(req.user, id, version)) as { status?: string };
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/agreements/${id}/versions/${version}`,
      result.status === 'active'
        ? `Version ${version} is active. Agencies now share under it.`
        : `Activation requested. A second agreement admin must activate version ${version}.`,
    );
  }

  @Post(':id/versions/:version/suspend')
  @Roles('agreement-admin')
  async suspend(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('id', uuidParam) id: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const reason = text(form.reason);
    if (!reason || reason.length < 5) {
      const { versions } = await this.agreements.get(req.user, id);
      const current = versions.find((v) => v.version === version);
      const errors = addError(
        noErrors(),
        'reason',
        'Explain in at least 5 characters why the agreement is suspended',
      );
      await this.views.page(
        req,
        res,
        'agreement.njk',
        {
          title: current?.content.title ?? 'Agreement',
          agreement: current,
          others: [],
          errors,
        },
        400,
      );
      return;
    }
    await this.agreements.suspend(req.user, id, version, reason);
    await this.sessions.flashAndRedirect(
      req,
      res,
      `/agreements/${id}/versions/${version}`,
      `Version ${version} is suspended. From now on no agency shares under it.`,
    );
  }
}
