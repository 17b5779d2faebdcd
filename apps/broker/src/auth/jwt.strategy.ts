import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { TokenVerifier } from './token-verifier';
import type { Principal } from './principal';

type VerifyCallback = (error: unknown, payload?: unknown) => void;
type JwtVerifierFn = (
  token: string,
  key: unknown,
  options: unknown,
  callback: VerifyCallback,
) => void;

// passport-jwt verifies with jsonwebtoken, which lacks EdDSA and JWKS rotation. It exposes
// its verifier as a static hook: when the "key" handed over is our TokenVerifier, jose does the work.
const strategyStatics = Strategy as unknown as { JwtVerifier: JwtVerifierFn };
const original = strategyStatics.JwtVerifier;
strategyStatics.JwtVerifier = (token, key, options, callback) => {
  if (key instanceof TokenVerifier) {
    key.verify(token).then(
      (principal) => callback(null, principal),
      (error: unknown) => callback(error),
    );
    return;
  }
  original(token, key, options, callback);
};

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(verifier: TokenVerifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The "key" is the verifier itself; see the JwtVerifier hook above.
      secretOrKeyProvider: ((
        _req: unknown,
        _raw: string,
        done: (err: unknown, key?: unknown) => void,
      ) => done(null, verifier)) as unknown as SecretOrKeyProvider,
      passReqToCallback: false,
    });
  }

  validate(principal: Principal): Principal {
    return principal;
  }
}
