import { DomainError } from '@mash/common';

/**
 * Every error code the broker raises itself, with the HTTP status it answers: the one place a
 * status is chosen. Codes are stable dotted strings that clients and tests rely on (CONTRACT);
 * add one here, never a literal status at the call site. Errors raised by the libraries
 * that are DomainErrors (`NOT_FOUND`s, `GRANT.*`) carry their own statuses; the pure libraries' own
 * error classes (`POLICY.*`, `THRESHOLD.*`) are catalogued here by code.
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
  // Raised by the pure libraries, whose errors are their own classes (not DomainErrors).
  'POLICY.AGREEMENT_INVALID': 400,
  'THRESHOLD.INVALID_DATE': 400,
  'THRESHOLD.INVALID_MATRIX': 400,
  'THRESHOLD.NO_CONCERNS': 400,
  'THRESHOLD.NO_MATRIX': 422,
  'THRESHOLD.NO_WORKING_TIME': 400,
  'THRESHOLD.UNKNOWN_CONCERN': 400,
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

/** An error as the HTTP filter answers it (the correlation id is the filter's). */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

type Coded = Error & { code: string; details?: unknown; problems?: unknown };

/**
 * What a library error adds to its answer, by code: the problems it lists (each with its field),
 * or the concern codes a referral got wrong and the ones the matrix knows.
 */
const LIBRARY_ANSWERS: Partial<Record<string, (e: Coded) => Partial<ErrorAnswer>>> = {
  // The message's later lines repeat `details.problems`.
  'POLICY.AGREEMENT_INVALID': (e) => ({
    message: e.message.split('\n')[0],
    details: e.problems ? { problems: e.problems } : undefined,
  }),
  'THRESHOLD.INVALID_MATRIX': (e) => ({ details: { problems: e.problems } }),
  'THRESHOLD.UNKNOWN_CONCERN': (e) => {
    const { concernsUnknown, concernsKnown } = e as Coded & {
      concernsUnknown?: unknown;
      concernsKnown?: unknown;
    };
    return { details: { field: 'concerns', unknown: concernsUnknown, validCodes: concernsKnown } };
  },
};

/**
 * The answer to an error that carries a stable code: its status from `ERROR_STATUS` (a
 * DomainError whose code is not catalogued, such as a `NOT_FOUND`, keeps its own). Undefined for
 * anything else, including errors whose `code` is a driver's (PostgreSQL's, Node's): those are
 * internal errors.
 */
export function answerFor(error: unknown): ErrorAnswer | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Partial<Coded>).code;
  if (typeof code !== 'string') return undefined;
  const status =
    (ERROR_STATUS as Record<string, number>)[code] ??
    (error instanceof DomainError ? error.status : undefined);
  if (status === undefined) return undefined;
  const e = error as Coded;
  return {
    status,
    code,
    message: e.message,
    details: error instanceof DomainError ? error.details : undefined,
    ...LIBRARY_ANSWERS[code]?.(e),
  };
}
