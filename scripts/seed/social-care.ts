import {
  SocialCareAssessment,
  SocialCareChild,
  SocialCareChildProtectionPlan,
  SocialCareCinPlan,
  SocialCareLookedAfterEpisode,
  SocialCareReferral,
  SocialCareSection47,
} from '../../apps/adapter-social-care/src/source';
import { unique } from './identifiers';
import {
  agencyViews,
  dayBetween,
  heldIdentifier,
  householdOf,
  truthRow,
  type AgencySeed,
  type BuildContext,
  type CareFacts,
  type TruthRow,
} from './model';
import { isoDay, WeightedTable } from './rng';

const SOURCES = new WeightedTable<string>([
  ['5C', 28], // police
  ['2A', 18], // school
  ['3A', 6], // health visitor
  ['3B', 5], // GP
  ['3D', 6], // hospital A&E
  ['1A', 9], // individual
  ['1B', 4], // family member
  ['5A', 8], // LA services
  ['8', 3], // anonymous
  ['9', 2], // unknown
]);
const NEED_CODES = new WeightedTable<string>([
  ['N1', 56],
  ['N2', 8],
  ['N3', 4],
  ['N4', 14],
  ['N5', 12],
  ['N6', 2],
  ['N7', 1],
  ['N8', 2],
  ['N9', 1],
]);
const CPP_CATEGORIES = new WeightedTable<string>([
  ['NEG', 50],
  ['EMO', 37],
  ['PHY', 7],
  ['SAB', 4],
  ['MUL', 2],
]);
const LEGAL_STATUS = new WeightedTable<string>([
  ['C2', 45],
  ['C1', 20],
  ['V2', 25],
  ['E1', 5],
  ['L1', 5],
]);

