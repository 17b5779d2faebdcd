import fc from 'fast-check';
import { type ComparableMatrix, compareMatrices } from './compare';
import { validateThresholdMatrix } from './parse';
import { CLOCKS, LEVELS, RAGS } from './schema';
import { matrixDocument } from './testing/matrix.fixture';

const base = validateThresholdMatrix('left', matrixDocument());

describe(compareMatrices.name, () => {
  const sut = compareMatrices;

  it('finds nothing different between a matrix and itself', () => {
    const result = sut(base, base);
    expect(result.summary).toEqual({
      same: Object.keys(base.concerns).length,
      different: 0,
      'only-left': 0,
      'only-right': 0,
    });
    expect(result.deadlines.every((d) => !d.differs)).toBe(true);
  });

  it('names level, RAG and deadline differences per concern, and concerns one side lacks', () => {
    const right = validateThresholdMatrix(
      'right',
      matrixDocument({
        concerns: {
          ...matrixDocument().concerns,
          neglect: { label: 'Neglect', level: 4, rag: 'red' },
          'young-carer': { label: 'Young carer', level: 2, rag: 'green' },
        },
        deadlines: {
          red: { hours: 4, clock: 'elapsed' },
          amber: { hours: 16, clock: 'working' },
          green: { hours: 72, clock: 'elapsed' },
        },
      }),
    );
    const left = validateThresholdMatrix(
      'left',
      matrixDocument({
        concerns: {
          ...matrixDocument().concerns,
          'private-fostering': { label: 'Private fostering', level: 3, rag: 'amber' },
        },
      }),
    );
    const result = sut(left, right);
    const byCode = new Map(result.concerns.map((c) => [c.code, c]));
    expect(byCode.get('neglect')).toMatchObject({
      status: 'different',
      differences: ['level', 'rag', 'deadline'],
      levelDelta: 1,
      moreUrgent: 'right',
      left: { level: 3, rag: 'amber', deadline: { hours: 24, clock: 'working' } },
      right: { level: 4, rag: 'red', deadline: { hours: 4, clock: 'elapsed' } },
    });
    // Same level and RAG, but amber is timed differently on the right: a deadline difference only.
    expect(byCode.get('emotional-abuse')).toMatchObject({
      status: 'different',
      differences: ['deadline'],
      levelDelta: 0,
      moreUrgent: null,
    });
    expect(byCode.get('young-carer')).toMatchObject({ status: 'only-right', left: null });
    expect(byCode.get('private-fostering')).toMatchObject({ status: 'only-left', right: null });
    expect(result.deadlines.find((d) => d.rag === 'amber')).toMatchObject({ differs: true });
    expect(result.deadlines.find((d) => d.rag === 'red')).toMatchObject({ differs: false });
  });

  describe('properties', () => {
    const rule = fc.record({
      hours: fc.integer({ min: 1, max: 96 }),
      clock: fc.constantFrom(...CLOCKS),
    });
    const matrix: fc.Arbitrary<ComparableMatrix> = fc.record({
      concerns: fc.dictionary(
        fc.constantFrom('neglect', 'physical-abuse', 'young-carer', 'private-fostering', 'fgm'),
        fc.record({
          label: fc.constant('x'),
          level: fc.constantFrom(...LEVELS),
          rag: fc.constantFrom(...RAGS),
        }),
      ),
      deadlines: fc.record({
        red: rule.map((r) => ({ ...r, clock: 'elapsed' as const })),
        amber: rule,
        green: rule,
      }),
    });

    it('lists every code either side knows exactly once, and counts each in the summary', () => {
      fc.assert(
        fc.property(matrix, matrix, (a, b) => {
          const result = sut(a, b);
          const codes = new Set([...Object.keys(a.concerns), ...Object.keys(b.concerns)]);
          expect(result.concerns.map((c) => c.code).sort()).toEqual([...codes].sort());
          const total = Object.values(result.summary).reduce((x, y) => x + y, 0);
          expect(total).toBe(codes.size);
        }),
      );
    });

    it('is symmetric: swapping the sides swaps them in the answer and negates the level delta', () => {
      const flip = { 'only-left': 'only-right', 'only-right': 'only-left' } as const;
      fc.assert(
        fc.property(matrix, matrix, (a, b) => {
          const ab = sut(a, b);
          const ba = sut(b, a);
          ab.concerns.forEach((c, i) => {
            const d = ba.concerns[i];
            expect(d.code).toBe(c.code);
            expect(d.status).toBe(
              c.status in flip ? flip[c.status as keyof typeof flip] : c.status,
            );
            expect(d.left).toEqual(c.right);
            expect(d.differences).toEqual(c.differences);
            expect(d.levelDelta).toBe(c.levelDelta === null ? null : -c.levelDelta || 0);
          });
        }),
      );
    });

    it('calls a concern the same exactly when level, RAG and that RAG’s deadline agree', () => {
      fc.assert(
        fc.property(matrix, matrix, (a, b) => {
          for (const c of sut(a, b).concerns) {
            if (!c.left || !c.right) continue;
            const alike =
              c.left.level === c.right.level &&
              c.left.rag === c.right.rag &&
              a.deadlines[c.left.rag].hours === b.deadlines[c.right.rag].hours &&
              a.deadlines[c.left.rag].clock === b.deadlines[c.right.rag].clock;
            expect(c.status === 'same').toBe(alike);
          }
        }),
      );
    });
  });
});
