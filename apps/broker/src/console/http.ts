import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { urlencoded, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { CONSOLE_PUBLIC, GOVUK_FRONTEND_DIST } from './views';

/** An agreement file is a few kilobytes of YAML or JSON. */
const MAX_AGREEMENT_FILE_BYTES = 256 * 1024;

/**
 * A fresh nonce per response, for the one inline script govuk-frontend's page template carries
 * (it marks the body as script-enabled before the styles apply). Set before helmet builds the CSP.
 */
export function cspNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.cspNonce = randomBytes(16).toString('base64');
  next();
}

/** The nonce for helmet's script-src directive. */
export function nonceSource(_req: unknown, res: unknown): string {
  return `'nonce-${(res as Response).locals.cspNonce as string}'`;
}

/**
 * What the console's pages need from Express before Nest's guards run: the design system's styles,
 * fonts and script from the same origin, form bodies (never on /api, which speaks JSON only) and
 * the agreement file upload.
 */
export function mountConsole(app: NestExpressApplication): void {
  const assets = { index: false, immutable: false, maxAge: '1h', fallthrough: true } as const;
  app.useStaticAssets(join(GOVUK_FRONTEND_DIST, 'govuk/assets'), { prefix: '/assets', ...assets });
  app.useStaticAssets(join(GOVUK_FRONTEND_DIST, 'govuk'), { prefix: '/govuk', ...assets });
  app.useStaticAssets(CONSOLE_PUBLIC, { prefix: '/console-assets', ...assets });
  const form = urlencoded({ extended: false, limit: '256kb' });
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path.startsWith('/api/') ? next() : form(req, res, next),
  );
  app.use(
    '/agreements/drafts',
    multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: MAX_AGREEMENT_FILE_BYTES, files: 1, fields: 5 },
    }).single('file'),
  );
}
