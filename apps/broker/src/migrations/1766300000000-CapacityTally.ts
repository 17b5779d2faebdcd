import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SLOTS_IN_THE_HOUR, takeCapacitySlotFunction } from './1766000000000-CapacitySlotFunction';

/** The agency's tally: the slots it holds, the expired ones being pruned just before it is read. */
const TALLY = `coalesce((SELECT t.taken FROM capacity_tally t
                 WHERE t.partnership = p_partnership AND t.agency = p_agency), 0)`;

/**
 * Taking a capacity slot counted every slot the agency took in the last hour: the work grew with
 * the agency's capacity, so an agency that takes 100 requests a second (360,000 an hour) would
 * have cost a count of 360,000 rows per request. A tally per partnership and agency
 * (`capacity_tally`), kept by a trigger on every insert and delete of a slot (taking, pruning and
 * giving back alike), replaces the count; `take_capacity_slot` prunes the expired slots as before,
 * so the tally is the number within the hour. The table is locked while the tally is filled, so a
 * previous broker taking slots during the upgrade cannot be missed.
 */
export class CapacityTally1766300000000 implements MigrationInterface {
  name = 'CapacityTally1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE capacity_slot IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`
      CREATE TABLE capacity_tally (
        partnership text NOT NULL,
        agency text NOT NULL,
        taken integer NOT NULL,
        CONSTRAINT "PK_capacity_tally" PRIMARY KEY (partnership, agency))`);
    await q.query(`
      INSERT INTO capacity_tally (partnership, agency, taken)
      SELECT partnership, agency, count(*) FROM capacity_slot GROUP BY partnership, agency`);
    await q.query(`
      CREATE FUNCTION mash_capacity_tally() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO capacity_tally AS t (partnership, agency, taken)
            VALUES (NEW.partnership, NEW.agency, 1)
            ON CONFLICT (partnership, agency) DO UPDATE SET taken = t.taken + 1;
        ELSE
          UPDATE capacity_tally SET taken = taken - 1
           WHERE partnership = OLD.partnership AND agency = OLD.agency;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER capacity_slot_tally AFTER INSERT OR DELETE ON capacity_slot
        FOR EACH ROW EXECUTE FUNCTION mash_capacity_tally()`);
    await q.query(takeCapacitySlotFunction('CREATE OR REPLACE', TALLY));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(takeCapacitySlotFunction('CREATE OR REPLACE', SLOTS_IN_THE_HOUR));
    await q.query(`DROP TRIGGER capacity_slot_tally ON capacity_slot`);
    await q.query(`DROP FUNCTION mash_capacity_tally()`);
    await q.query(`DROP TABLE capacity_tally`);
  }
}
