import type { MashOutcomeFeedback } from './connector';

/** Anything that runs parameterised SQL: a TypeORM DataSource or EntityManager, a pg client. */
interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Stores a MASH outcome in a `mash_outcome`-shaped table (outcome_id unique): by default the
 * adapter's own, or one the agency names. Idempotent: a redelivered outcome changes nothing.
 */
export async function insertMashOutcome(
  db: SqlRunner,
  outcome: MashOutcomeFeedback,
  table = 'mash_outcome',
): Promise<void> {
  // The table name comes from validated configuration (a lower-case identifier), never from a message.
  await db.query(
    `INSERT INTO ${table} (outcome_id, case_ref, subject_ref, outcome, decided_at)
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
