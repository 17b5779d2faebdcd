import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getIronSession, type IronSession } from 'iron-session';
import type { Principal } from '../auth/principal';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';

export interface ConsoleSessionData {
  principal?: Principal;
  /** Epoch milliseconds: the session ends then, or when the sign-in's token would have expired. */
  expiresAt?: number;
  /** The synchronizer token every form posts back. */
  csrf?: string;
  /** One message for the next page (Post/Redirect/Get), shown in a notification banner. */
  flash?: string;
  /** An OpenID Connect sign-in under way: the PKCE verifier, state and nonce it must come back with. */
  pending?: { verifier: string; state: string; nonce: string; startedAt: number };
}

export type ConsoleSession = IronSession<ConsoleSessionData>;

const COOKIE = 'mash_console';
const SESSION = Symbol('consoleSession');

/**
 * The console's session: sealed (encrypted and signed) into one HttpOnly, SameSite=Strict cookie
 * by iron-session, so no token ever reaches the browser's script and no session table is needed.
 * It holds only the signed-in principal (who, which roles, which partnership), never an access token.
 */
@Injectable()
export class ConsoleSessions {
  private readonly ttlSeconds: number;

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {
    this.ttlSeconds = Math.round(config.console.sessionHours * 3600);
  }

  async open(req: Request, res: Response): Promise<ConsoleSession> {
    const cached = (req as unknown as Record<symbol, ConsoleSession>)[SESSION];
    if (cached) return cached;
    const session = await getIronSession<ConsoleSessionData>(req, res, {
      password: this.config.console.sessionSecret,
      cookieName: this.config.console.secureCookies ? `__Host-${COOKIE}` : COOKIE,
      ttl: this.ttlSeconds,
      cookieOptions: {
        httpOnly: true,
        sameSite: 'strict',
        secure: this.config.console.secureCookies,
        path: '/',
      },
    });
    (req as unknown as Record<symbol, ConsoleSession>)[SESSION] = session;
    return session;
  }

  /** The signed-in principal, or undefined when nobody is (or the session has run out). */
  principal(session: ConsoleSession, now: number): Principal | undefined {
    if (!session.principal || !session.expiresAt || session.expiresAt <= now) return undefined;
    return session.principal;
  }

  /** Starts a fresh session for the principal (a new CSRF token: no fixation across sign-ins). */
  async signIn(
    session: ConsoleSession,
    principal: Principal,
    tokenExpiresAt: number,
    now: number,
  ): Promise<void> {
    session.principal = principal;
    session.expiresAt = Math.min(tokenExpiresAt, now + this.ttlSeconds * 1000);
    session.csrf = randomBytes(24).toString('base64url');
    delete session.pending;
    await session.save();
  }

  /** The session's CSRF token, made (and saved) on first use. */
  async csrfToken(session: ConsoleSession): Promise<string> {
    if (!session.csrf) {
      session.csrf = randomBytes(24).toString('base64url');
      await session.save();
    }
    return session.csrf;
  }

  csrfMatches(session: ConsoleSession, given: unknown): boolean {
    if (typeof given !== 'string' || !session.csrf) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async flash(session: ConsoleSession, message: string): Promise<void> {
    session.flash = message;
    await session.save();
  }

  /** Post/Redirect/Get: `message` is shown on the page the browser is sent to (`to`). */
  async flashAndRedirect(req: Request, res: Response, to: string, message: string): Promise<void> {
    await this.flash(await this.open(req, res), message);
    res.redirect(303, to);
  }

  /** Reads and clears the flash message. */
  async takeFlash(session: ConsoleSession): Promise<string | undefined> {
    const message = session.flash;
    if (message !== undefined) {
      delete session.flash;
      await session.save();
    }
    return message;
  }
}
