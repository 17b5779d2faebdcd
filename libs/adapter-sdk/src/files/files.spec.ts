import { resolve } from 'node:path';
import { FileImportError } from './xml';
import { parseFile } from './store';
import { cinReader } from './cin';
import { ctfReader } from './ctf';
import type { ImportedPerson } from './types';

const FIXTURES = resolve(__dirname, '../../../../test/fixtures/files');

async function refusal(kind: 'ctf' | 'cin', file: string): Promise<FileImportError> {
  const error = await parseFile(kind, resolve(FIXTURES, file)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileImportError);
  return error as FileImportError;
}

/** Parses text given whole (the streaming reader splits nothing here). */
function parseText(kind: 'ctf' | 'cin', xml: string) {
  const people: ImportedPerson[] = [];
  const reader =
    kind === 'ctf' ? ctfReader((p) => people.push(p)) : cinReader((p) => people.push(p));
  reader.write(xml);
  return reader.close(people);
}

describe('Common Transfer File', () => {
  it('reads the pupils, their identity and the categories the agreement knows', async () => {
    const file = await parseFile('ctf', resolve(FIXTURES, 'ctf-valid.xml'));
    expect(file.kind).toBe('ctf');
    expect(file.source).toBe('LEA 873 / Estab 2001 (CTF 22.0)');
    expect(file.people).toHaveLength(2);
    const [imogen, caleb] = file.people;
    expect(imogen).toMatchObject({
      key: 'M873200100001',
      upn: 'M873200100001',
      givenName: 'Imogen',
      familyName: 'Fairbrother',
      dateOfBirth: '2015-03-09',
      sex: 'female',
      address: '12 Wellington Street',
      postcode: 'NN1 3EA',
    });
    expect(imogen.records).toEqual([
      {
        category: 'enrolment',
        occurredOn: '2019-09-04',
        fields: {
          schoolName: 'Demoshire Primary School',
          urn: '110501',
          enrolledOn: '2019-09-04',
          yearGroup: '6',
        },
      },
      // (380 - 20 - 38) / 380 = 84.7%; (200 - 10 - 30) / 200 = 80%.
      {
        category: 'attendance',
        occurredOn: '2024-09-01',
        fields: { term: '2024/25', percentage: 84.7 },
      },
      {
        category: 'attendance',
        occurredOn: '2025-09-01',
        fields: { term: '2025/26', percentage: 80 },
      },
      {
        category: 'exclusions',
        occurredOn: '2025-11-03',
        fields: { startedOn: '2025-11-03', type: 'FIXD', reason: 'PA', days: 2 },
      },
      { category: 'sen', occurredOn: '2023-01-10', fields: { provision: 'K', needType: 'SEMH' } },
    ]);
    expect(caleb).toMatchObject({
      key: 'A873200100011',
      familyName: 'Oyelaran',
      otherFamilyName: 'Hale',
      sex: 'male',
      address: '7 Abington Grove',
      postcode: 'NN1 4QX',
      records: [],
    });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses bad XML, naming the line and the element', async () => {
    const error = await refusal('ctf', 'ctf-malformed.xml');
    expect(error.code).toBe('FILE.XML_MALFORMED');
    expect(error.line).toBe(25);
    expect(error.element).toBe('CTfile/CTFpupilData/Pupil[1]/Forename');
    expect(error.message).toBe(
      'line 25, element CTfile/CTFpupilData/Pupil[1]/Forename: not well-formed XML: unexpected close tag. [FILE.XML_MALFORMED]',
    );
  });

  it('refuses a pupil without a required element, naming the pupil and the element', async () => {
    const error = await refusal('ctf', 'ctf-missing-dob.xml');
    expect(error.code).toBe('FILE.ELEMENT_MISSING');
    expect(error.line).toBe(80);
    expect(error.element).toBe('CTfile/CTFpupilData/Pupil[2]/DOB');
    expect(error.message).toBe(
      'line 80, element CTfile/CTFpupilData/Pupil[2]/DOB: <Pupil> has no <DOB>, which is required [FILE.ELEMENT_MISSING]',
    );
  });

  it('refuses a UPN whose check letter does not match, without printing the UPN', async () => {
    const error = await refusal('ctf', 'ctf-bad-upn.xml');
    expect(error.code).toBe('FILE.UPN_CHECK_LETTER');
    expect(error.line).toBe(81);
    expect(error.element).toBe('CTfile/CTFpupilData/Pupil[2]/UPN');
    expect(error.message).not.toContain('873200100011');
  });

  it('refuses another kind of file, an impossible date and an unknown gender code', () => {
    expect(() => parseText('ctf', '<Message>\n</Message>')).toThrow(
      expect.objectContaining({ code: 'FILE.WRONG_KIND', line: 1, element: 'Message' }),
    );
    const pupil = (dob: string, gender: string) =>
      `<CTfile>\n<Header><CTFversion>22.0</CTFversion><DateTime>2026-01-01T00:00:00</DateTime>\n` +
      `<SourceSchool><LEA>873</LEA><Estab>2001</Estab></SourceSchool></Header>\n<CTFpupilData>\n` +
      `<Pupil><UPN>M873200100001</UPN><Surname>Fairbrother</Surname><Forename>Imogen</Forename>\n` +
      `<DOB>${dob}</DOB>\n<Gender>${gender}</Gender></Pupil>\n</CTFpupilData>\n</CTfile>`;
    expect(() => parseText('ctf', pupil('2015-02-30', 'F'))).toThrow(
      expect.objectContaining({
        code: 'FILE.VALUE_INVALID',
        line: 6,
        element: 'CTfile/CTFpupilData/Pupil[1]/DOB',
      }),
    );
    expect(() => parseText('ctf', pupil('2015-02-28', 'X'))).toThrow(
      expect.objectContaining({ code: 'FILE.VALUE_INVALID', line: 7 }),
    );
    expect(parseText('ctf', pupil('2015-02-28', 'F')).people).toHaveLength(1);
  });

  it('refuses a file without its header', () => {
    expect(() => parseText('ctf', '<CTfile>\n<CTFpupilData/>\n</CTfile>')).toThrow(
      expect.objectContaining({ code: 'FILE.ELEMENT_MISSING', element: 'CTfile/Header' }),
    );
  });
});

