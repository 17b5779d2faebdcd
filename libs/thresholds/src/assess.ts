import { NoConcernsError, UnknownConcernError } from './errors';
import {
  type Concern,
  LEVEL_NAMES,
  type Level,
  type Rag,
  RAGS,
  type ThresholdMatrix,
} from './schema';

export interface AssessedConcern extends Concern {
  code: string;
}

export interface Assessment {
  /** Highest level among the known concerns. */
  level: Level;
  /** Most urgent RAG among the known concerns. */
  rag: Rag;
  /** Codes the matrix does not define; non-empty means the referral must be refused (400). */
  concernsUnknown: string[];
  /** The known concerns, most serious first, so a caller can say why the case was graded so. */
  basis: AssessedConcern[];
}

/**
 * Grades a referral: the case takes the highest level and the most urgent RAG of its concerns.
 * Repeated codes count once. Unknown codes are returned in `concernsUnknown` (level and RAG then
 * reflect only the known ones); use {@link assessOrThrow} to turn them into an error.
 * Throws {@link NoConcernsError} when no concern is given at all.
 */
export function assess(
  matrix: Pick<ThresholdMatrix, 'concerns'>,
  concerns: readonly string[],
): Assessment {
  if (concerns.length === 0) throw new NoConcernsError();
  const basis: AssessedConcern[] = [];
  const concernsUnknown: string[] = [];
  for (const code of new Set(concerns)) {
    const concern = Object.hasOwn(matrix.concerns, code) ? matrix.concerns[code] : undefined;
    if (concern) basis.push({ code, ...concern });
    else concernsUnknown.push(code);
  }
  basis.sort(bySeverity);
  const top = basis[0];
  return {
    // With no known concern at all there is nothing to grade; the caller must refuse anyway.
    level: top ? (Math.max(...basis.map((c) => c.level)) as Level) : 1,
    rag: top ? RAGS[Math.min(...basis.map((c) => RAGS.indexOf(c.rag)))] : 'green',
    concernsUnknown,
    basis,
  };
}

/** {@link assess}, throwing {@link UnknownConcernError} (`THRESHOLD.UNKNOWN_CONCERN`) on unknown codes. */
export function assessOrThrow(
  matrix: Pick<ThresholdMatrix, 'concerns'>,
  concerns: readonly string[],
): Assessment {
  const assessment = assess(matrix, concerns);
  if (assessment.concernsUnknown.length > 0) {
    throw new UnknownConcernError(assessment.concernsUnknown, Object.keys(matrix.concerns).sort());
  }
  return assessment;
}

export type Triage =
  | { action: 'signpost'; level: 1; reason: string }
  | { action: 'accept'; level: Exclude<Level, 1>; reason: string };

/**
 * Whether the hub takes the referral in. Level 1 (universal) is signposted to universal services
 * and not opened as a MASH case; `reason` is plain English for the case record and the referrer.
 */
export function triage(assessment: Pick<Assessment, 'level' | 'rag' | 'basis'>): Triage {
  const labels = assessment.basis.map((c) => c.label.toLowerCase());
  const listed = labels.length > 0 ? ` (${joinList(labels)})` : '';
  if (assessment.level === 1) {
    return {
      action: 'signpost',
      level: 1,
      reason:
        `Signposted, not taken into the MASH: every concern raised${listed} is at level 1 ` +
        `(universal), so the child's needs can be met by universal services such as the school, ` +
        `GP or health visitor without multi-agency information sharing.`,
    };
  }
  const byLevel = assessment.basis.find((c) => c.level === assessment.level);
  const byRag = assessment.basis.find((c) => c.rag === assessment.rag);
  let because = '';
  if (byLevel && byRag && byLevel.code === byRag.code) {
    because = `, because of the concern "${byLevel.label}"`;
  } else if (byLevel && byRag) {
    because = `: level from "${byLevel.label}", RAG from "${byRag.label}"`;
  }
  return {
    action: 'accept',
    level: assessment.level,
    reason:
      `Taken into the MASH at level ${assessment.level} (${LEVEL_NAMES[assessment.level]}), ` +
      `RAG ${assessment.rag}${because}.`,
  };
}

/** True when the assessment means the referral is signposted rather than taken in. */
export function isSignposted(assessment: Pick<Assessment, 'level'>): boolean {
  return assessment.level === 1;
}

function bySeverity(a: AssessedConcern, b: AssessedConcern): number {
  return (
    b.level - a.level ||
    RAGS.indexOf(a.rag) - RAGS.indexOf(b.rag) ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
