import { isValidNhsNumber, isValidUpn } from '@mash/matching';
import { generateSeed } from './run';
import { isoDay } from './rng';

const NAME_FIELDS = {
  police: ['forename', 'surname', 'dateOfBirth'],
  health: ['givenName', 'familyName', 'birthDate'],
} as const;

describe(generateSeed.name, () => {
  const options = { people: 1500, seed: 7, asOf: '2026-11-01' };
  const sut = generateSeed(options);

  it('produces the same records for the same seed and different ones for another', () => {
    const again = generateSeed(options);
    expect(JSON.stringify(again.agencies)).toBe(JSON.stringify(sut.agencies));
    const other = generateSeed({ ...options, seed: 8 });
    expect(JSON.stringify(other.agencies)).not.toBe(JSON.stringify(sut.agencies));
  });

  it('names 5-10 demo children, at least three known to all four agencies', () => {
    expect(sut.subjects.length).toBeGreaterThanOrEqual(5);
    expect(sut.subjects.length).toBeLessThanOrEqual(10);
    expect(sut.subjects.filter((s) => s.knownTo.length === 4).length).toBeGreaterThanOrEqual(3);
  });

  it('gives every person a valid NHS number and every pupil a valid UPN', () => {
    expect(sut.population.people.every((p) => isValidNhsNumber(p.nhsNumber))).toBe(true);
    for (const s of sut.membership.schooling.values()) {
      expect(isValidUpn(s.upn)).toBe(true);
      if (s.formerUpn) expect(isValidUpn(s.formerUpn)).toBe(true);
    }
  });

  it('makes twins who share a surname and date of birth but not a given name', () => {
    const groups = new Map<string, { familyName: string; dob: number; givenName: string }[]>();
    for (const c of sut.population.children)
      if (c.twinGroup) groups.set(c.twinGroup, [...(groups.get(c.twinGroup) ?? []), c]);
    expect(groups.size).toBeGreaterThan(0);
    for (const [a, b] of groups.values()) {
      expect(b.familyName).toBe(a.familyName);
      expect(b.dob).toBe(a.dob);
      expect(b.givenName).not.toBe(a.givenName);
    }
  });

  it('corrupts a few records per agency, leaving exact name and date of birth right for most', () => {
    for (const seed of sut.agencies) {
      const identityErrors = seed.truth.filter((t) =>
        t.corruptions.some((c) => /name|dob|surname|twin/.test(c)),
      ).length;
      expect(identityErrors).toBeGreaterThan(0);
      expect(identityErrors / seed.truth.length).toBeLessThan(0.15);
    }
  });

  it('writes perfect copies when corruption is scaled to zero', () => {
    const clean = generateSeed({ ...options, corruption: 0 });
    const people = new Map(clean.population.people.map((p) => [p.id, p]));
    for (const agency of ['police', 'health'] as const) {
      const seed = clean.agencies.find((a) => a.agency === agency);
      expect(seed?.truth.every((t) => t.corruptions.length === 0)).toBe(true);
      const [given, family, dob] = NAME_FIELDS[agency];
      const rows =
        seed?.tables.find((table) => table.rows.length > 0 && given in table.rows[0])?.rows ?? [];
      seed?.truth.forEach((t, i) => {
        const person = people.get(t.personId);
        expect([rows[i][given], rows[i][family]]).toEqual([person?.givenName, person?.familyName]);
        expect(rows[i][dob] === null || typeof rows[i][dob] === 'string').toBe(true);
      });
    }
  });

  it('knows most children to health, some to police and a few to social care', () => {
    const children = new Set(sut.population.children.map((c) => c.id));
    const share = (agency: string) => {
      const seed = sut.agencies.find((a) => a.agency === agency);
      return (
        new Set(seed?.truth.filter((t) => children.has(t.personId)).map((t) => t.personId)).size /
        children.size
      );
    };
    expect(share('health')).toBeGreaterThan(0.9);
    expect(share('police')).toBeGreaterThan(0.05);
    expect(share('police')).toBeLessThan(0.3);
    expect(share('social-care')).toBeGreaterThan(0.02);
    expect(share('social-care')).toBeLessThan(0.2);
  });

  it('gives demo children coherent households: one address, parents older, a grandmother older still', () => {
    const withHousehold = sut.subjects.filter((s) => s.household && s.household.length > 0);
    expect(withHousehold.length).toBeGreaterThan(0);
    expect(JSON.stringify(generateSeed(options).subjects)).toBe(JSON.stringify(sut.subjects));
    for (const { subject, household } of withHousehold) {
      for (const m of household!) expect(m.postcode).toBe(subject.postcode);
      const parents = household!.filter((m) => m.relationship === 'parent');
      expect(parents.length).toBeGreaterThan(0);
      for (const p of parents) expect(p.dateOfBirth < subject.dateOfBirth).toBe(true);
      const grandmother = household!.find((m) => m.relationship === 'other-adult');
      if (grandmother) {
        expect(grandmother.knownTo).toEqual([]);
        for (const p of parents) expect(grandmother.dateOfBirth < p.dateOfBirth).toBe(true);
      }
    }
    // Some adults the MASH would ask about are known to the police.
    expect(
      sut.subjects.some((s) =>
        s.household?.some((m) => m.relationship !== 'sibling' && m.knownTo.includes('police')),
      ),
    ).toBe(true);
  });
  it('offers a step family: the child, a sibling, the mother, her partner known to police, a grandmother', () => {
    const step = sut.subjects[sut.subjects.length - 1];
    const relationships = step!.household!.map((m) => m.relationship).sort();
    expect(relationships).toEqual(
      expect.arrayContaining(['other-adult', 'parent', 'partner-of-parent']),
    );
    const partner = step!.household!.find((m) => m.relationship === 'partner-of-parent')!;
    expect(partner.knownTo).toContain('police');
    // Not the children's father: his surname is his own, and the mother is there as a parent.
    expect(step!.household!.filter((m) => m.relationship === 'parent')).toHaveLength(1);
    // Appended after the demo children chosen before it, so they keep their places.
    expect(
      sut.membership.demo.some(
        (c) => c.givenName === step.subject.givenName && isoDay(c.dob) === step.subject.dateOfBirth,
      ),
    ).toBe(false);
    // The police hold him as the suspect of the household's domestic incidents, with a marker.
    const police = sut.agencies.find((a) => a.agency === 'police')!;
    const people = new Map(sut.population.people.map((p) => [p.id, p]));
    const ref = police.truth.find((t) => {
      const p = people.get(t.personId)!;
      return p.givenName === partner.givenName && p.familyName === partner.familyName;
    })!.recordRef;
    const markers = police.tables.find((t) => t.rows.length > 0 && 'markerCode' in t.rows[0])!.rows;
    expect(markers.filter((m) => m.personId === ref).map((m) => m.markerCode)).toContain('VI');
  });

  it('flags adults to health for mental health and substance misuse where that lies behind the concern', () => {
    const health = sut.agencies.find((a) => a.agency === 'health')!;
    const flags = health.tables.find((t) => t.rows.length > 0 && 'code' in t.rows[0])!.rows;
    const byRef = new Map(health.truth.map((t) => [t.recordRef, t]));
    const households = new Map(sut.population.households.map((h) => [h.id, h]));
    const adult = flags.filter((f) => f.code === 'MH' || f.code === 'SM');
    expect(adult.filter((f) => f.code === 'MH').length).toBeGreaterThan(0);
    expect(adult.filter((f) => f.code === 'SM').length).toBeGreaterThan(0);
    for (const f of adult) {
      const t = byRef.get(f.patientId as string)!;
      expect(t.isChild).toBe(false);
      const concerns = households.get(t.householdId)!.concerns;
      expect(f.code === 'MH' ? concerns.mentalHealth : concerns.substanceMisuse).toBe(true);
    }
    // Children keep only CP-IS flags.
    for (const f of flags.filter((x) => x.code === 'CPP' || x.code === 'LAC'))
      expect(byRef.get(f.patientId as string)!.isChild).toBe(true);
  });
});
