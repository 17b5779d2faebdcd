/** Base class of the policy library's errors; `code` is stable and dotted. */
export abstract class PolicyError extends Error {
  abstract readonly code: string;
}

export interface AgreementProblem {
  /** The file (or other source) the agreement came from. */
  file: string;
  /** Dotted path to the offending field, `(root)` for the document itself. */
  field: string;
  reason: string;
}

/** An agreement failed to parse or validate; `problems` lists every problem found, not just the first. */
export class AgreementInvalidError extends PolicyError {
  readonly code = 'POLICY.AGREEMENT_INVALID';
  constructor(readonly problems: readonly AgreementProblem[]) {
    super(
      `Invalid data-sharing agreement (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}: ${p.field}: ${p.reason}`).join('\n'),
    );
    this.name = AgreementInvalidError.name;
  }
}
