import { AGENCIES } from './agencies';
import { isWideTopic, Topics } from './topics';

describe('isWideTopic', () => {
  it('widens the topics every query crosses, for every agency', () => {
    expect(isWideTopic(Topics.audit)).toBe(true);
    for (const agency of AGENCIES) {
      expect(isWideTopic(Topics.queryRequested(agency))).toBe(true);
      expect(isWideTopic(Topics.queryResponded(agency))).toBe(true);
    }
  });

  it('keeps one partition where a key must stay on its partition, and for dead letters', () => {
    for (const agency of AGENCIES) {
      expect(isWideTopic(Topics.agreementStatus(agency))).toBe(false);
      expect(isWideTopic(Topics.caseOutcome(agency))).toBe(false);
      expect(isWideTopic(Topics.caseAction(agency))).toBe(false);
      expect(isWideTopic(Topics.deadLetter(Topics.queryRequested(agency)))).toBe(false);
    }
    expect(isWideTopic(Topics.deadLetter(Topics.audit))).toBe(false);
    expect(isWideTopic(Topics.auditCheckpoint)).toBe(false);
  });
});
