import { createHmac } from 'node:crypto';
import { nhsPseudonym, subjectPseudonym } from './pseudonym';

const key = Buffer.alloc(32, 7);
const hmac = (k: Buffer, s: string): string => createHmac('sha256', k).update(s).digest('hex');

describe(subjectPseudonym.name, () => {
  it('gives an NHS-number token and a name+DOB token over the documented strings', () => {
    const sut = subjectPseudonym(key, {
      givenName: 'Amelia',
      familyName: 'Jones',
      dateOfBirth: '2015-03-09',
      identifiers: { nhsNumber: '943 476 5919' },
    });
    expect(sut.nhs).toBe(hmac(key, 'nhs:9434765919'));
    expect(sut.nameDob).toBe(hmac(key, 'nd:jones|amelia|2015-03-09'));
    expect(sut.tokens).toEqual([sut.nhs, sut.nameDob]);
  });

  it('ignores case and spacing in names, so the same child gets the same token', () => {
    const a = subjectPseudonym(key, {
      givenName: 'Mary  Ann',
      familyName: "O'Neill",
      dateOfBirth: '2012-01-01',
    });
    const b = subjectPseudonym(key, {
      givenName: ' mary ann ',
      familyName: "O'NEILL",
      dateOfBirth: '2012-01-01',
    });
    expect(b).toEqual(a);
    expect(a.nhs).toBeUndefined();
    expect(a.tokens).toEqual([a.nameDob]);
  });

  it('is unlinkable across partnership keys and distinguishes dates of birth', () => {
    const subject = { givenName: 'Sam', familyName: 'Lee', dateOfBirth: '2016-06-06' };
    const sut = subjectPseudonym(key, subject);
    expect(subjectPseudonym(Buffer.alloc(32, 8), subject).nameDob).not.toBe(sut.nameDob);
    expect(subjectPseudonym(key, { ...subject, dateOfBirth: '2016-06-07' }).nameDob).not.toBe(
      sut.nameDob,
    );
  });

  it('skips an NHS number that does not have ten digits', () => {
    expect(
      subjectPseudonym(key, {
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '2010-01-01',
        identifiers: { nhsNumber: '12345' },
      }).nhs,
    ).toBeUndefined();
  });
});

describe(nhsPseudonym.name, () => {
  it('finds the same token from an NHS number alone as the full subject gave', () => {
    const full = subjectPseudonym(key, {
      givenName: 'Amelia',
      familyName: 'Jones',
      dateOfBirth: '2015-03-09',
      identifiers: { nhsNumber: '9434765919' },
    });
    const sut = nhsPseudonym(key, '943-476-5919');
    expect(sut).toBe(full.nhs);
    expect(nhsPseudonym(key, '94347659')).toBeUndefined();
  });
});
