import { RAGS, type Rag } from '@mash/thresholds';

/** A case taken into the hub, as the consistency measure sees it: no personal data. */
export interface RatedCase {
  concerns: readonly string[];
  /** Who made the first rating (opened the case), as the audit log names actors. */
  firstRatedBy: string;
  /** Every later change of its RAG, oldest first. */
  changes: ReadonlyArray<{ from: Rag; to: Rag }>;
}

export interface AgencyLoad {
  agency: string;
  /** Queries sent to the agency in the period (each asks about one case). */
  asked: number;
  /** Most queries sent to it in any one clock hour of the period. */
  busiestHour: number;
  /** The configured capacity (matrix in force at the end of the period), if any. */
  queriesPerHour: number | null;
}

export interface RerateCounts {
  rated: number;
  rerated: number;
  /** rerated / rated, to three places; null when nothing was rated. */
  rate: number | null;
  /** First change made the case more urgent (e.g. amber to red). */
  raised: number;
  /** First change made it less urgent. */
  lowered: number;
}

export interface ConsistencyInput {
  cases: readonly RatedCase[];
  agencies: readonly AgencyLoad[];
  periodHours: number;
  /** How a person is named in the report (a pseudonym), and who is asking. */
  label: (actor: string) => string;
  caller: string;
}

function counts(cases: readonly RatedCase[]): RerateCounts {
  let rerated = 0;
  let raised = 0;
  let lowered = 0;
  for (const c of cases) {
    const first = c.changes[0];
    if (!first) continue;
    rerated += 1;
    // RAGS runs from most to least urgent.
    if (RAGS.indexOf(first.to) < RAGS.indexOf(first.from)) raised += 1;
    else lowered += 1;
  }
  return {
    rated: cases.length,
    rerated,
    rate: cases.length === 0 ? null : Math.round((rerated / cases.length) * 1000) / 1000,
    raised,
    lowered,
  };
}

function groupBy<K>(
  cases: readonly RatedCase[],
  keys: (c: RatedCase) => Iterable<K>,
): Map<K, RatedCase[]> {
  const groups = new Map<K, RatedCase[]>();
  for (const c of cases)
    for (const key of new Set(keys(c))) groups.set(key, [...(groups.get(key) ?? []), c]);
  return groups;
}

const ratio = (n: number, d: number | null) =>
  d === null || d === 0 ? null : Math.round((n / d) * 1000) / 1000;

/**
 * How consistently the partnership applies its thresholds: how often a first rating is changed,
 * overall, by concern (a case counts under each of its concerns) and by the person who made it;
 * and how many queries each agency received against the capacity it configured. Counts only.
 */
export function consistencyReport(input: ConsistencyInput) {
  const byConcern = [...groupBy(input.cases, (c) => c.concerns)]
    .map(([concern, cases]) => ({ concern, ...counts(cases) }))
    .sort((a, b) => a.concern.localeCompare(b.concern));
  const byAnalyst = [...groupBy(input.cases, (c) => [c.firstRatedBy])]
    .map(([actor, cases]) => ({
      analyst: input.label(actor),
      ...(actor === input.caller ? { you: true } : {}),
      ...counts(cases),
    }))
    .sort((a, b) => a.analyst.localeCompare(b.analyst));
  const agencies = [...input.agencies]
    .sort((a, b) => a.agency.localeCompare(b.agency))
    .map((a) => {
      const capacityInPeriod =
        a.queriesPerHour === null ? null : Math.floor(a.queriesPerHour * input.periodHours);
      return {
        ...a,
        capacityInPeriod,
        /** Share of the period's capacity used (asked / capacityInPeriod). */
        utilisation: ratio(a.asked, capacityInPeriod),
        /** The busiest hour against the hourly capacity: 1 means the agency was at its limit. */
        peakUtilisation: ratio(a.busiestHour, a.queriesPerHour),
      };
    });
  return { overall: counts(input.cases), byConcern, byAnalyst, agencies };
}
