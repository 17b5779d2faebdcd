/** Base of every error this library throws; `code` is stable and dotted for the HTTP error filter. */
export abstract class ThresholdError extends Error {
  abstract readonly code: string;
}

export interface MatrixProblem {
  file: string;
  /** Dotted path inside the document, e.g. `concerns.neglect.level`; `(document)` for syntax errors. */
  field: string;
  reason: string;
}

export class InvalidThresholdMatrixError extends ThresholdError {
  readonly code = 'THRESHOLD.INVALID_MATRIX';
  constructor(readonly problems: readonly MatrixProblem[]) {
    super(
      `Invalid threshold matrix (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}: ${p.field}: ${p.reason}`).join('\n'),
    );
    this.name = InvalidThresholdMatrixError.name;
  }
}

/** The referral names concern codes the partnership's matrix does not know: a 400 for the caller. */
export class UnknownConcernError extends ThresholdError {
  readonly code = 'THRESHOLD.UNKNOWN_CONCERN';
  constructor(
    readonly concernsUnknown: readonly string[],
    /** The codes the partnership's matrix knows, so the caller can correct the referral. */
    readonly concernsKnown: readonly string[] = [],
  ) {
    // Codes are caller-supplied strings, not personal data, but keep them short in the message.
    super(
      `concerns: unknown concern code${concernsUnknown.length === 1 ? '' : 's'} ${concernsUnknown
        .map((c) => JSON.stringify(c.slice(0, 64)))
        .join(
          ', ',
        )}${concernsKnown.length > 0 ? `; the partnership's threshold matrix knows: ${concernsKnown.join(', ')}` : ''}`,
    );
    this.name = UnknownConcernError.name;
  }
}

export class NoConcernsError extends ThresholdError {
  readonly code = 'THRESHOLD.NO_CONCERNS';
  constructor() {
    super('A referral must name at least one concern code');
    this.name = NoConcernsError.name;
  }
}

export class InvalidDateError extends ThresholdError {
  readonly code = 'THRESHOLD.INVALID_DATE';
  constructor(what: string) {
    super(`${what} is not a valid date`);
    this.name = InvalidDateError.name;
  }
}

export class NoWorkingTimeError extends ThresholdError {
  readonly code = 'THRESHOLD.NO_WORKING_TIME';
  constructor() {
    super('No working time found within a year: check the working days and closed days');
    this.name = NoWorkingTimeError.name;
  }
}

export class NoMatrixError extends ThresholdError {
  readonly code = 'THRESHOLD.NO_MATRIX';
  constructor(partnership: string) {
    super(`No threshold matrix is in force for partnership ${JSON.stringify(partnership)}`);
    this.name = NoMatrixError.name;
  }
}
