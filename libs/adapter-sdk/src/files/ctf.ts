import {
  child,
  FileImportError,
  children,
  invalid,
  isoDate,
  required,
  text,
  type XmlElement,
  upn,
  XmlRecordReader,
} from './xml';
import type { ImportedPerson, ImportedRecord, ParsedFile } from './types';

/**
 * The DfE Common Transfer File (CTF): `CTfile` > `Header` (`CTFversion`, `DateTime`,
 * `SourceSchool` with `LEA`, `Estab`, `SchoolName`) and `CTFpupilData` > `Pupil`. Only what the
 * education agreement's categories and the matcher need is read: identity (`UPN`, `FormerUPN`,
 * `Surname`, `FormerSurname`/`PreferredSurname`, `Forename`, `DOB`, `Gender`, `Address`),
 * `SchoolHistory`, `Attendance`, `Exclusions` and `SENhistory`. Other elements are ignored.
 */
export const CTF_SHAPE = { root: 'CTfile', records: ['CTfile/CTFpupilData/Pupil'] };

const GENDER: Record<string, ImportedPerson['sex']> = { M: 'male', F: 'female', U: 'unknown' };

function int(el: XmlElement, name: string): number | undefined {
  const t = text(el, name);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t)) invalid(child(el, name)!, `<${name}> is not a whole number`);
  return Number(t);
}

function address(pupil: XmlElement): { address?: string; postcode?: string } {
  const a = child(pupil, 'Address');
  if (!a) return {};
  const bs = child(a, 'BS7666Address');
  const lines = children(child(a, 'AddressLines'), 'AddressLine').map((l) => l.text.trim());
  const line = bs
    ? [text(bs, 'SAON'), text(bs, 'PAON'), text(bs, 'Street')].filter(Boolean).join(' ')
    : lines[0];
  return {
    address: line || undefined,
    postcode: text(a, 'Postcode') ?? (bs && text(bs, 'Postcode')),
  };
}

function pupil(el: XmlElement, source: SourceSchool): ImportedPerson {
  const gender = required(el, 'Gender');
  const sex = GENDER[gender.value];
  if (!sex) invalid(gender.at, '<Gender> is not M, F or U');
  const person: ImportedPerson = {
    key: upn(el, 'UPN')!,
    formerUpn: upn(el, 'FormerUPN', true),
    familyName: required(el, 'Surname').value,
    otherFamilyName: text(el, 'PreferredSurname') ?? text(el, 'FormerSurname'),
    givenName: required(el, 'Forename').value,
    dateOfBirth: isoDate(el, 'DOB')!,
    sex,
    ...address(el),
    records: [],
  };
  person.upn = person.key;
  const records: ImportedRecord[] = person.records;

  for (const school of children(child(el, 'SchoolHistory'), 'School')) {
    const entry = isoDate(school, 'EntryDate', true);
    const lea = text(school, 'LEA');
    const estab = text(school, 'Estab');
    const here = lea === source.lea && estab === source.estab;
    records.push({
      category: 'enrolment',
      occurredOn: entry,
      fields: {
        schoolName: text(school, 'SchoolName') ?? (here ? (source.name ?? null) : null),
        urn: text(school, 'URN') ?? (here ? (source.urn ?? null) : null),
        enrolledOn: entry ?? null,
        yearGroup: text(school, 'NCyearActual') ?? null,
      },
    });
  }
  for (const year of children(child(el, 'Attendance'), 'YearData')) {
    const academicYear = required(year, 'Year');
    if (!/^\d{4}$/.test(academicYear.value))
      invalid(academicYear.at, '<Year> is not a year (YYYY)');
    const possible = int(year, 'SessionsPossible');
    const authorised = int(year, 'SessionsAuthorised') ?? 0;
    const unauthorised = int(year, 'SessionsUnauthorised') ?? 0;
    const y = Number(academicYear.value);
    records.push({
      category: 'attendance',
      occurredOn: `${y}-09-01`,
      fields: {
        term: `${y}/${String((y + 1) % 100).padStart(2, '0')}`,
        percentage:
          possible && possible > 0
            ? Math.round((1000 * (possible - authorised - unauthorised)) / possible) / 10
            : null,
      },
    });
  }
  for (const ex of children(child(el, 'Exclusions'), 'Exclusion')) {
    const started = isoDate(ex, 'StartDate')!;
    const sessions = int(ex, 'Sessions');
    records.push({
      category: 'exclusions',
      occurredOn: started,
      fields: {
        startedOn: started,
        type: required(ex, 'Category').value,
        reason: text(ex, 'Reason') ?? null,
        // A school day is two sessions.
        days: sessions === undefined ? null : sessions / 2,
      },
    });
  }
  const sen = child(el, 'SENhistory');
  if (sen) {
    const provision = children(sen, 'SEN').map((s) => ({
      started: isoDate(s, 'StartDate', true),
      provision: required(s, 'SENprovision').value,
    }));
    const needs = children(child(sen, 'SENneeds'), 'SENneed')
      .map((n) => ({ type: required(n, 'NeedType').value, rank: int(n, 'SENrank') ?? 99 }))
      .sort((a, b) => a.rank - b.rank);
    const current = provision.at(-1)?.provision ?? null;
    for (const need of needs.length ? needs : [{ type: null, rank: 1 }])
      if (current !== null || need.type !== null)
        records.push({
          category: 'sen',
          occurredOn: provision.at(-1)?.started,
          fields: { provision: current, needType: need.type },
        });
  }
  return person;
}

type SourceSchool = { lea: string; estab: string; name?: string; urn?: string };

/**
 * Reads a CTF chunk by chunk, handing over each pupil as it is read; refuses the file at the first
 * problem, naming its line and element.
 */
export function ctfReader(onPupil: (p: ImportedPerson) => void) {
  let school: SourceSchool | undefined;
  let version = '';
  const reader = new XmlRecordReader({
    ...CTF_SHAPE,
    onSection: (el) => {
      if (el.name !== 'Header') return;
      version = required(el, 'CTFversion').value;
      required(el, 'DateTime');
      const s = child(el, 'SourceSchool') ?? invalidMissing(el, 'SourceSchool');
      school = {
        lea: required(s, 'LEA').value,
        estab: required(s, 'Estab').value,
        name: text(s, 'SchoolName'),
        urn: text(s, 'URN'),
      };
    },
    onRecord: (el) => {
      if (!school)
        throw new FileImportError(
          'FILE.ELEMENT_MISSING',
          el.line,
          'CTfile/Header',
          'the <Header> with its <SourceSchool> must come before the pupils',
        );
      onPupil(pupil(el, school));
    },
  });
  return {
    write: (chunk: string) => reader.write(chunk),
    close(people: ImportedPerson[]): ParsedFile {
      const root = reader.close();
      if (!school) invalidMissing(root, 'Header');
      if (!child(root, 'CTFpupilData')) invalidMissing(root, 'CTFpupilData');
      return {
        kind: 'ctf',
        source: `LEA ${school.lea} / Estab ${school.estab} (CTF ${version})`,
        people,
      };
    },
  };
}

function invalidMissing(el: XmlElement, name: string): never {
  required(el, name);
  // required() throws for an absent element; an empty one is refused the same way.
  throw new FileImportError(
    'FILE.ELEMENT_MISSING',
    el.line,
    `${el.path}/${name}`,
    `<${name}> is empty`,
  );
}
