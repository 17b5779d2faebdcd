import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { brokerError } from '../common/errors';

/**
 * Production sign-in: OpenID Connect authorization code with PKCE (S256), state and nonce, through
 * `openid-client` against the identity provider's discovery document (Entra ID, Keycloak: see
 * docs/identity.md). The access token it returns is verified by the broker's own TokenVerifier, so
 * the console's principal is exactly the one the API would build from the same token.
 */
@Injectable()
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {}

  get enabled(): boolean {
    return this.config.console.oidc !== undefined;
  }

  private settings() {
    const oidc = this.config.console.oidc;
    if (!oidc)
      throw brokerError(
        'CONSOLE.SIGN_IN_UNAVAILABLE',
        'the console is not configured for an identity provider (OIDC_ISSUER_URL, OIDC_CLIENT_ID)',
      );
    return oidc;
  }

  private discover(): Promise<client.Configuration> {
    const oidc = this.settings();
    const issuer = new URL(oidc.issuerUrl);
    // Plain http only to a provider on this machine (a test or a local Keycloak), as for key sets.
    const loopback =
      issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    this.configuration ??= client
      .discovery(
        issuer,
        oidc.clientId,
        undefined,
        oidc.clientSecret ? client.ClientSecretPost(oidc.clientSecret) : client.None(),
        loopback ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined; // try discovery again next time
        throw error;
      });
    return this.configuration;
  }

  /** The identity provider's sign-in address, and what the callback must come back with. */
  async start(): Promise<{ url: string; verifier: string; state: string; nonce: string }> {
    const oidc = this.settings();
    const configuration = await this.unavailableIfFails(this.discover());
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: oidc.redirectUrl,
      scope: oidc.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, verifier, state, nonce };
  }

  /** Exchanges the code (checking state, nonce and PKCE) for the access token. */
  async finish(
    callbackPath: string,
    pending: { verifier: string; state: string; nonce: string },
  ): Promise<string> {
    const oidc = this.settings();
    const configuration = await this.unavailableIfFails(this.discover());
    try {
      const tokens = await client.authorizationCodeGrant(
        configuration,
        new URL(callbackPath, oidc.redirectUrl),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
      return tokens.access_token;
    } catch {
      // Never the provider's message: it can echo the code or the state.
      throw brokerError('CONSOLE.SIGN_IN_FAILED', 'signing in with the identity provider failed');
    }
  }

  /** Where to send the browser to end the provider's session too, when the provider says. */
  async endSessionUrl(): Promise<string | undefined> {
    const oidc = this.settings();
    const configuration = await this.discover().catch(() => undefined);
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(configuration, {
      client_id: oidc.clientId,
      post_logout_redirect_uri: oidc.postLogoutRedirectUrl,
    }).href;
  }

  private async unavailableIfFails<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch {
      throw brokerError(
        'CONSOLE.SIGN_IN_UNAVAILABLE',
        'the identity provider cannot be reached; try again shortly',
      );
    }
  }
}
