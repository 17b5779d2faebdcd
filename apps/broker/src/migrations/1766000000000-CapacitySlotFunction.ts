import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Taking a capacity slot in one call (issue 15). The slot was taken in a transaction of its own:
 * the per-agency lock, then the count and insert, then the commit, three round trips from Node
 * with the lock held throughout. Under load each round trip waited on a busy event loop, so the
 * lock was held for tenths of a second and every query to that agency queued behind it: about
 * five queries a second in all. The function does the same inside PostgreSQL (a VOLATILE
 * function reads each statement with a fresh snapshot, so the count sees every slot committed
 * before the lock was granted), and the lock ends with the caller's one-statement transaction.
 */
export class CapacitySlotFunction1766000000000 implements MigrationInterface {
  name = 'CapacitySlotFunction1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(takeCapacitySlotFunction('CREATE', SLOTS_IN_THE_HOUR));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION take_capacity_slot(text, text, integer, timestamptz)`);
  }
}

/** How many slots the agency holds in the hour ending `p_at`: what this migration's function counts. */
export const SLOTS_IN_THE_HOUR = `(SELECT count(*) FROM capacity_slot
                 WHERE partnership = p_partnership AND agency = p_agency
                   AND taken_at > p_at - interval '1 hour')`;

/**
 * `take_capacity_slot(partnership, agency, limit, at)`: under the agency's lock, prunes the slots
 * older than the hour and takes one while `taken` (an SQL expression over the function's
 * arguments) is below the limit. Later migrations (CapacityTally) change only how it counts.
 */
export function takeCapacitySlotFunction(
  create: 'CREATE' | 'CREATE OR REPLACE',
  taken: string,
): string {
  return `
      ${create} FUNCTION take_capacity_slot(p_partnership text, p_agency text, p_limit integer, p_at timestamptz)
      RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        taken bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('capacity:' || p_partnership || ':' || p_agency));
        DELETE FROM capacity_slot
         WHERE partnership = p_partnership AND agency = p_agency AND taken_at <= p_at - interval '1 hour';
        INSERT INTO capacity_slot (partnership, agency, taken_at)
        SELECT p_partnership, p_agency, p_at
         WHERE ${taken} < p_limit
        RETURNING id INTO taken;
        RETURN taken;
      END
      $$`;
}
