/**
 * A real OpenID Connect provider for the console's sign-in test: panva's certified
 * `oidc-provider`, run as its own process (it ships only ES modules). It is set up as the
 * docs describe Keycloak: access tokens are JWTs for the broker's audience, with the roles at
 * `realm_access.roles` and the `partnership` and `agency` user attributes as claims.
 *
 * Environment: OIDC_PORT, OIDC_AUDIENCE, OIDC_CLIENT_ID, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_URI
 * and OIDC_ACCOUNTS (JSON: user name → { roles, partnership, agency? }). "Signing in" is
 * `GET /interaction/<uid>?user=<name>`: the test stands in for the person at the login form.
 * Prints `ready <issuer>` once it listens.
 */
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const audience = process.env.OIDC_AUDIENCE;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: 'console-test',
  alg: 'RS256',
  use: 'sig',
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      token_endpoint_auth_method: 'none', // a public client: PKCE is its only proof
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      post_logout_redirect_uris: [process.env.OIDC_POST_LOGOUT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile'],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    // The access token is a JWT for the broker's API, as Keycloak and Entra ID issue it.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile',
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  findAccount: (_ctx, sub) =>
    accounts[sub] ? { accountId: sub, claims: () => ({ sub }) } : undefined,
  // Keycloak's shape: realm roles nested, user attributes as plain claims.
  extraTokenClaims: (_ctx, token) => {
    const account = accounts[token.accountId];
    if (!account || token.kind !== 'AccessToken') return undefined;
    return {
      realm_access: { roles: account.roles },
      partnership: account.partnership,
      ...(account.agency ? { agency: account.agency } : {}),
    };
  },
  // A first-party client: no consent screen, the grant is made on sign-in.
  loadExistingGrant: async (ctx) => {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(audience, 'openid profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['console-test-cookie-key-0123456789'] },
});

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  if (!url.pathname.startsWith('/interaction/')) return callback(req, res);
  try {
    const user = url.searchParams.get('user');
    if (!accounts[user]) {
      res.writeHead(400).end('unknown user');
      return;
    }
    await provider.interactionDetails(req, res);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user } },
      {
        mergeWithLastSubmission: false,
      },
    );
  } catch (error) {
    res.writeHead(400).end(String(error?.name ?? 'error'));
  }
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${issuer}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
