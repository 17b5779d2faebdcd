import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { DomainError, JwksClient } from '@mash/common';
import { AGENCIES } from '@mash/contracts';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { ROLES, type Principal, type Role } from './principal';

export const MAX_TOKEN_LENGTH = 8192;
const KID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'];
const NON_ACCESS_TOKEN_TYPES = ['ID', 'Refresh', 'Offline', 'Logout'];

export class TokenError extends DomainError {
  constructor(code: string, message: string, status = 401) {
    super(code, message, status);
  }
}

/**
 * A claim by name or dotted path (`realm_access.roles`). A claim whose own name holds dots (an
 * Entra extension claim such as `extn.partnership`, or a URI claim type) is matched whole first.
 */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (
      typeof value !== 'object' ||
      value === null ||
      !Object.prototype.hasOwnProperty.call(value, part)
    )
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Verifies bearer tokens against the identity provider's JWKS: asymmetric algorithms only,
 * required iss/aud/exp/sub/iat, small clock tolerance, maximum age, no key-carrying headers.
 * Development tokens go through exactly this path; only the JWKS URL differs.
 */
@Injectable()
export class TokenVerifier {
  private jwks: JwksClient | undefined;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  private client(): JwksClient {
    if (this.jwks) return this.jwks;
    let url = this.config.auth.jwksUrl;
    if (!url) {
      const address = this.adapterHost?.httpAdapter?.getHttpServer()?.address?.();
      const port = typeof address === 'object' && address ? address.port : this.config.port;
      url = `http://127.0.0.1:${port}/.well-known/dev-jwks.json`;
    }
    this.jwks = new JwksClient(url, { cacheMs: 10 * 60_000, cooldownMs: 30_000 });
    return this.jwks;
  }

  async verify(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH)
      throw new TokenError('AUTH.TOKEN_TOO_LARGE', 'token is too large');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenError('AUTH.TOKEN_MALFORMED', 'token is not a signed JWT');
    }
    if (FORBIDDEN_HEADERS.some((h) => h in header)) {
      throw new TokenError(
        'AUTH.HEADER_REFUSED',
        'token headers that carry or point to keys are refused',
      );
    }
    if (typeof header.alg !== 'string' || !this.config.auth.algorithms.includes(header.alg)) {
      throw new TokenError('AUTH.ALGORITHM_REFUSED', 'token algorithm is not allowed');
    }
    if (
      header.kid !== undefined &&
      (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid))
    ) {
      throw new TokenError('AUTH.KID_INVALID', 'token key id is not acceptable');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.client().getKey, {
        algorithms: this.config.auth.algorithms,
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        clockTolerance: this.config.auth.clockToleranceSeconds,
        maxTokenAge: this.config.auth.maxTokenAgeSeconds,
        requiredClaims: ['iss', 'aud', 'exp', 'sub', 'iat'],
      }));
    } catch (error) {
      throw this.mapError(error);
    }
    // Keycloak marks ID and refresh tokens in `typ`; only access tokens may call the API.
    if (typeof payload.typ === 'string' && NON_ACCESS_TOKEN_TYPES.includes(payload.typ)) {
      throw new TokenError('AUTH.TOKEN_TYPE_REFUSED', 'only access tokens are accepted');
    }
    return this.principal(payload);
  }

  private principal(payload: JWTPayload): Principal {
    const rawRoles = claimAt(payload, this.config.auth.rolesClaim);
    const roles = Array.isArray(rawRoles)
      ? rawRoles.filter(
          (r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r),
        )
      : [];
    if (roles.length === 0)
      throw new TokenError('AUTH.NO_ROLES', 'token carries no role this service knows', 403);
    const partnership = claimAt(payload, this.config.auth.partnershipClaim);
    if (typeof partnership !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(partnership)) {
      throw new TokenError('AUTH.NO_PARTNERSHIP', 'token names no partnership', 403);
    }
    const agency = claimAt(payload, this.config.auth.agencyClaim);
    if (roles.includes('agency-representative')) {
      // A representative's every read is scoped by their agency: without a known one there is
      // nothing they may see, and a second role would widen what the token can reach.
      if (typeof agency !== 'string' || !(AGENCIES as readonly string[]).includes(agency))
        throw new TokenError(
          'AUTH.NO_AGENCY',
          "an agency representative's token must name their agency",
          403,
        );
      if (roles.length > 1)
        throw new TokenError(
          'AUTH.ROLE_CONFLICT',
          "an agency representative's token may carry no other role",
          403,
        );
    }
    return {
      sub: payload.sub as string,
      roles,
      partnership,
      agency: typeof agency === 'string' ? agency : undefined,
      jti: typeof payload.jti === 'string' ? payload.jti : undefined,
    };
  }

  private mapError(error: unknown): TokenError {
    // jose reports a token past the maximum age as JWTExpired on `iat`, not on `exp`.
    if (error instanceof joseErrors.JWTExpired) {
      return error.claim === 'iat'
        ? new TokenError('AUTH.TOKEN_TOO_OLD', 'token is older than the maximum age')
        : new TokenError('AUTH.TOKEN_EXPIRED', 'token has expired');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.reason === 'missing')
        return new TokenError(
          'AUTH.CLAIM_MISSING',
          `token lacks the required ${error.claim} claim`,
        );
      switch (error.claim) {
        case 'nbf':
          return new TokenError('AUTH.TOKEN_NOT_YET_VALID', 'token is not yet valid');
        case 'iat':
          // With a maximum age set, jose refuses an `iat` in the future here.
          return new TokenError('AUTH.TOKEN_NOT_YET_VALID', 'token was issued in the future');
        case 'aud':
          return new TokenError('AUTH.WRONG_AUDIENCE', 'token is for another audience');
        case 'iss':
          return new TokenError(
            'AUTH.WRONG_ISSUER',
            'token is from an issuer this service does not trust',
          );
        default:
          return new TokenError('AUTH.CLAIM_INVALID', `token claim ${error.claim} is invalid`);
      }
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed)
      return new TokenError('AUTH.ALGORITHM_REFUSED', 'token algorithm is not allowed');
    if (error instanceof joseErrors.JWKSNoMatchingKey)
      return new TokenError('AUTH.UNKNOWN_KEY', 'token signed with an unknown key');
    if (error instanceof joseErrors.JWKSMultipleMatchingKeys)
      return new TokenError('AUTH.UNKNOWN_KEY', 'token key is ambiguous');
    if (error instanceof joseErrors.JWSSignatureVerificationFailed)
      return new TokenError('AUTH.BAD_SIGNATURE', 'token signature does not verify');
    if (error instanceof joseErrors.JOSEError)
      return new TokenError('AUTH.TOKEN_MALFORMED', 'token is not a valid signed JWT');
    // Anything else came from fetching the identity provider's keys (network, timeout, HTTP
    // status, bad JSON): the provider is unavailable, the token is not to blame.
    return new TokenError('AUTH.IDP_UNAVAILABLE', 'identity provider keys are unavailable', 503);
  }
}
