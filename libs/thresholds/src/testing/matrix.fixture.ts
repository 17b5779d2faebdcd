import { REQUIRED_CONCERN_CODES, type ThresholdMatrixInput } from '../schema';

/** A valid matrix document for tests; override any top-level field. */
export function matrixDocument(
  overrides: Partial<ThresholdMatrixInput> = {},
): ThresholdMatrixInput {
  const concerns = Object.fromEntries(
    REQUIRED_CONCERN_CODES.map((code) => [
      code,
      { label: code, level: 3 as const, rag: 'amber' as const },
    ]),
  ) as ThresholdMatrixInput['concerns'];
  return {
    partnership: 'test',
    version: 1,
    effectiveFrom: '2024-01-01',
    concerns,
    deadlines: {
      red: { hours: 4, clock: 'elapsed' },
      amber: { hours: 24, clock: 'working' },
      green: { hours: 72, clock: 'elapsed' },
    },
    nearDeadlineMinutes: 60,
    capacity: { police: { queriesPerHour: 120 } },
    retentionDaysAfterClose: 90,
    ...overrides,
  };
}
