import { demoThresholds, NOW } from '../../test/utils';
import { ThresholdService } from './threshold.service';

describe(ThresholdService.name, () => {
  it("gives a partnership without a matrix the demo partnership's in dev", () => {
    const sut = demoThresholds('dev');
    expect(sut.matrixFor('somewhere-else', NOW)).toMatchObject({ partnership: 'demo' });
  });

  it('refuses a partnership without a matrix outside dev', () => {
    const sut = demoThresholds('oidc');
    expect(() => sut.matrixFor('somewhere-else', NOW)).toThrow(
      expect.objectContaining({ code: 'THRESHOLD.NO_MATRIX' }),
    );
    expect(sut.matrixFor('demo', NOW).concerns.neglect).toMatchObject({ level: 3, rag: 'amber' });
  });
});
