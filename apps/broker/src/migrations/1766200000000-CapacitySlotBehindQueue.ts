import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A new request to an agency must not jump requests already waiting for its capacity: the broker
 * asked the queue (one statement), then took a slot (another), for every agency of every query.
 * `take_capacity_slot` gains an overload with a fifth argument, `p_behind_queue`: when true it
 * answers null at once while requests wait, and otherwise takes the slot as the four-argument
 * function (CapacitySlotFunction1766000000000) does, so a query takes one round trip per agency.
 * The four-argument function stays, for a broker of the previous version during an upgrade.
 */
export class CapacitySlotBehindQueue1766200000000 implements MigrationInterface {
  name = 'CapacitySlotBehindQueue1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION take_capacity_slot(p_partnership text, p_agency text, p_limit integer,
                                         p_at timestamptz, p_behind_queue boolean)
      RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF p_behind_queue AND EXISTS (SELECT 1 FROM capacity_queue
                                       WHERE partnership = p_partnership AND agency = p_agency) THEN
          RETURN NULL;
        END IF;
        RETURN take_capacity_slot(p_partnership, p_agency, p_limit, p_at);
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION take_capacity_slot(text, text, integer, timestamptz, boolean)`);
  }
}