describe('Children in Need census', () => {
  it('reads each child and one involvement record per episode', async () => {
    const file = await parseFile('cin', resolve(FIXTURES, 'cin-valid.xml'));
    expect(file.source).toBe('LA 873 (CIN 2026)');
    expect(file.people).toEqual([
      {
        key: 'DS-CIN-0041',
        laChildId: 'DS-CIN-0041',
        upn: 'M873200100001',
        formerUpn: undefined,
        dateOfBirth: '2015-03-09',
        sex: 'female',
        records: [
          {
            category: 'involvement',
            occurredOn: '2025-10-02',
            fields: {
              referralDate: '2025-10-02',
              assessmentDate: '2025-10-06',
              cinPlanStart: '2025-11-20',
              cppStart: '2026-01-22',
              cppCategory: 'NEG',
              lookedAfterStart: null,
              legalStatus: null,
            },
          },
        ],
      },
      expect.objectContaining({
        key: 'DS-CIN-0057',
        upn: undefined,
        sex: 'male',
        records: [
          expect.objectContaining({
            fields: expect.objectContaining({ referralDate: '2024-05-13', assessmentDate: null }),
          }),
        ],
      }),
    ]);
  });

  it('refuses a child without its identifiers or referral date, naming the line and element', () => {
    const census = (child: string) =>
      `<Message>\n<Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year></CollectionDetails>\n` +
      `<Source><LEA>873</LEA></Source></Header>\n<Children>\n${child}\n</Children>\n</Message>`;
    expect(() =>
      parseText(
        'cin',
        census(
          '<Child>\n<ChildIdentifiers><PersonBirthDate>2015-03-09</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>\n</Child>',
        ),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'FILE.ELEMENT_MISSING',
        line: 6,
        element: 'Message/Children/Child[1]/ChildIdentifiers/LAchildID',
      }),
    );
    expect(() =>
      parseText(
        'cin',
        census(
          '<Child>\n<ChildIdentifiers><LAchildID>X1</LAchildID><PersonBirthDate>2015-03-09</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>\n<CINdetails>\n<ReferralSource>3A</ReferralSource>\n</CINdetails>\n</Child>',
        ),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'FILE.ELEMENT_MISSING',
        line: 7,
        element: 'Message/Children/Child[1]/CINdetails/CINreferralDate',
      }),
    );
    expect(() =>
      parseText(
        'cin',
        census(
          '<Child>\n<ChildIdentifiers><LAchildID>X1</LAchildID><UPN>A873200100001</UPN><PersonBirthDate>2015-03-09</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>\n</Child>',
        ),
      ),
    ).toThrow(expect.objectContaining({ code: 'FILE.UPN_CHECK_LETTER', line: 6 }));
  });
});
