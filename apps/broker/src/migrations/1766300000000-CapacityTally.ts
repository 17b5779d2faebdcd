import type { MigrationInterface, QueryRunner } from 'typeorm';

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
    await q.query(
      takeSlot(`coalesce((SELECT t.taken FROM capacity_tally t
                 WHERE t.partnership = p_partnership AND t.agency = p_agency), 0)`),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      takeSlot(`(SELECT count(*) FROM capacity_slot
                 WHERE partnership = p_partnership AND agency = p_agency
                   AND taken_at > p_at - interval '1 hour')`),
    );
    await q.query(`DROP TRIGGER capacity_slot_tally ON capacity_slot`);
    await q.query(`DROP FUNCTION mash_capacity_tally()`);
    await q.query(`DROP TABLE capacity_tally`);
  }
}

/** The four-argument function of CapacitySlotFunction1766000000000, counting with `taken`. */
function takeSlot(taken: string): string {
  return `
      CREATE OR REPLACE FUNCTION take_capacity_slot(p_partnership text, p_agency text, p_limit integer, p_at timestamptz)
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
