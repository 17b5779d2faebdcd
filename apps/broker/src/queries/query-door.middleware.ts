import { Injectable, type NestMiddleware } from '@nestjs/common';
import { AdmissionService } from './admission.service';

/**
 * The broker's admission door (`AdmissionService.door`) in front of authentication, on the route
 * that creates queries. Far beyond saturation nearly every request is refused, and each refusal
 * used to verify a JWT and pass the guards and the rate limiter before reaching the door: at
 * 200 q/s offered that work took enough of the broker that queries it had accepted timed out.
 * A refused caller, authenticated or not, learns only that the broker is busy (503
 * `QUERY.OVERLOADED`, `Retry-After`); the door inside `QueryService.create` still takes the place.
 */
@Injectable()
export class QueryDoorMiddleware implements NestMiddleware {
  constructor(private readonly admission: AdmissionService) {}

  use(_req: unknown, _res: unknown, next: () => void): void {
    this.admission.door();
    next();
  }
}
