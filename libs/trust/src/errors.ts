/** A failure of signature, encryption or grant checks; `code` is stable and safe to show or audit. */
export class TrustError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrustError';
  }
}
