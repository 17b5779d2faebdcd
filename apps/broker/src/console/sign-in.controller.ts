import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { AGENCIES } from '@mash/contracts';
import { issueDevToken } from '../auth/dev-issuer';
import { ROLES, type Principal, type Role } from '../auth/principal';
import { TokenVerifier } from '../auth/token-verifier';
import { brokerError } from '../common/errors';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { Inject } from '@nestjs/common';
import { AnonymousPage, ConsolePages } from './decorators';
import { addError, hasErrors, noErrors, text } from './forms';
import { homeFor } from './nav';
import { OidcSignIn } from './oidc';
import { ConsoleSessions } from './session';
import { ConsoleViews } from './views';

type ConsoleRequest = Request & { user?: Principal };
const PARTNERSHIP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** How long an identity provider round trip may take before its state is refused. */
const PENDING_MS = 10 * 60_000;

/** Signing in and out: the development picker, or OpenID Connect with PKCE in production. */
@ConsolePages()
@Controller()
export class SignInController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly verifier: TokenVerifier,
    private readonly oidc: OidcSignIn,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  @Get()
  @AnonymousPage()
  async home(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const session = await this.sessions.open(req, res);
    const user = this.sessions.principal(session, Date.now());
    res.redirect(303, user ? homeFor(user) : '/sign-in');
  }

  @Get('sign-in')
  @AnonymousPage()
  async signInPage(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    await this.views.page(req, res, 'sign-in.njk', {
      dev: this.config.auth.mode === 'dev',
      oidc: this.oidc.enabled,
      values: { partnership: 'demo' },
      roles: ROLES,
      errors: noErrors(),
    });
  }

  /** AUTH_MODE=dev only: a development token for the chosen identity, verified like any other. */
  @Post('sign-in')
  @AnonymousPage()
  async devSignIn(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    if (this.config.auth.mode !== 'dev') {
      res.redirect(303, '/sign-in');
      return;
    }
    const values = {
      role: text(body.role),
      partnership: text(body.partnership),
      agency: text(body.agency),
      userName: text(body.userName),
    };
    const errors = noErrors();
    if (!values.role || !(ROLES as readonly string[]).includes(values.role))
      addError(errors, 'role', 'Select the role you are signing in as');
    if (!values.partnership || !PARTNERSHIP_ID.test(values.partnership))
      addError(
        errors,
        'partnership',
        'Enter the partnership, using letters, numbers, hyphens and underscores only',
      );
    if (values.agency && !(AGENCIES as readonly string[]).includes(values.agency))
      addError(errors, 'agency', 'Select an agency from the list');
    else if (values.role === 'agency-representative' && !values.agency)
      addError(errors, 'agency', 'Select the agency you represent');
    if (!values.userName || !USER_NAME.test(values.userName))
      addError(
        errors,
        'userName',
        'Enter your user name, using letters, numbers, dots and hyphens',
      );
    if (hasErrors(errors)) {
      await this.views.page(
        req,
        res,
        'sign-in.njk',
        { dev: true, oidc: false, values, roles: ROLES, errors },
        400,
      );
      return;
    }
    const token = await issueDevToken(this.config.keysDir, {
      sub: values.userName as string,
      roles: [values.role as Role],
      partnership: values.partnership as string,
      ...(values.agency ? { agency: values.agency } : {}),
    });
    await this.establish(req, res, token);
  }

  /** Production: off to the identity provider with a PKCE challenge. */
  @Post('sign-in/identity-provider')
  @AnonymousPage()
  async startOidc(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const started = await this.oidc.start();
    const session = await this.sessions.open(req, res);
    session.pending = {
      verifier: started.verifier,
      state: started.state,
      nonce: started.nonce,
      startedAt: Date.now(),
    };
    await session.save();
    res.redirect(303, started.url);
  }

  @Get('auth/callback')
  @AnonymousPage()
  async callback(
    @Req() req: ConsoleRequest,
    @Res() res: Response,
    @Query('state') state: string | undefined,
  ): Promise<void> {
    const session = await this.sessions.open(req, res);
    const pending = session.pending;
    // One attempt per sign-in: whatever happens next, this verifier, state and nonce are spent.
    if (pending) {
      delete session.pending;
      await session.save();
    }
    // No verifier to prove the code was asked for here (another browser's code, a replayed
    // callback, a stale tab): refused, like a state that does not match.
    if (!pending || !state || Date.now() - pending.startedAt > PENDING_MS)
      throw brokerError(
        'CONSOLE.SIGN_IN_FAILED',
        'this sign-in was not started in this browser or took longer than 10 minutes; sign in again',
      );
    const token = await this.oidc.finish(req.originalUrl, pending);
    await this.establish(req, res, token);
  }

  @Post('sign-out')
  @AnonymousPage()
  async signOut(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const session = await this.sessions.open(req, res);
    session.destroy();
    const provider = this.oidc.enabled ? await this.oidc.endSessionUrl() : undefined;
    res.redirect(303, provider ?? '/sign-in');
  }

  /** The token goes through the API's own verifier; only the principal is kept, never the token. */
  private async establish(req: ConsoleRequest, res: Response, token: string): Promise<void> {
    const principal = await this.verifier.verify(token);
    const exp = decodeJwt(token).exp;
    const session = await this.sessions.open(req, res);
    await this.sessions.signIn(
      session,
      principal,
      exp ? exp * 1000 : Date.now() + 3600_000,
      Date.now(),
    );
    res.redirect(303, homeFor(principal));
  }
}
