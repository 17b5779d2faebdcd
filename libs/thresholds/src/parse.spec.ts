import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InvalidThresholdMatrixError, type MatrixProblem } from './errors';
import { parseThresholdMatrix } from './parse';
import { REQUIRED_CONCERN_CODES } from './schema';
import { matrixDocument } from './testing/matrix.fixture';

const DEMO = join(__dirname, '../../../deploy/thresholds/demo.yaml');

function problemsOf(text: string, fileName = 'matrix.yaml'): MatrixProblem[] {
  try {
    parseThresholdMatrix(fileName, text);
  } catch (e) {
    if (e instanceof InvalidThresholdMatrixError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the matrix to be refused');
}

describe(parseThresholdMatrix.name, () => {
  const sut = parseThresholdMatrix;

  it('accepts the demo partnership matrix as deployed', () => {
    const matrix = sut('demo.yaml', readFileSync(DEMO, 'utf8'));
    expect(matrix.partnership).toBe('demo');
    expect(matrix.deadlines).toEqual({
      red: { hours: 4, clock: 'elapsed' },
      amber: { hours: 24, clock: 'working' },
      green: { hours: 72, clock: 'elapsed' },
    });
    expect(matrix.nearDeadlineMinutes).toBe(60);
    expect(matrix.retentionDaysAfterClose).toBe(90);
    expect(Object.keys(matrix.capacity).sort()).toEqual([
      'education',
      'health',
      'police',
      'social-care',
    ]);
    expect(Object.values(matrix.concerns).some((c) => c.level === 1)).toBe(true);
    for (const code of REQUIRED_CONCERN_CODES) expect(matrix.concerns[code]).toBeDefined();
  });

  it('accepts JSON as well as YAML', () => {
    expect(sut('m.json', JSON.stringify(matrixDocument())).partnership).toBe('test');
  });

  it('fills in default working hours: 09:00-17:00 Monday to Friday, London time', () => {
    const matrix = sut('m.yaml', stringify(matrixDocument()));
    expect(matrix.workingHours).toEqual({
      start: '09:00',
      end: '17:00',
      days: [1, 2, 3, 4, 5],
      timeZone: 'Europe/London',
      closedDays: [],
    });
  });

  it.each(REQUIRED_CONCERN_CODES)('refuses a matrix lacking the concern code %s', (code) => {
    const doc = matrixDocument();
    const concerns: Record<string, unknown> = { ...doc.concerns };
    delete concerns[code];
    expect(problemsOf(stringify({ ...doc, concerns }), 'p.yaml')).toEqual([
      { file: 'p.yaml', field: `concerns.${code}`, reason: 'required, but missing' },
    ]);
  });

  it('lists every problem with its file and field, not only the first', () => {
    const doc = matrixDocument();
    const text = stringify({
      ...doc,
      partnership: 'Not Valid',
      concerns: {
        ...doc.concerns,
        neglect: { label: 'Neglect', level: 5, rag: 'pink' },
        Bad_Code: { label: 'x', level: 1, rag: 'green' },
      },
      deadlines: { ...doc.deadlines, red: { hours: 4, clock: 'working' } },
      capacity: { fire: { queriesPerHour: 10 } },
      retentionDaysAfterClose: undefined,
      extra: true,
    });
    const fields = problemsOf(text, 'bad.yaml').map((p) => `${p.file}:${p.field}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'bad.yaml:partnership',
        'bad.yaml:concerns.neglect.level',
        'bad.yaml:concerns.neglect.rag',
        'bad.yaml:concerns.Bad_Code',
        'bad.yaml:deadlines.red.clock',
        'bad.yaml:capacity.fire',
        'bad.yaml:retentionDaysAfterClose',
        'bad.yaml:extra',
      ]),
    );
  });

  it('refuses working hours that end before they start, unknown zones and repeated days', () => {
    const text = stringify(
      matrixDocument({
        workingHours: { start: '17:00', end: '09:00', timeZone: 'Europe/Londres' },
      }),
    );
    const fields = problemsOf(text).map((p) => p.field);
    expect(fields).toContain('workingHours.timeZone');
    const days = problemsOf(stringify(matrixDocument({ workingHours: { days: [1, 1, 8] } }))).map(
      (p) => p.field,
    );
    expect(days).toEqual(expect.arrayContaining(['workingHours.days.2', 'workingHours.days']));
    const order = problemsOf(
      stringify(matrixDocument({ workingHours: { start: '17:00', end: '09:00' } })),
    );
    expect(order).toEqual([
      { file: 'matrix.yaml', field: 'workingHours.end', reason: 'start must be before end' },
    ]);
  });

  it('refuses impossible dates and non-positive deadlines', () => {
    const doc = matrixDocument({ effectiveFrom: '2025-02-30' });
    const text = stringify({
      ...doc,
      deadlines: { ...doc.deadlines, amber: { hours: 0, clock: 'working' } },
    });
    expect(
      problemsOf(text)
        .map((p) => p.field)
        .sort(),
    ).toEqual(['deadlines.amber.hours', 'effectiveFrom']);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const problems = problemsOf(
      'partnership: demo\npartnership: other\nversion: [1\n',
      'broken.yaml',
    );
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.every((p) => p.file === 'broken.yaml' && p.field === '(document)')).toBe(true);
    expect(problems.map((p) => p.reason).join('\n')).toMatch(/unique.*line 2/);
  });

  it('names the file and each problem in the error message', () => {
    expect(() => sut('x.yaml', 'partnership: demo\n')).toThrow(
      /x\.yaml: concerns: required, but missing/,
    );
  });
});
