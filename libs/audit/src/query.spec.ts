import { defuseCsvCell } from './query';

describe(defuseCsvCell.name, () => {
  it('prefixes what a spreadsheet would run as a formula, and leaves the rest alone', () => {
    for (const formula of ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(defuseCsvCell(formula)).toBe(`'${formula}`);
    for (const plain of ['auditor-1', '2026-01-01T00:00:00.000Z', '{"a":1}', '', 'a=b'])
      expect(defuseCsvCell(plain)).toBe(plain);
  });
});
