import type { z } from 'zod';
import { parseDocument } from 'yaml';
import { AgreementVersionSchema, type AgreementVersion } from './agreement';
import { AgreementInvalidError, type AgreementProblem } from './errors';

const ROOT = '(root)';

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? ROOT : path.map(String).join('.');
}

/** Flattens zod issues into one problem per field, naming the most specific reason available. */
function problemsFrom(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[] = [],
): AgreementProblem[] {
  const out: AgreementProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ file, field: dotted([...path, key]), reason: 'unknown field' });
    } else if (issue.code === 'invalid_union') {
      // A wrong value inside the object form of a union (e.g. `{ mask: nope }`) is more useful than "no branch matched".
      const deeper = issue.errors.filter(
        (branch) => branch.length > 0 && branch.every((i) => i.path.length > 0),
      );
      if (deeper.length === 1) out.push(...problemsFrom(file, deeper[0], path));
      else out.push({ file, field: dotted(path), reason: issue.message });
    } else if (issue.code === 'invalid_key') {
      out.push({ file, field: dotted(path), reason: issue.issues[0]?.message ?? issue.message });
    } else {
      out.push({ file, field: dotted(path), reason: issue.message });
    }
  }
  return out;
}

/** Validates an already-decoded value (e.g. a JSON request body); throws AgreementInvalidError listing every problem. */
export function validateAgreement(value: unknown, source = 'agreement'): AgreementVersion {
  const result = AgreementVersionSchema.safeParse(value);
  if (!result.success) throw new AgreementInvalidError(problemsFrom(source, result.error.issues));
  return result.data;
}

/**
 * Parses an agreement kept as code: `.json` as JSON, anything else as YAML (1.2 core schema, so dates stay
 * strings). Throws AgreementInvalidError listing every syntax or validation problem as { file, field, reason }.
 */
export function parseAgreementFile(fileName: string, text: string): AgreementVersion {
  let value: unknown;
  if (/\.json$/i.test(fileName)) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new AgreementInvalidError([
        { file: fileName, field: ROOT, reason: `not valid JSON: ${(error as Error).message}` },
      ]);
    }
  } else {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new AgreementInvalidError(
        doc.errors.map((e) => ({
          file: fileName,
          field: ROOT,
          reason: `not valid YAML: ${e.message.split('\n')[0]}`,
        })),
      );
    }
    value = doc.toJS();
  }
  return validateAgreement(value, fileName);
}

export interface AgreementFile {
  name: string;
  text: string;
}

/**
 * Parses a set of agreement files (e.g. a partnership's directory) and checks them together: every
 * problem in every file is reported at once, and each (id, version) must be unique and each id must
 * keep one partnership and agency across its versions.
 */
export function parseAgreementSet(files: readonly AgreementFile[]): AgreementVersion[] {
  const problems: AgreementProblem[] = [];
  const parsed: Array<{ file: string; agreement: AgreementVersion }> = [];
  for (const f of files) {
    try {
      parsed.push({ file: f.name, agreement: parseAgreementFile(f.name, f.text) });
    } catch (error) {
      if (!(error instanceof AgreementInvalidError)) throw error;
      problems.push(...error.problems);
    }
  }
  const versions = new Map<string, string>();
  const owners = new Map<string, { file: string; partnership: string; agency: string }>();
  for (const { file, agreement: a } of parsed) {
    const key = `${a.id} v${a.version}`;
    const first = versions.get(key);
    if (first !== undefined)
      problems.push({ file, field: 'version', reason: `${key} is also defined in ${first}` });
    else versions.set(key, file);
    const owner = owners.get(a.id);
    if (owner && (owner.partnership !== a.partnership || owner.agency !== a.agency)) {
      problems.push({
        file,
        field: 'id',
        reason: `${a.id} belongs to ${owner.partnership}/${owner.agency} in ${owner.file}`,
      });
    } else if (!owner) {
      owners.set(a.id, { file, partnership: a.partnership, agency: a.agency });
    }
  }
  if (problems.length > 0) throw new AgreementInvalidError(problems);
  return parsed.map((p) => p.agreement);
}
