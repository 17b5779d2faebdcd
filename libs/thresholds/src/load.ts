import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidThresholdMatrixError, type MatrixProblem } from './errors';
import { parseThresholdMatrix } from './parse';
import { type SourcedMatrix, ThresholdMatrixRegistry } from './registry';

const MATRIX_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` in a directory (e.g. `deploy/thresholds`) and
 * builds a registry. Reports the problems of all files together rather than stopping at one.
 */
export function loadThresholdMatrices(directory: string): ThresholdMatrixRegistry {
  const files = readdirSync(directory)
    .filter((f) => MATRIX_FILE.test(f))
    .sort();
  const matrices: SourcedMatrix[] = [];
  const problems: MatrixProblem[] = [];
  for (const file of files) {
    try {
      matrices.push({
        file,
        matrix: parseThresholdMatrix(file, readFileSync(join(directory, file), 'utf8')),
      });
    } catch (e) {
      if (e instanceof InvalidThresholdMatrixError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new InvalidThresholdMatrixError(problems);
  return new ThresholdMatrixRegistry(matrices);
}
