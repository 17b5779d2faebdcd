import { InvalidThresholdMatrixError, type MatrixProblem, NoMatrixError } from './errors';
import type { ThresholdMatrix } from './schema';
import { formatLocalDate, toLocal } from './zoned-time';

export interface SourcedMatrix {
  file: string;
  matrix: ThresholdMatrix;
}

/** Every version of every partnership's matrix; picks the one in force at an instant. */
export class ThresholdMatrixRegistry {
  private readonly byPartnership = new Map<string, ThresholdMatrix[]>();
  private readonly files = new Map<string, string>();

  /** Throws {@link InvalidThresholdMatrixError} if two files give the same partnership and version. */
  constructor(matrices: readonly SourcedMatrix[]) {
    const seen = new Map<string, string>();
    const problems: MatrixProblem[] = [];
    for (const { file, matrix } of matrices) {
      const key = `${matrix.partnership}@${matrix.version}`;
      const other = seen.get(key);
      if (other !== undefined) {
        problems.push({
          file,
          field: 'version',
          reason: `partnership ${matrix.partnership} version ${matrix.version} is also defined in ${other}`,
        });
        continue;
      }
      seen.set(key, file);
      this.files.set(key, file);
      const list = this.byPartnership.get(matrix.partnership) ?? [];
      list.push(matrix);
      this.byPartnership.set(matrix.partnership, list);
    }
    if (problems.length > 0) throw new InvalidThresholdMatrixError(problems);
    for (const list of this.byPartnership.values()) list.sort((a, b) => b.version - a.version);
  }

  partnerships(): string[] {
    return [...this.byPartnership.keys()].sort();
  }

  /**
   * The highest version whose `effectiveFrom` (a local date in the matrix's time zone) has been
   * reached at `at`. Throws {@link NoMatrixError} (`THRESHOLD.NO_MATRIX`) if none is in force.
   */
  inForce(partnership: string, at: Date): ThresholdMatrix {
    const found = this.byPartnership
      .get(partnership)
      ?.find((m) => formatLocalDate(toLocal(at, m.workingHours.timeZone)) >= m.effectiveFrom);
    if (!found) throw new NoMatrixError(partnership);
    return found;
  }

  /** Every version of a partnership with the file it came from, oldest first. */
  all(partnership: string): SourcedMatrix[] {
    return [...(this.byPartnership.get(partnership) ?? [])].reverse().map((matrix) => ({
      file: this.files.get(`${partnership}@${matrix.version}`) ?? '',
      matrix,
    }));
  }

  /** A specific version, e.g. to explain how an older case was graded. */
  version(partnership: string, version: number): ThresholdMatrix | undefined {
    return this.byPartnership.get(partnership)?.find((m) => m.version === version);
  }
}
