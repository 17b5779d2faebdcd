import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InvalidThresholdMatrixError, type MatrixProblem } from './errors';
import { type ThresholdMatrix, ThresholdMatrixSchema } from './schema';

/**
 * Parses and validates one matrix file (YAML, or JSON, which is YAML too).
 * Throws {@link InvalidThresholdMatrixError} listing every problem found, not just the first.
 */
export function parseThresholdMatrix(fileName: string, text: string): ThresholdMatrix {
  return validateThresholdMatrix(fileName, readThresholdDocument(fileName, text));
}

/**
 * Reads a matrix document's YAML (or JSON) without validating it, so a caller can fill in fields
 * it owns (e.g. the broker sets `partnership`) before {@link validateThresholdMatrix}.
 * Throws {@link InvalidThresholdMatrixError} on a syntax error.
 */
export function readThresholdDocument(fileName: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InvalidThresholdMatrixError(
      doc.errors.map((e) => ({
        file: fileName,
        field: '(document)',
        // The first line names the problem and its position; the rest quotes the file.
        reason: e.message.split('\n')[0].replace(/:$/, ''),
      })),
    );
  }
  return doc.toJS() as unknown;
}

/** Validates an already-parsed object (e.g. from a database or a test). */
export function validateThresholdMatrix(fileName: string, value: unknown): ThresholdMatrix {
  const result = ThresholdMatrixSchema.safeParse(value, {
    error: (issue) => (issue.input === undefined ? 'required, but missing' : undefined),
  });
  if (!result.success) {
    throw new InvalidThresholdMatrixError(toProblems(fileName, result.error));
  }
  return result.data;
}

function toProblems(file: string, error: z.ZodError): MatrixProblem[] {
  const field = (path: PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : '(root)');
  return error.issues.flatMap((issue) =>
    // One problem per unexpected key, pointing at the key itself.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          file,
          field: field([...issue.path, key]),
          reason: 'not a recognised field here (check the spelling)',
        }))
      : [{ file, field: field(issue.path), reason: issue.message }],
  );
}
