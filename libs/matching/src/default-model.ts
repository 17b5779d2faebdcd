import type { FieldName } from './compare';
import { FIELD_LEVELS } from './compare';
import { DEFAULT_THRESHOLDS, type MatchModel } from './model';

/** Hand-set m and u per level, in FIELD_LEVELS order; normalised to sum to one below. */
const HAND_SET: Record<FieldName, { m: number[]; u: number[] }> = {
  givenName: { m: [0.88, 0.07, 0.03, 0.02], u: [0.005, 0.003, 0.03, 0.962] },
  // Family names change (a step-parent's surname, a double-barrelled name dropped).
  familyName: { m: [0.85, 0.05, 0.03, 0.07], u: [0.002, 0.002, 0.02, 0.976] },
  // u for children aged 0 to 18: 1 / (18 * 365) share a date of birth.
  dateOfBirth: {
    m: [0.93, 0.02, 0.02, 0.01, 0.01, 0.01],
    u: [0.00015, 0.00012, 0.0012, 0.0045, 0.05, 0.944],
  },
  sex: { m: [0.98, 0.02], u: [0.5, 0.5] },
  // Families move: a tenth of true matches have an unrelated postcode.
  postcode: { m: [0.75, 0.05, 0.08, 0.02, 0.1], u: [0.00005, 0.002, 0.01, 0.0005, 0.98745] },
  address: { m: [0.6, 0.2, 0.05, 0.15], u: [0.00001, 0.00005, 0.002, 0.99794] },
  nhsNumber: { m: [0.97, 0.01, 0.02], u: [0.0000001, 0.000001, 0.9999989] },
  upn: { m: [0.97, 0.01, 0.02], u: [0.0000001, 0.000001, 0.9999989] },
  pncId: { m: [0.95, 0.02, 0.03], u: [0.0000001, 0.000001, 0.9999989] },
  laChildId: { m: [0.95, 0.02, 0.03], u: [0.0000001, 0.000001, 0.9999989] },
  other: { m: [0.95, 0.02, 0.03], u: [0.0000001, 0.000001, 0.9999989] },
};

/**
 * A plausible model for children's records in one local authority, for use before a model has
 * been fitted to an agency's own data (and in tests). `population` is the number of children
 * the source holds: the prior odds that a given candidate is the subject are 1 : population.
 */
export function defaultModel(population = 100_000): MatchModel {
  const fields: MatchModel['fields'] = {};
  for (const [field, p] of Object.entries(HAND_SET) as Array<
    [FieldName, { m: number[]; u: number[] }]
  >) {
    const norm = (xs: number[]): number[] => {
      const s = xs.reduce((a, b) => a + b, 0);
      return xs.map((x) => x / s);
    };
    fields[field] = { levels: [...FIELD_LEVELS[field]], m: norm(p.m), u: norm(p.u) };
  }
  return {
    version: 1,
    fields,
    priorLog2Odds: -Math.log2(population),
    thresholds: { ...DEFAULT_THRESHOLDS },
  };
}
