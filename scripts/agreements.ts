/**
 * Data-sharing agreements as code, for agency IT and agreement admins before they POST a version.
 *
 *   npm run agreements -- validate <file|dir>...   check YAML/JSON files against the published schema
 *   npm run agreements -- hash <file|dir>...       print each version's content hash (as the broker computes it)
 *   npm run agreements -- schema                   print the JSON Schema the files are checked against
 *
 * `validate` prints `file: field: reason` for every problem and exits 1 when there is any; the files
 * are also checked as a set (an id+version defined twice, an id that changes partnership or agency).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgreementInvalidError,
  agreementHash,
  agreementJsonSchema,
  parseAgreementSet,
  type AgreementProblem,
  type AgreementVersion,
} from '@mash/policy';

const AGREEMENT_FILE = /\.(ya?ml|json)$/i;

export interface ValidationReport {
  valid: Array<{
    file: string;
    id: string;
    version: number;
    agency: string;
    status: string;
    hash: string;
  }>;
  problems: AgreementProblem[];
}

/** Files named on the command line; a directory stands for its YAML and JSON files. */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      files.push(
        ...readdirSync(path)
          .filter((f) => AGREEMENT_FILE.test(f))
          .sort()
          .map((f) => join(path, f)),
      );
    } else {
      files.push(path);
    }
  }
  return files;
}

export function validateFiles(paths: readonly string[]): ValidationReport {
  const problems: AgreementProblem[] = [];
  const readable: Array<{ name: string; text: string }> = [];
  for (const file of expandPaths(paths)) {
    try {
      readable.push({ name: file, text: readFileSync(file, 'utf8') });
    } catch (error) {
      problems.push({
        file,
        field: '(root)',
        reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
    }
  }
  let agreements: AgreementVersion[] = [];
  try {
    agreements = parseAgreementSet(readable);
  } catch (error) {
    if (!(error instanceof AgreementInvalidError)) throw error;
    problems.push(...error.problems);
  }
  const valid = agreements.map((a, i) => ({
    file: readable[i].name,
    id: a.id,
    version: a.version,
    agency: a.agency,
    status: a.status,
    hash: agreementHash(a),
  }));
  return { valid: problems.length === 0 ? valid : [], problems };
}

function usage(): never {
  process.stderr.write(
    'usage: npm run agreements -- validate <file|dir>... | hash <file|dir>... | schema\n',
  );
  process.exit(2);
}

export function main(argv: readonly string[]): number {
  const [command, ...paths] = argv;
  if (command === 'schema') {
    process.stdout.write(`${JSON.stringify(agreementJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if ((command !== 'validate' && command !== 'hash') || paths.length === 0) usage();
  const report = validateFiles(paths);
  if (report.problems.length > 0) {
    for (const p of report.problems) process.stdout.write(`${p.file}: ${p.field}: ${p.reason}\n`);
    process.stderr.write(
      `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}; nothing was changed\n`,
    );
    return 1;
  }
  for (const v of report.valid) {
    process.stdout.write(
      command === 'hash'
        ? `${v.hash}  ${v.file}\n`
        : `ok  ${v.file}  ${v.agency} ${v.id} v${v.version} (${v.status})  sha256 ${v.hash}\n`,
    );
  }
  if (command === 'validate')
    process.stderr.write(
      `${report.valid.length} agreement version${report.valid.length === 1 ? '' : 's'} valid\n`,
    );
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