/** Children's social care: CIN census child, referrals and what followed, and SSDA903 episodes. */
export function buildSocialCare(ctx: BuildContext): AgencySeed {
  const rng = ctx.rng.fork('social-care');
  const { asOf } = ctx.population;
  const people = ctx.population.children.filter((c) =>
    ctx.membership.known['social-care'].has(c.id),
  );
  const ids = new Set<string>();
  const children: object[] = [];
  const referrals: object[] = [];
  const assessments: object[] = [];
  const cinPlans: object[] = [];
  const section47s: object[] = [];
  const cpps: object[] = [];
  const episodes: object[] = [];
  const truth: TruthRow[] = [];

  for (const view of agencyViews(ctx, 'social-care', people)) {
    const { person } = view;
    const household = householdOf(ctx, person);
    const laChildId = unique(ids, () => String(rng.int(1_000_000, 9_999_999)));
    const upn = heldIdentifier(rng, ctx.membership.schooling.get(person.id)?.upn ?? null, view);
    children.push({
      laChildId,
      upn,
      formerUpn: view.duplicate
        ? null
        : (ctx.membership.schooling.get(person.id)?.formerUpn ?? null),
      upnUnknown: upn ? null : ctx.membership.schooling.has(person.id) ? 'UN5' : 'UN1',
      forename: view.identity.givenName,
      surname: view.identity.familyName,
      personBirthDate: isoDay(view.identity.dob),
      genderCurrent: person.sex === 'M' ? 1 : 2,
      addressLine: view.address.line,
      postcode: view.address.postcode,
    });
    truth.push(truthRow('social-care', laChildId, view));
    if (view.duplicate) continue;

    // The story: one or more referrals; for families of concern, assessment, s47, plans and care.
    const serious = household.risk === 'high' || ctx.membership.clean.has(person.id);
    const count = serious ? rng.int(1, 3) : 1;
    const facts: CareFacts = {
      cppStart: null,
      cppEnd: null,
      cppActive: false,
      lacStart: null,
      lacEnd: null,
      lacActive: false,
    };
    let cursor = Math.max(person.dob + 30, asOf - rng.int(200, 5 * 365));
    for (let r = 0; r < count && cursor < asOf - 14; r++) {
      const referralDate = cursor;
      const referralId = rng.uuid();
      const nfa = !serious && rng.chance(0.3);
      const closes = rng.chance(serious ? 0.4 : 0.7);
      const closure = closes ? dayBetween(rng, referralDate + 30, asOf - 1) : null;
      referrals.push({
        referralId,
        laChildId,
        cinReferralDate: isoDay(referralDate),
        referralSource:
          household.concerns.domesticAbuse && rng.chance(0.6) ? '5C' : SOURCES.draw(rng),
        primaryNeedCode: serious ? 'N1' : NEED_CODES.draw(rng),
        referralNfa: nfa,
        cinClosureDate: nfa
          ? isoDay(referralDate)
          : closure && closure < asOf
            ? isoDay(closure)
            : null,
        reasonForClosure: nfa
          ? 'RC8'
          : closure && closure < asOf
            ? rng.pick(['RC1', 'RC2', 'RC7', 'RC8'])
            : null,
      });
      cursor = referralDate + rng.int(120, 700);
      if (nfa) continue;
      const assessmentStart = Math.min(asOf, referralDate + rng.int(0, 10));
      const authorised = assessmentStart + rng.int(10, 45);
      const factors = [
        household.concerns.domesticAbuse ? '3A' : null,
        household.concerns.domesticAbuse ? '3B' : null,
        household.concerns.substanceMisuse ? rng.pick(['1B', '2B']) : null,
        household.concerns.mentalHealth ? '4B' : null,
        household.concerns.neglect ? '9A' : null,
      ].filter((f): f is string => f !== null);
      assessments.push({
        assessmentId: rng.uuid(),
        referralId,
        assessmentActualStartDate: isoDay(assessmentStart),
        assessmentAuthorisationDate: authorised < asOf ? isoDay(authorised) : null,
        assessmentFactors: factors.length > 0 ? factors : [rng.pick(['8B', '6A', '21', '22A'])],
      });
      if (authorised >= asOf) continue;
      if (!serious || rng.chance(0.35)) {
        if (rng.chance(0.5)) {
          const start = authorised + rng.int(0, 20);
          if (start < asOf) {
            const end = start + rng.int(90, 400);
            cinPlans.push({
              cinPlanId: rng.uuid(),
              referralId,
              cinPlanStartDate: isoDay(start),
              cinPlanEndDate: end < asOf ? isoDay(end) : null,
            });
          }
        }
        continue;
      }
      const s47Start = assessmentStart + rng.int(0, 7);
      const target = s47Start + 21;
      const conference = rng.chance(0.75);
      const icpc = conference ? s47Start + rng.int(10, 25) : null;
      section47s.push({
        section47Id: rng.uuid(),
        referralId,
        s47ActualStartDate: isoDay(s47Start),
        initialCpcTarget: isoDay(target),
        icpcDate: icpc !== null && icpc < asOf ? isoDay(icpc) : null,
        icpcNotRequired: !conference,
      });
      if (icpc === null || icpc >= asOf) continue;
      const cppEnd = icpc + rng.int(180, 600);
      const active = cppEnd >= asOf;
      const category = CPP_CATEGORIES.draw(rng);
      cpps.push({
        cppId: rng.uuid(),
        referralId,
        cppStartDate: isoDay(icpc),
        cppEndDate: active ? null : isoDay(cppEnd),
        initialCategoryOfAbuse: category,
        latestCategoryOfAbuse: category,
      });
      facts.cppStart = icpc;
      facts.cppEnd = active ? null : cppEnd;
      facts.cppActive = active;
      cursor = Math.max(cursor, active ? asOf : cppEnd + rng.int(60, 400));
      if (rng.chance(0.2)) {
        const start = icpc + rng.int(30, 300);
        if (start < asOf) {
          const end = start + rng.int(200, 900);
          const lacActive = end >= asOf;
          episodes.push({
            episodeId: rng.uuid(),
            laChildId,
            periodStart: isoDay(start),
            periodEnd: lacActive ? null : isoDay(end),
            legalStatus: LEGAL_STATUS.draw(rng),
          });
          facts.lacStart = start;
          facts.lacEnd = lacActive ? null : end;
          facts.lacActive = lacActive;
        }
      }
    }
    ctx.care.set(person.id, facts);
  }

  return {
    agency: 'social-care',
    tables: [
      { entity: SocialCareChild, rows: children },
      { entity: SocialCareReferral, rows: referrals },
      { entity: SocialCareAssessment, rows: assessments },
      { entity: SocialCareCinPlan, rows: cinPlans },
      { entity: SocialCareSection47, rows: section47s },
      { entity: SocialCareChildProtectionPlan, rows: cpps },
      { entity: SocialCareLookedAfterEpisode, rows: episodes },
    ],
    truth,
  };
}
