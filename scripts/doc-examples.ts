/**
 * The shell and HTTP examples in README.md and docs/, extracted from their fenced blocks so a test
 * can run them against a federation (test/docs/docs.e2e-spec.ts) and the docs cannot drift.
 *
 * A block is `shell` (```bash/```sh/```shell), `http` (lines such as `GET /api/v1/...` or
 * `POST /api/v1/... { json }`), or `other`. A shell block is not run when it is a synopsis
 * (`[--option]`, `a|b`, `<placeholder>`) or needs what a test cannot give it (`npm start`,
 * `npm test`, the Kafka script, benchmarks, Docker or Kubernetes); `skip` says why.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DocExample {
  file: string;
  line: number;
  kind: 'shell' | 'http' | 'other';
  text: string;
  /** Why it is not run, when it is not. */
  skip?: string;
}

export interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
}

const SHELL = new Set(['bash', 'sh', 'shell', 'console']);
const HTTP_LINE = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)\s*(\{.*\})?\s*(#.*)?$/;
const NOT_IN_A_TEST: Array<[RegExp, string]> = [
  [/\bnpm (start|test)\b/, 'starts or tests the whole project'],
  [/kafka\.sh|npm run kafka/, 'controls the shared Kafka'],
  [/bench\/|npm run bench/, 'a benchmark'],
  // Deployment: no Docker engine or Kubernetes cluster where the tests run (test/deploy checks
  // the compose file and the chart instead); the compose scripts belong to those deployments.
  [/\b(docker|kubectl|helm)\b|deploy\/compose\//, 'needs a Docker engine or a Kubernetes cluster'],
];

export function extractExamples(markdown: string, file: string): DocExample[] {
  const out: DocExample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^\s*```\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end += 1;
    // Blocks inside list items are indented: take the indent off.
    const indent = /^\s*/.exec(lines[i])?.[0].length ?? 0;
    const text = lines
      .slice(start, end)
      .map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)?.[0].length ?? 0)))
      .join('\n');
    i = end;
    const lang = open[1].toLowerCase();
    const body = text.split('\n').filter((l) => l.trim() !== '');
    let kind: DocExample['kind'] = 'other';
    if (SHELL.has(lang)) kind = 'shell';
    else if ((lang === '' || lang === 'http') && body.some((l) => HTTP_LINE.test(l))) kind = 'http';
    const example: DocExample = { file, line: start, kind, text };
    if (kind === 'shell') {
      const reason = NOT_IN_A_TEST.find(([re]) => re.test(text))?.[1];
      if (reason) example.skip = reason;
      else if (isSynopsis(text))
        example.skip = 'a synopsis or a template with placeholders, not a command';
      else if (isSettings(text)) example.skip = 'settings for a deployment, not a command';
    }
    out.push(example);
  }
  return out;
}

/** `[--flag]`, `a|b` or `<placeholder>` outside quotes: a usage line, not a command to run. */
function isSynopsis(text: string): boolean {
  const unquoted = text.replace(/'[^']*'|"[^"]*"/g, '');
  return /\[--|<[a-z][^>]*>|\w\|\w/.test(unquoted);
}

/** Only `NAME=value` lines: environment for a deployment (an identity provider's, say). */
function isSettings(text: string): boolean {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return lines.length > 0 && lines.every((l) => /^[A-Z][A-Z0-9_]*=/.test(l));
}

/** The calls in an `http` block; lines that are not calls (results, comments) are left out. */
export function httpCalls(example: DocExample): HttpCall[] {
  const calls: HttpCall[] = [];
  for (const line of example.text.split('\n')) {
    const m = HTTP_LINE.exec(line.trim());
    if (!m) continue;
    calls.push({ method: m[1], path: m[2], ...(m[3] ? { body: JSON.parse(m[3]) } : {}) });
  }
  return calls;
}

/** Every example in README.md and docs/*.md, under `root`. */
export function projectExamples(root: string): DocExample[] {
  const files = [
    join(root, 'README.md'),
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join(root, 'docs', f)),
  ];
  return files.flatMap((f) => extractExamples(readFileSync(f, 'utf8'), relative(root, f)));
}
