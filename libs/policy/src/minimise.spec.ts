import type { Obligations } from './decision';
import { applyMask, minimise, REDACTED } from './minimise';

const obligations: Obligations = {
  categories: [
    {
      name: 'occurrences',
      fields: [
        { name: 'occurredOn', action: 'include' },
        { name: 'type', action: 'include' },
        { name: 'location', action: 'mask', mask: 'partial-postcode' },
      ],
    },
    { name: 'warnings', fields: [{ name: 'addedOn', action: 'mask', mask: 'month-year' }] },
  ],
  retentionDays: 90,
  justificationRequired: false,
};

describe(minimise.name, () => {
  it('keeps only permitted categories and fields, masking as required', () => {
    const sut = minimise(
      {
        occurrences: [
          {
            occurrenceRef: 'OCC-1',
            occurredOn: '2026-01-02',
            type: 'assault',
            location: 'sw1a 1aa',
            summary: 'free text',
          },
        ],
        warnings: [{ type: 'weapons', addedOn: '2025-11-20' }],
        custody: [{ custodyRef: 'C-9' }],
      },
      obligations,
    );
    expect(sut).toEqual({
      occurrences: [{ occurredOn: '2026-01-02', type: 'assault', location: 'SW1A' }],
      warnings: [{ addedOn: '2025-11' }],
    });
  });

  it('omits fields a record does not have and categories the source did not return', () => {
    expect(minimise({ occurrences: [{ type: 'theft' }] }, obligations)).toEqual({
      occurrences: [{ type: 'theft' }],
    });
  });

  it('never lets nested values out, even under an included field', () => {
    const sut = minimise(
      { occurrences: [{ type: { secret: 'x' }, occurredOn: ['2026-01-02'] }] },
      obligations,
    );
    expect(sut).toEqual({ occurrences: [{}] });
  });

  it('turns dates into ISO text', () => {
    const sut = minimise(
      { occurrences: [{ occurredOn: new Date('2026-01-02T10:00:00Z') }] },
      obligations,
    );
    expect(sut.occurrences[0].occurredOn).toBe('2026-01-02T10:00:00.000Z');
  });

  it('ignores inherited properties such as __proto__ tricks', () => {
    const records = JSON.parse('{"occurrences":[{"__proto__":{"type":"leaked"}}]}') as Record<
      string,
      Array<Record<string, unknown>>
    >;
    expect(minimise(records, obligations)).toEqual({ occurrences: [{}] });
  });

  it('returns nothing when obligations are empty (a denied decision)', () => {
    expect(
      minimise(
        { occurrences: [{ type: 'theft' }] },
        { categories: [], retentionDays: 0, justificationRequired: false },
      ),
    ).toEqual({});
  });
});

describe(applyMask.name, () => {
  it.each([
    ['year-only', '2014-07-09', '2014'],
    ['year-only', '2014-07-09T08:00:00Z', '2014'],
    ['month-year', '2014-07-09', '2014-07'],
    ['partial-postcode', 'SW1A 1AA', 'SW1A'],
    ['partial-postcode', 'm11ae', 'M1'],
    ['partial-postcode', 'B33 8TH', 'B33'],
    ['partial-postcode', 'LS1', 'LS1'],
    ['initial', 'Amelia Jane Smith-Jones', 'A. J. S. J.'],
    ['initial', 'oakfield primary', 'O. P.'],
    ['redact', 'anything', REDACTED],
    ['redact', 42, REDACTED],
  ] as const)('%s masks %p as %p', (kind, value, expected) => {
    expect(applyMask(kind, value)).toBe(expected);
  });

  it.each([
    ['year-only', 'last summer'],
    ['month-year', 20140709],
    ['partial-postcode', 'not a postcode'],
    ['initial', true],
  ] as const)(
    'redacts a value %s cannot recognise (%p) rather than passing it through',
    (kind, value) => {
      expect(applyMask(kind, value)).toBe(REDACTED);
    },
  );

  it('keeps missing values missing', () => {
    expect(applyMask('initial', null)).toBeNull();
    expect(applyMask('redact', undefined)).toBeNull();
  });
});
