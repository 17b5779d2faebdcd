import type { MashOutcomeFeedback } from './connector';

/** Anything that runs parameterised SQL: a TypeORM DataSource or EntityManager, a pg client. */
interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Stores a MASH outcome in the agency's `mash_outcome` table (outcome_id unique), the shape the
 * four example sources share. Idempotent: a redelivered outcome changes nothing.
 */
export async function insertMashOutcome(
  db: SqlRunner,
  outcome: MashOutcomeFeedback,
): Promise<void> {
  await db.query(
    `INSERT INTO mash_outcome (outcome_id, case_ref, subject_ref, outcome, decided_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (outcome_id) DO NOTHING`,
    [
      outcome.outcomeId,
      outcome.caseRef,
      outcome.subjectRef ?? null,
      outcome.outcome,
      outcome.decidedAt,
    ],
  );
}
