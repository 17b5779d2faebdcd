/**
 * npm run token -- --role <role> --partnership <id> [--agency <a>] [--sub <id>] [--ttl <seconds>]
 * Prints a development JWT that a broker started by `npm start` (AUTH_MODE=dev) accepts.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { issueDevToken } from '../apps/broker/src/auth/dev-issuer';
import { ROLES, type Role } from '../apps/broker/src/auth/principal';
import { DEV_ISSUER } from '../apps/broker/src/config/config';
import { AGENCIES } from '@mash/contracts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // `npm start` runs the broker in dev mode unless AUTH_MODE says otherwise; an issuer other
  // than the dev one in the environment means a production identity provider is configured.
  const issuer = process.env.AUTH_ISSUER;
  const mode = process.env.AUTH_MODE || (issuer && issuer !== DEV_ISSUER ? 'production' : 'dev');
  if (mode !== 'dev') {
    fail(
      'refusing: AUTH_MODE is not "dev". In production, sign in through your identity provider (see docs/identity.md).',
    );
  }
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      partnership: { type: 'string' },
      agency: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
    },
  });
  const roles = (values.role ?? []).flatMap((r) => r.split(','));
  if (roles.length === 0 || !values.partnership) {
    fail(
      `usage: npm run token -- --role <${ROLES.join('|')}> --partnership <id> [--agency <agency>] [--sub <id>] [--ttl <seconds>]`,
    );
  }
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0)
    fail(`unknown role(s): ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`);
  if (roles.includes('agency-representative')) {
    if (!values.agency || !(AGENCIES as readonly string[]).includes(values.agency))
      fail(`an agency-representative needs --agency <${AGENCIES.join('|')}>`);
    if (roles.length > 1) fail('an agency-representative token carries no other role');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(values.partnership))
    fail('partnership must be letters, digits, - or _');
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > 24 * 3600))
    fail('--ttl must be a whole number of seconds, at most 86400');
  const token = await issueDevToken(resolve(process.env.KEYS_DIR ?? '.local/keys'), {
    sub: values.sub ?? `dev-${roles[0]}`,
    roles: roles as Role[],
    partnership: values.partnership,
    agency: values.agency,
    ttlSeconds: ttl,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
