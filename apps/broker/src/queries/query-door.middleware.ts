import type { NextFunction, Request, Response } from 'express';
import { GlobalExceptionFilter } from '../common/exception.filter';
import type { AdmissionService } from './admission.service';

/** The route that creates queries (Express matches paths case-insensitively, so does this). */
const CREATE_QUERY = /^\/api\/v1\/cases\/[^/]+\/queries\/?$/i;

/**
 * The broker's admission door (`AdmissionService.door`) as the first thing a request to create a
 * query meets, after the security headers and its correlation id: before the body is parsed, the
 * request is logged, the token verified or the guards and the rate limiter run. Far beyond
 * saturation nearly every request is refused, and each refusal used to pay for all of that (at
 * 200 q/s offered, enough of the broker that queries it had accepted timed out). A refused caller,
 * authenticated or not, learns only that the broker is busy (503 `QUERY.OVERLOADED`,
 * `Retry-After`); `mash_queries_refused_total` counts it. The door inside `QueryService.create`
 * still takes the place, so a path this pattern misses is refused there, at a higher price.
 */
export function queryDoor(
  admission: AdmissionService,
  errors = new GlobalExceptionFilter(),
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (req.method !== 'POST' || !CREATE_QUERY.test(req.path)) return next();
    try {
      admission.door();
    } catch (error) {
      errors.respond(req, res, error);
      return;
    }
    next();
  };
}
