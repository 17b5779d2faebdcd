import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSeed } from './seed/run';
import { DEMO_SEED, demoChild, demoHousehold } from './demo-child';

describe('the demo child', () => {
  const town = generateSeed(DEMO_SEED);
  const sut = demoChild(town.subjects);

  it('is known to all four agencies', () => {
    expect(sut.knownTo).toEqual(['police', 'health', 'education', 'social-care']);
  });

  it('is the child the README walks through, whatever day the town is seeded', () => {
    const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
    const { givenName, familyName, dateOfBirth, postcode } = sut.subject;
    expect(readme).toContain(
      JSON.stringify({ givenName, familyName, dateOfBirth, postcode }).slice(1, -1),
    );
    const born = new Date(`${dateOfBirth}T12:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    expect(readme).toContain(`**${givenName} ${familyName}, born\n${born}**`);
  });

  it('has the step family the README refers as a household, each person as the seed made them', () => {
    const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
    const family = demoHousehold(town.subjects)!;
    expect(family).toBeDefined();
    const { givenName, familyName, dateOfBirth, postcode } = family.subject;
    expect(readme).toContain(
      JSON.stringify({ givenName, familyName, dateOfBirth, postcode }).slice(1, -1),
    );
    for (const m of family.household!) {
      const { relationship, givenName: g, familyName: f, dateOfBirth: d } = m;
      expect(readme).toContain(
        JSON.stringify({ relationship, givenName: g, familyName: f, dateOfBirth: d }),
      );
    }
  });
});
