import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InvalidThresholdMatrixError, NoMatrixError } from './errors';
import { loadThresholdMatrices } from './load';
import { validateThresholdMatrix } from './parse';
import { ThresholdMatrixRegistry } from './registry';
import { matrixDocument } from './testing/matrix.fixture';

const v1 = validateThresholdMatrix(
  'v1',
  matrixDocument({ version: 1, effectiveFrom: '2025-01-01' }),
);
const v2 = validateThresholdMatrix(
  'v2',
  matrixDocument({ version: 2, effectiveFrom: '2026-06-01' }),
);

describe(ThresholdMatrixRegistry.name, () => {
  const sut = new ThresholdMatrixRegistry([
    { file: 'a.yaml', matrix: v2 },
    { file: 'b.yaml', matrix: v1 },
  ]);

  it('uses the newest version whose effective date (London local) has been reached', () => {
    expect(sut.inForce('test', new Date('2026-05-31T22:59:59Z')).version).toBe(1);
    expect(sut.inForce('test', new Date('2026-05-31T23:00:00Z')).version).toBe(2); // 00:00 BST 1 June
  });

  it('refuses when no version is yet in force or the partnership is unknown', () => {
    expect(() => sut.inForce('test', new Date('2024-12-31T12:00:00Z'))).toThrow(NoMatrixError);
    expect(() => sut.inForce('elsewhere', new Date())).toThrow(NoMatrixError);
  });

  it('finds a given version for explaining older cases', () => {
    expect(sut.version('test', 1)).toBe(v1);
    expect(sut.version('test', 3)).toBeUndefined();
  });

  it('lists every version of a partnership with its file, oldest first (the seed of a database)', () => {
    expect(sut.all('test')).toEqual([
      { file: 'b.yaml', matrix: v1 },
      { file: 'a.yaml', matrix: v2 },
    ]);
    expect(sut.all('elsewhere')).toEqual([]);
  });

  it('refuses two files defining the same partnership and version', () => {
    expect(
      () =>
        new ThresholdMatrixRegistry([
          { file: 'a.yaml', matrix: v1 },
          { file: 'c.yaml', matrix: v1 },
        ]),
    ).toThrow(/c\.yaml: version: .*also defined in a\.yaml/);
  });
});

describe(loadThresholdMatrices.name, () => {
  const sut = loadThresholdMatrices;

  it('loads the deployed matrices, including the demo partnership', () => {
    const registry = sut(join(__dirname, '../../../deploy/thresholds'));
    expect(registry.partnerships()).toContain('demo');
  });

  it('reports the problems of every bad file at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
    writeFileSync(join(dir, 'good.yaml'), stringify(matrixDocument()));
    writeFileSync(join(dir, 'bad1.yaml'), 'partnership: [\n');
    writeFileSync(join(dir, 'bad2.json'), JSON.stringify({ ...matrixDocument(), version: -1 }));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    let thrown: unknown;
    try {
      sut(dir);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidThresholdMatrixError);
    const files = (thrown as InvalidThresholdMatrixError).problems.map((p) => p.file);
    expect(new Set(files)).toEqual(new Set(['bad1.yaml', 'bad2.json']));
  });
});
