import { DomainError } from '@mash/common';

/**
 * Every error code the broker raises itself, with the HTTP status it answers: the one place a
 * status is chosen. Codes are stable dotted strings that clients and tests rely on (CONTRACT);
 * add one here, never a literal status at the call site. Errors raised by the libraries
 * (`NOT_FOUND`s, `POLICY.*`, `THRESHOLD.*`, `GRANT.*`) carry their own statuses.
 */
export const ERROR_STATUS = {
  'AGENCY.NOT_REGISTERED': 422,
  'AGREEMENT.AGENCY_CHANGED': 409,
  'AGREEMENT.NOT_ACTIVE': 409,
  'AGREEMENT.NOT_DRAFT': 409,
  'AGREEMENT.SECOND_ADMIN_REQUIRED': 403,
  'AGREEMENT.VERSION_EXISTS': 409,
  'AUDIT.INVALID_EVENT': 500,
  'AUDIT.INVALID_QUERY': 400,
  'AUDIT.INVALID_RANGE': 400,
  'AUDIT.SUBJECT_REQUIRED': 400,
  'AUDIT.UNAVAILABLE': 503,
  'AUTH.FORBIDDEN': 403,
  'AUTH.HEADER_MALFORMED': 401,
  'AUTH.NO_POLICY': 403,
  'AUTH.TOKEN_INVALID': 401,
  'AUTH.TOKEN_MISSING': 401,
  'AUTH.TOO_MANY_FAILURES': 429,
  'CASE.DATA_DELETED': 410,
  'CASE.NOT_OPEN': 409,
  'CASE.TOO_MANY_FORMER_NAMES': 422,
  'CASE.RATING_UNCHANGED': 409,
  'CONSENT.NOT_FOUND': 404,
  'CONSOLE.CSRF_INVALID': 403,
  'CONSOLE.SIGN_IN_FAILED': 401,
  'CONSOLE.SIGN_IN_REQUIRED': 401,
  'CONSOLE.SIGN_IN_UNAVAILABLE': 503,
  'CONTRIBUTION.NOT_PERMITTED': 403,
  'CONTRIBUTION.UNKNOWN_MEMBER': 422,
  'CONSENT.REASON_REQUIRED': 400,
  'CONSENT.SELF_APPROVAL': 403,
  'MEETING.CASE_NOT_FOUND': 422,
  'MEETING.DUPLICATE_CASE': 400,
  'METRICS.BAD_RANGE': 400,
  'METRICS.FORBIDDEN': 403,
  'QUERY.JUSTIFICATION_REQUIRED': 400,
  'QUERY.MEMBER_GONE': 409,
  'QUERY.NOT_POSSIBLE_MATCH': 409,
  'QUERY.OVERLOADED': 503,
  'REQUEST.INVALID': 400,
  'REQUEST.RATE_LIMITED': 429,
  'THRESHOLD.BAD_RANGE': 400,
  'THRESHOLD.EFFECTIVE_TOO_EARLY': 409,
  'THRESHOLD.NOT_DRAFT': 409,
  'THRESHOLD.NOT_FOUND': 404,
  'THRESHOLD.NOT_PUBLISHED': 403,
  'THRESHOLD.PARTNERSHIP_MISMATCH': 400,
  'THRESHOLD.SECOND_MANAGER_REQUIRED': 403,
  'THRESHOLD.VERSION_NOT_NEWER': 409,
  'TRANSPARENCY.UNKNOWN_ITEM': 400,
} as const satisfies Record<string, number>;

export type BrokerErrorCode = keyof typeof ERROR_STATUS;

/** A `DomainError` with a catalogued code; its status comes from `ERROR_STATUS`. */
export function brokerError(
  code: BrokerErrorCode,
  message: string,
  details?: Record<string, unknown>,
): DomainError {
  return new DomainError(code, message, ERROR_STATUS[code], details);
}
