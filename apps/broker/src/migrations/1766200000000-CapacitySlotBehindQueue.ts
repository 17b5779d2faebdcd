import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The slot as CapacitySlotFunction1766000000000 takes it, after an optional check of the queue. */
const takeSlot = (behindQueue: boolean) => `
  CREATE FUNCTION take_capacity_slot(p_partnership text, p_agency text, p_limit integer, p_at timestamptz${
    behindQueue ? ', p_behind_queue boolean DEFAULT false' : ''
  })
  RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    taken bigint;
  BEGIN
    ${
      behindQueue
        ? `IF p_behind_queue AND EXISTS (SELECT 1 FROM capacity_queue
                                        WHERE partnership = p_partnership AND agency = p_agency) THEN
      RETURN NULL;
    END IF;`
        : ''
    }
    PERFORM pg_advisory_xact_lock(hashtext('capacity:' || p_partnership || ':' || p_agency));
    DELETE FROM capacity_slot
     WHERE partnership = p_partnership AND agency = p_agency AND taken_at <= p_at - interval '1 hour';
    INSERT INTO capacity_slot (partnership, agency, taken_at)
    SELECT p_partnership, p_agency, p_at
     WHERE (SELECT count(*) FROM capacity_slot
             WHERE partnership = p_partnership AND agency = p_agency
               AND taken_at > p_at - interval '1 hour') < p_limit
    RETURNING id INTO taken;
    RETURN taken;
  END
  $$`;

/**
 * A new request to an agency must not jump requests already waiting for its capacity: the broker
 * asked the queue (one statement), then took a slot (another), for every agency of every query.
 * `take_capacity_slot` now answers null at once when asked to stand behind a non-empty queue, so
 * a query takes one round trip per agency. The fifth argument defaults to false, so a broker of
 * the previous version calling it with four still takes slots as before during an upgrade.
 */
export class CapacitySlotBehindQueue1766200000000 implements MigrationInterface {
  name = 'CapacitySlotBehindQueue1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION take_capacity_slot(text, text, integer, timestamptz)`);
    await q.query(takeSlot(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION take_capacity_slot(text, text, integer, timestamptz, boolean)`);
    await q.query(takeSlot(false));
  }
}
