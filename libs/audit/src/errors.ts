/** Base class so callers can catch every audit failure at once. Messages never carry personal data. */
export abstract class AuditError extends Error {
  abstract readonly code: string;
}

/**
 * The audit entry could not be written. Fail closed: the caller must not carry out (or commit)
 * the action it was auditing.
 */
export class AuditWriteError extends AuditError {
  readonly code = 'AUDIT.WRITE_FAILED';
  constructor(
    message: string,
    /** Database error code / constraint only: the raw driver error may echo row contents. */
    readonly detail?: {
      readonly sqlState?: string;
      readonly constraint?: string;
      readonly reason?: string;
    },
  ) {
    super(message);
    this.name = 'AuditWriteError';
  }
}

/** A search or report was asked for with invalid parameters (bad cursor, missing partnership…). */
export class AuditQueryError extends AuditError {
  readonly code = 'AUDIT.INVALID_QUERY';
  constructor(message: string) {
    super(message);
    this.name = 'AuditQueryError';
  }
}

/** A checkpoint could not be signed, stored or published. */
export class AuditCheckpointError extends AuditError {
  readonly code = 'AUDIT.CHECKPOINT_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'AuditCheckpointError';
  }
}

/** Translate a driver error into the fields that are safe to keep (no row contents). */
export function safeDbDetail(err: unknown): { sqlState?: string; constraint?: string } {
  if (typeof err !== 'object' || err === null) return {};
  const e = err as { code?: unknown; constraint?: unknown };
  return {
    ...(typeof e.code === 'string' ? { sqlState: e.code } : {}),
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
  };
}
