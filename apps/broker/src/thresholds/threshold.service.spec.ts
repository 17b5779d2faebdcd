import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AuditService } from '../audit/audit.service';
import { demoThresholds, newTestService, NOW, THRESHOLDS_DIR, TX } from '../../test/utils';
import type { ThresholdVersionEntity } from './threshold.entity';
import { ThresholdRepository } from './threshold.repository';
import { ThresholdService } from './threshold.service';

describe(ThresholdService.name, () => {
  const setup = (mode: 'dev' | 'oidc' = 'dev') => {
    const t = newTestService(ThresholdService, [
      [BROKER_CONFIG, { thresholdsDir: THRESHOLDS_DIR, auth: { mode } } as BrokerConfig],
    ]);
    return { sut: t.sut, repo: t.get(ThresholdRepository), audit: t.get(AuditService) };
  };

  it("gives a partnership without a matrix the demo partnership's in dev", () => {
    const sut = demoThresholds('dev');
    expect(sut.matrixFor('somewhere-else', NOW)).toMatchObject({ partnership: 'demo' });
  });

  it('refuses a partnership without a matrix outside dev', async () => {
    const sut = demoThresholds('oidc');
    expect(() => sut.matrixFor('somewhere-else', NOW)).toThrow(
      expect.objectContaining({ code: 'THRESHOLD.NO_MATRIX' }),
    );
    await expect(sut.matrixAt('somewhere-else', NOW)).rejects.toMatchObject({
      code: 'THRESHOLD.NO_MATRIX',
    });
    expect((await sut.matrixAt('demo', NOW)).concerns.neglect).toMatchObject({
      level: 3,
      rag: 'amber',
    });
  });

  it('seeds a partnership that has no version with the committed file, audited as the broker', async () => {
    const { sut, repo, audit } = setup('oidc');
    repo.insertNewer.mockImplementation((_p, rows) => Promise.resolve(rows));
    await expect(sut.ensureSeeded('demo')).resolves.toBe(true);
    const [partnership, rows] = repo.insertNewer.mock.calls[0];
    expect(partnership).toBe('demo');
    expect(rows).toEqual([
      expect.objectContaining({
        version: 1,
        status: 'active',
        source: 'file:demo.yaml',
        effectiveFrom: '2024-01-01',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
    expect(audit.record).toHaveBeenCalledWith(
      [expect.objectContaining({ action: 'threshold.seeded', actorId: 'broker' })],
      TX,
    );
  });

  it('does not audit when no file version was newer than the stored ones', async () => {
    const { sut, repo, audit } = setup('oidc');
    repo.insertNewer.mockResolvedValue([]);
    await expect(sut.ensureSeeded('demo')).resolves.toBe(false);
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('seeds a development partnership from the demo file under its own name; never outside dev', async () => {
    const dev = setup('dev');
    dev.repo.insertNewer.mockImplementation((_p, rows) => Promise.resolve(rows));
    await dev.sut.ensureSeeded('north');
    expect(dev.repo.insertNewer.mock.calls[0][1][0].content).toMatchObject({
      partnership: 'north',
    });
    const prod = setup('oidc');
    await expect(prod.sut.ensureSeeded('north')).resolves.toBe(false);
    expect(prod.repo.insertNewer).not.toHaveBeenCalled();
  });

  it('rates at an instant by the highest activated version whose London date has come', async () => {
    const { sut, repo } = setup('oidc');
    const v1 = demoThresholds('oidc').matrixFor('demo', NOW);
    const row = (version: number, effectiveFrom: string, rag: 'red' | 'amber') =>
      ({
        partnership: 'demo',
        version,
        status: 'active',
        effectiveFrom,
        content: {
          ...v1,
          version,
          effectiveFrom,
          concerns: { ...v1.concerns, neglect: { ...v1.concerns.neglect, rag } },
        },
      }) as ThresholdVersionEntity;
    repo.insertNewer.mockResolvedValue([]);
    repo.active.mockResolvedValue([row(2, '2026-06-04', 'red'), row(1, '2024-01-01', 'amber')]);
    // 23:00 UTC on 3 June is midnight on 4 June in London (BST).
    expect((await sut.matrixAt('demo', new Date('2026-06-03T22:59:59Z'))).version).toBe(1);
    expect((await sut.matrixAt('demo', new Date('2026-06-03T23:00:00Z'))).version).toBe(2);
    // The in-memory view follows the last read.
    expect(sut.matrixFor('demo', new Date('2026-06-04T12:00:00Z')).concerns.neglect.rag).toBe(
      'red',
    );
    await expect(sut.matrixVersion('demo', 1)).resolves.toMatchObject({ version: 1 });
  });
});
