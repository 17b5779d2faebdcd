import {
  EducationAttendance,
  EducationEnrolment,
  EducationExclusion,
  EducationPupil,
  EducationSchool,
  EducationSenNeed,
} from '../../apps/adapter-education/src/source';
import { academicYear } from './membership';
import {
  agencyViews,
  dayBetween,
  heldIdentifier,
  householdOf,
  truthRow,
  type AgencySeed,
  type BuildContext,
  type TruthRow,
} from './model';
import { isoDay, toDay, WeightedTable } from './rng';

const TERMS = [
  { name: 'Autumn', start: '09-02', end: '12-19', sessions: 140 },
  { name: 'Spring', start: '01-05', end: '03-31', sessions: 116 },
  { name: 'Summer', start: '04-14', end: '07-22', sessions: 128 },
] as const;
const EXCLUSION_REASONS = new WeightedTable<string>([
  ['PD', 40], // persistent disruptive behaviour
  ['VA', 12], // verbal abuse or threatening behaviour against an adult
  ['PP', 10], // physical assault against a pupil
  ['PA', 5], // physical assault against an adult
  ['DA', 6], // drug and alcohol related
  ['VP', 6], // verbal abuse against a pupil
  ['BU', 3], // bullying
  ['DM', 3], // damage
  ['TH', 2], // theft
  ['RA', 2], // racist abuse
  ['MT', 3], // use or threat of use of an offensive weapon
  ['OT', 8], // other
]);
const SEN_K_NEEDS = new WeightedTable<string>([
  ['SLCN', 24],
  ['SEMH', 21],
  ['MLD', 17],
  ['SPLD', 15],
  ['ASD', 9],
  ['OTH', 5],
  ['PD', 3],
  ['HI', 2],
]);
const SEN_E_NEEDS = new WeightedTable<string>([
  ['ASD', 33],
  ['SEMH', 15],
  ['SLCN', 15],
  ['SLD', 10],
  ['MLD', 8],
  ['PD', 5],
  ['PMLD', 2],
]);

