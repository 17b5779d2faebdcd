import {
  child,
  children,
  FileImportError,
  invalid,
  isoDate,
  required,
  text,
  type XmlElement,
  upn,
  XmlRecordReader,
} from './xml';
import type { ImportedPerson, ParsedFile } from './types';

/**
 * The DfE Children in Need census (CIN): `Message` > `Header` (`CollectionDetails`, `Source`) and
 * `Children` > `Child` > `ChildIdentifiers` (`LAchildID`, `UPN`, `FormerUPN`, `PersonBirthDate`,
 * `Sex`), `ChildCharacteristics` and `CINdetails` (`CINreferralDate`, `ReferralSource`,
 * `Assessments`, `CINPlanDates`, `Section47`, `ChildProtectionPlans`). The census carries no names
 * or address: a child is found by UPN and date of birth. One `involvement` record per episode.
 */
export const CIN_SHAPE = { root: 'Message', records: ['Message/Children/Child'] };

const SEX: Record<string, ImportedPerson['sex']> = {
  M: 'male',
  F: 'female',
  U: 'unknown',
  // Older censuses: GenderCurrent 1 male, 2 female, 0/9 not known.
  '1': 'male',
  '2': 'female',
  '0': 'unknown',
  '9': 'unknown',
};

function earliest(dates: Array<string | undefined>): string | null {
  const known = dates.filter((d): d is string => d !== undefined).sort();
  return known[0] ?? null;
}

function childRecord(el: XmlElement): ImportedPerson {
  const ids = child(el, 'ChildIdentifiers') ?? (required(el, 'ChildIdentifiers'), undefined)!;
  const sexEl = child(ids, 'Sex') ?? child(ids, 'GenderCurrent');
  if (!sexEl?.text.trim()) required(ids, 'Sex');
  const sex = SEX[sexEl!.text.trim()];
  if (!sex) invalid(sexEl!, `<${sexEl!.name}> is not a known code`);
  const person: ImportedPerson = {
    key: required(ids, 'LAchildID').value,
    upn: upn(ids, 'UPN', true),
    formerUpn: upn(ids, 'FormerUPN', true),
    dateOfBirth: isoDate(ids, 'PersonBirthDate')!,
    sex,
    records: [],
  };
  person.laChildId = person.key;
  const episodes = children(el, 'CINdetails');
  if (!episodes.length) required(el, 'CINdetails');
  for (const cin of episodes) {
    const referral = isoDate(cin, 'CINreferralDate')!;
    const assessments = children(child(cin, 'Assessments'), 'Assessment').map((a) =>
      isoDate(a, 'AssessmentActualStartDate'),
    );
    const plans = children(cin, 'CINPlanDates').map((p) => isoDate(p, 'CINPlanStartDate'));
    const cpps = children(child(cin, 'ChildProtectionPlans'), 'ChildProtectionPlan').map((p) => ({
      start: isoDate(p, 'CPPstartDate'),
      category: text(p, 'LatestCategoryOfAbuse') ?? text(p, 'InitialCategoryOfAbuse') ?? null,
    }));
    const cpp = cpps.sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''))[0];
    for (const s47 of children(cin, 'Section47')) isoDate(s47, 'S47ActualStartDate');
    person.records.push({
      category: 'involvement',
      occurredOn: referral,
      fields: {
        referralDate: referral,
        assessmentDate: earliest(assessments),
        cinPlanStart: earliest(plans),
        cppStart: cpp?.start ?? null,
        cppCategory: cpp?.category ?? null,
        // Looked-after periods are the SSDA903 return's, not the CIN census's.
        lookedAfterStart: null,
        legalStatus: null,
      },
    });
  }
  return person;
}

/** Reads a CIN census chunk by chunk; refuses it at the first problem, naming its line and element. */
export function cinReader(onChild: (p: ImportedPerson) => void) {
  let source = '';
  const reader = new XmlRecordReader({
    ...CIN_SHAPE,
    onSection: (el) => {
      if (el.name !== 'Header') return;
      const collection =
        child(el, 'CollectionDetails') ?? (required(el, 'CollectionDetails'), undefined)!;
      const name = required(collection, 'Collection');
      if (name.value !== 'CIN') invalid(name.at, '<Collection> is not CIN');
      const year = required(collection, 'Year').value;
      const src = child(el, 'Source') ?? (required(el, 'Source'), undefined)!;
      source = `LA ${required(src, 'LEA').value} (CIN ${year})`;
    },
    onRecord: (el) => {
      if (!source)
        throw new FileImportError(
          'FILE.ELEMENT_MISSING',
          el.line,
          'Message/Header',
          'the <Header> must come before the children',
        );
      onChild(childRecord(el));
    },
  });
  return {
    write: (chunk: string) => reader.write(chunk),
    close(people: ImportedPerson[]): ParsedFile {
      const root = reader.close();
      if (!source) required(root, 'Header');
      if (!child(root, 'Children')) required(root, 'Children');
      return { kind: 'cin', source, people };
    },
  };
}
