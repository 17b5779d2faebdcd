import { DEFAULT_TOPIC_NAMESPACE, Topics, consumerGroup, asyncApiDocument } from '@mash/contracts';

describe('the tests’ Kafka namespace', () => {
  it('keeps test topics and consumer groups apart from the federation npm start runs', () => {
    expect(Topics.audit).toBe('mash-test.audit.v1');
    expect(Topics.queryRequested('police')).toBe('mash-test.police.query.requested.v1');
    expect(consumerGroup('broker')).toBe('mash-test.broker');
    expect(DEFAULT_TOPIC_NAMESPACE).toBe('mash');
  });

  it('still documents the deployed topic names', () => {
    expect(JSON.stringify(asyncApiDocument())).toContain('"mash.police.query.requested.v1"');
    expect(JSON.stringify(asyncApiDocument())).not.toContain('mash-test.');
  });
});
