import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allTopics, asyncApiDocument } from './asyncapi';

describe('AsyncAPI document', () => {
  const sut = asyncApiDocument();

  it('matches the committed asyncapi.yaml (regenerate with libs/contracts/write-asyncapi.ts)', () => {
    const committed = parse(readFileSync(join(__dirname, '..', 'asyncapi.yaml'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(sut)));
  });

  it('describes every topic the system uses', () => {
    const addresses = Object.values(sut.channels as Record<string, { address: string }>).map(
      (c) => c.address,
    );
    expect(addresses.sort()).toEqual(allTopics().sort());
  });

  it('names topics lowercase, dotted and versioned', () => {
    for (const topic of allTopics())
      expect(topic).toMatch(/^mash\.[a-z-]+(\.[a-z-]+)*\.v\d+(\.dlq)?$/);
  });
});