/** The education management system: schools, pupils (CTF fields), enrolments, attendance, exclusions, SEN. */
export function buildEducation(ctx: BuildContext): AgencySeed {
  const rng = ctx.rng.fork('education');
  const { asOf } = ctx.population;
  const { schooling } = ctx.membership;
  const people = ctx.population.children.filter(
    (c) => ctx.membership.known.education.has(c.id) && schooling.has(c.id),
  );
  const pupils: object[] = [];
  const enrolments: object[] = [];
  const attendance: object[] = [];
  const exclusions: object[] = [];
  const senNeeds: object[] = [];
  const truth: TruthRow[] = [];
  const thisYear = academicYear(asOf);

  for (const view of agencyViews(ctx, 'education', people)) {
    const { person } = view;
    const s = schooling.get(person.id);
    if (!s) continue;
    const pupilId = rng.uuid();
    const upn = heldIdentifier(rng, s.upn, view);
    pupils.push({
      pupilId,
      upn,
      formerUpn: s.formerUpn,
      surname: view.identity.familyName,
      forename: view.identity.givenName,
      middleNames: person.middleNames,
      preferredSurname: person.previousFamilyName ? person.familyName : null,
      dob: isoDay(view.identity.dob),
      gender: person.sex,
      addressLine: view.address.line,
      postcode: view.address.postcode,
    });
    truth.push(truthRow('education', pupilId, view));
    if (view.duplicate) continue;

    const household = householdOf(ctx, person);
    const year = s.ncYear;
    if (s.previousSchool) {
      const leaving = toDay(`${thisYear - (year - 7)}-07-22`);
      enrolments.push({
        enrolmentId: rng.uuid(),
        pupilId,
        urn: s.previousSchool.urn,
        entryDate: isoDay(toDay(`${academicYear(person.dob) + 5}-09-03`)),
        leavingDate: isoDay(leaving),
        ncYearActual: '6',
        enrolStatus: 'C',
      });
    }
    enrolments.push({
      enrolmentId: rng.uuid(),
      pupilId,
      urn: s.school.urn,
      entryDate: isoDay(s.entryDate),
      leavingDate: null,
      ncYearActual: year === 0 ? 'R' : String(year),
      enrolStatus: 'C',
    });

    // Attendance: last year's three terms and this year's terms so far, sessions pro rata.
    const absenceMean = household.risk === 'high' ? 0.16 : household.risk === 'low' ? 0.09 : 0.055;
    for (const ay of [thisYear - 1, thisYear]) {
      if (ay === thisYear - 1 && year === 0) continue;
      for (const term of TERMS) {
        const calendarYear = term.name === 'Autumn' ? ay : ay + 1;
        const start = toDay(`${calendarYear}-${term.start}`);
        const end = toDay(`${calendarYear}-${term.end}`);
        const from = Math.max(start, s.entryDate);
        if (from >= asOf || from > end) continue;
        const elapsed = (Math.min(end, asOf) - from) / (end - start);
        const possible = Math.max(2, Math.round((term.sessions * elapsed) / 2) * 2);
        const rate = Math.min(0.9, Math.max(0, rng.normal(absenceMean, absenceMean / 2)));
        const missed = Math.round(possible * rate);
        const unauthorised = Math.round(missed * (household.risk === 'none' ? 0.25 : 0.55));
        attendance.push({
          attendanceId: rng.uuid(),
          pupilId,
          urn: s.school.urn,
          term: `${ay}/${String((ay + 1) % 100).padStart(2, '0')} ${term.name}`,
          sessionsPossible: possible,
          sessionsAuthorisedAbsence: missed - unauthorised,
          sessionsUnauthorisedAbsence: unauthorised,
        });
      }
    }

    // Suspensions are mostly a secondary-school matter; permanent exclusions are rare.
    const suspensionRate =
      (year >= 7 ? 0.09 : 0.012) *
      (household.risk === 'high' ? 3.5 : household.risk === 'low' ? 1.8 : 1);
    const count = rng.poisson(suspensionRate * 2);
    for (let i = 0; i < count; i++) {
      const permanent = year >= 7 && rng.chance(0.02);
      exclusions.push({
        exclusionId: rng.uuid(),
        pupilId,
        urn: s.school.urn,
        startDate: isoDay(dayBetween(rng, Math.max(s.entryDate, asOf - 2 * 365), asOf - 1)),
        category: permanent ? 'PERM' : 'FIXD',
        reason: EXCLUSION_REASONS.draw(rng),
        sessions: permanent ? 12 : rng.int(1, 10),
      });
    }

    const sen = rng.next();
    if (sen < 0.045) {
      senNeeds.push({
        senNeedId: rng.uuid(),
        pupilId,
        senProvision: 'E',
        needType: SEN_E_NEEDS.draw(rng),
        needRank: 1,
        ehcpStartDate: isoDay(dayBetween(rng, s.entryDate, asOf - 1)),
      });
    } else if (sen < 0.045 + (household.risk === 'none' ? 0.12 : 0.2)) {
      senNeeds.push({
        senNeedId: rng.uuid(),
        pupilId,
        senProvision: 'K',
        needType: SEN_K_NEEDS.draw(rng),
        needRank: 1,
        ehcpStartDate: null,
      });
    }
  }

  return {
    agency: 'education',
    tables: [
      {
        entity: EducationSchool,
        rows: ctx.membership.schools.map((s) => ({
          urn: s.urn,
          laEstab: s.laEstab,
          schoolName: s.name,
          phase: s.phase,
          postcode: s.postcode,
        })),
      },
      { entity: EducationPupil, rows: pupils },
      { entity: EducationEnrolment, rows: enrolments },
      { entity: EducationAttendance, rows: attendance },
      { entity: EducationExclusion, rows: exclusions },
      { entity: EducationSenNeed, rows: senNeeds },
    ],
    truth,
  };
}
