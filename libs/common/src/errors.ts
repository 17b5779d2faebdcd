/**
 * A failure the caller can act on, with a stable dotted code and the HTTP status it maps to.
 * Messages must never contain personal data: they are logged and returned to clients.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(`${what.toUpperCase()}.NOT_FOUND`, `${what} not found`, 404);
  }
}
