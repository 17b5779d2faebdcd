import {
  type Concern,
  type DeadlineRule,
  type Deadlines,
  type Level,
  type Rag,
  RAGS,
} from './schema';

/** What a comparison needs of a matrix: its concerns and the deadline of each RAG. */
export interface ComparableMatrix {
  concerns: Readonly<Record<string, Concern>>;
  deadlines: Deadlines;
}

/** How one side grades a concern, with the deadline its RAG carries on that side. */
export interface ConcernGrading {
  label: string;
  level: Level;
  rag: Rag;
  deadline: DeadlineRule;
}

export type ConcernDifference = 'level' | 'rag' | 'deadline';

export interface ComparedConcern {
  code: string;
  /** `same`: graded alike; `different`: see `differences`; `only-left`/`only-right`: one side lacks the code. */
  status: 'same' | 'different' | 'only-left' | 'only-right';
  left: ConcernGrading | null;
  right: ConcernGrading | null;
  /** What differs when both sides know the concern (the label is wording, not a difference). */
  differences: ConcernDifference[];
  /** Right level minus left level: positive when the right side grades the concern higher. */
  levelDelta: number | null;
  /** Which side treats the concern as more urgent (RAG), when they differ. */
  moreUrgent: 'left' | 'right' | null;
}

export interface ComparedDeadline {
  rag: Rag;
  left: DeadlineRule;
  right: DeadlineRule;
  differs: boolean;
}

export interface MatrixComparison {
  /** Every concern either side knows, by code. */
  concerns: ComparedConcern[];
  deadlines: ComparedDeadline[];
  summary: Record<ComparedConcern['status'], number>;
}

function grading(matrix: ComparableMatrix, code: string): ConcernGrading | null {
  if (!Object.hasOwn(matrix.concerns, code)) return null;
  const c = matrix.concerns[code];
  return { label: c.label, level: c.level, rag: c.rag, deadline: matrix.deadlines[c.rag] };
}

function sameRule(a: DeadlineRule, b: DeadlineRule): boolean {
  return a.hours === b.hours && a.clock === b.clock;
}

/**
 * Side by side: for each concern, whether the two matrices grade it at the same level and RAG and
 * give it the same deadline (the deadline of its RAG on each side, so a concern can differ by
 * deadline alone when the two sides time the same RAG differently). Pure and symmetric: swapping
 * the sides swaps `left`/`right`, negates `levelDelta` and nothing else.
 */
export function compareMatrices(left: ComparableMatrix, right: ComparableMatrix): MatrixComparison {
  const codes = [
    ...new Set([...Object.keys(left.concerns), ...Object.keys(right.concerns)]),
  ].sort();
  const concerns = codes.map((code): ComparedConcern => {
    const l = grading(left, code);
    const r = grading(right, code);
    if (!l || !r) {
      return {
        code,
        status: l ? 'only-left' : 'only-right',
        left: l,
        right: r,
        differences: [],
        levelDelta: null,
        moreUrgent: null,
      };
    }
    const differences: ConcernDifference[] = [];
    if (l.level !== r.level) differences.push('level');
    if (l.rag !== r.rag) differences.push('rag');
    if (!sameRule(l.deadline, r.deadline)) differences.push('deadline');
    const urgency = RAGS.indexOf(l.rag) - RAGS.indexOf(r.rag);
    return {
      code,
      status: differences.length === 0 ? 'same' : 'different',
      left: l,
      right: r,
      differences,
      levelDelta: r.level - l.level,
      // RAGS runs from most to least urgent: a lower index is more urgent.
      moreUrgent: urgency === 0 ? null : urgency < 0 ? 'left' : 'right',
    };
  });
  const summary = { same: 0, different: 0, 'only-left': 0, 'only-right': 0 };
  for (const c of concerns) summary[c.status] += 1;
  return {
    concerns,
    deadlines: RAGS.map((rag) => ({
      rag,
      left: left.deadlines[rag],
      right: right.deadlines[rag],
      differs: !sameRule(left.deadlines[rag], right.deadlines[rag]),
    })),
    summary,
  };
}
