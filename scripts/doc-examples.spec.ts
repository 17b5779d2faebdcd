import { extractExamples, httpCalls } from './doc-examples';

describe(extractExamples.name, () => {
  const markdown = [
    'Text',
    '```bash',
    'TOKEN=$(npm run -s token -- --role analyst --partnership demo)',
    'curl -s $API/cases -H "Authorization: Bearer $TOKEN" | jq',
    '```',
    '```sh',
    'npm run keys -- list [--service S]',
    '```',
    '```bash',
    'npm start',
    '```',
    '```bash',
    'kubectl -n mash get pods',
    '```',
    '```',
    'GET /api/v1/audit/verify?from=1&to=5   # positions',
    'POST /api/v1/audit/pseudonym   { "nhsNumber": "943 476 5919" }',
    '→ { "tokens": [] }',
    '```',
    '```ts',
    'const x = 1;',
    '```',
  ].join('\n');

  it('sorts fenced blocks into shell, HTTP and other, and says why a shell block is not run', () => {
    const sut = extractExamples(markdown, 'X.md');
    expect(sut.map((e) => [e.kind, e.skip ?? 'run', e.line])).toEqual([
      ['shell', 'run', 2],
      ['shell', 'a synopsis or a template with placeholders, not a command', 6],
      ['shell', 'starts or tests the whole project', 9],
      ['shell', 'needs a Docker engine or a Kubernetes cluster', 12],
      ['http', 'run', 15],
      ['other', 'run', 20],
    ]);
    expect(httpCalls(sut[4])).toEqual([
      { method: 'GET', path: '/api/v1/audit/verify?from=1&to=5' },
      { method: 'POST', path: '/api/v1/audit/pseudonym', body: { nhsNumber: '943 476 5919' } },
    ]);
  });
});
