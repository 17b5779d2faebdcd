import { loadThresholdMatrices, type ThresholdMatrix } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { newTestService, NOW, THRESHOLDS_DIR, TX, user } from '../../test/utils';
import type { ThresholdVersionEntity } from './threshold.entity';
import { ThresholdRepository } from './threshold.repository';
import { ThresholdService } from './threshold.service';
import { ThresholdVersionsService } from './threshold-versions.service';

const demo = loadThresholdMatrices(THRESHOLDS_DIR).all('demo')[0].matrix;
const drafter = user(['manager'], 'manager-1', 'demo');
const second = user(['manager'], 'manager-2', 'demo');

const row = (
  version: number,
  status: 'draft' | 'active',
  effectiveFrom: string,
  createdBy = 'manager-1',
): ThresholdVersionEntity => ({
  partnership: 'demo',
  version,
  status,
  content: { ...demo, version, effectiveFrom } as ThresholdMatrix,
  hash: `hash-${version}`,
  effectiveFrom,
  source: 'api',
  createdBy,
  createdAt: new Date('2026-05-01T09:00:00.000Z'),
  activatedBy: status === 'active' ? 'manager-2' : null,
  activatedAt: status === 'active' ? new Date('2026-05-02T09:00:00.000Z') : null,
});

describe(ThresholdVersionsService.name, () => {
  const setup = (rows: ThresholdVersionEntity[] = [row(1, 'active', '2024-01-01')]) => {
    const t = newTestService(ThresholdVersionsService, [
      [BROKER_CONFIG, { thresholdsDir: THRESHOLDS_DIR } as BrokerConfig],
    ]);
    const repo = t.get(ThresholdRepository);
    repo.list.mockResolvedValue(rows);
    repo.get.mockImplementation((_p, version) => {
      const found = rows.find((r) => r.version === version);
      return found ? Promise.resolve(found) : Promise.reject(new Error('not found'));
    });
    repo.active.mockResolvedValue(
      rows.filter((r) => r.status === 'active').sort((a, b) => b.version - a.version),
    );
    repo.published.mockResolvedValue(false);
    return { sut: t.sut, repo, thresholds: t.get(ThresholdService), audit: t.get(AuditService) };
  };

  it('tells which version is in force today, which are superseded, scheduled or drafts', async () => {
    const { sut } = setup([
      row(4, 'draft', '2026-09-01'),
      row(3, 'active', '2026-07-01'),
      row(2, 'active', '2026-05-01'),
      row(1, 'active', '2024-01-01'),
    ]);
    const list = await sut.list(drafter);
    expect(list.inForce).toBe(2);
    expect(list.versions.map((v) => [v.version, v.status])).toEqual([
      [4, 'draft'],
      [3, 'scheduled'],
      [2, 'in-force'],
      [1, 'superseded'],
    ]);
    expect(list.baselines).toEqual(['regional']);
    expect(list.versions[0]).not.toHaveProperty('content');
  });

  it('drafts the next version of the caller’s partnership, audited in the same transaction', async () => {
    const { sut, repo, audit } = setup();
    const { partnership: _p, version: _v, ...body } = demo;
    const view = await sut.draft(drafter, { ...body, effectiveFrom: '2026-07-01' });
    expect(view).toMatchObject({ version: 2, status: 'draft', createdBy: 'manager-1' });
    expect(repo.lockPartnership).toHaveBeenCalledWith('demo', TX);
    expect(repo.insert).toHaveBeenCalledWith(
      expect.objectContaining({ partnership: 'demo', version: 2, status: 'draft' }),
      TX,
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'threshold.drafted',
        details: expect.objectContaining({ version: 2 }),
      }),
      TX,
    );
  });

  it('refuses a draft naming another partnership, a version not above the latest, or not a matrix', async () => {
    const { sut, repo } = setup();
    await expect(sut.draft(drafter, { ...demo, partnership: 'elsewhere' })).rejects.toMatchObject({
      code: 'THRESHOLD.PARTNERSHIP_MISMATCH',
    });
    await expect(sut.draft(drafter, { ...demo, version: 1 })).rejects.toMatchObject({
      code: 'THRESHOLD.VERSION_NOT_NEWER',
    });
    await expect(sut.draft(drafter, '- a list')).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it('lets only a second manager activate a draft, and records the refusal', async () => {
    const { sut, repo, audit } = setup([
      row(2, 'draft', '2026-07-01'),
      row(1, 'active', '2024-01-01'),
    ]);
    await expect(sut.activate(drafter, 2)).rejects.toMatchObject({
      code: 'THRESHOLD.SECOND_MANAGER_REQUIRED',
    });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'threshold.activation-refused', outcome: 'deny' }),
    );
    expect(repo.activate).not.toHaveBeenCalled();
  });

  it('activates from a date no earlier than today, then reloads the matrices in force', async () => {
    const { sut, repo, thresholds, audit } = setup([
      row(2, 'draft', '2026-07-01'),
      row(1, 'active', '2024-01-01'),
    ]);
    await expect(sut.activate(second, 2, '2026-06-02')).rejects.toMatchObject({
      code: 'THRESHOLD.EFFECTIVE_TOO_EARLY',
    });
    expect(repo.activate).not.toHaveBeenCalled();

    await sut.activate(second, 2, '2026-06-03');
    expect(repo.activate).toHaveBeenCalledWith(
      'demo',
      2,
      expect.objectContaining({
        effectiveFrom: '2026-06-03',
        activatedBy: 'manager-2',
        activatedAt: NOW,
      }),
      TX,
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'threshold.activated',
        details: expect.objectContaining({ version: 2, draftedBy: 'manager-1', follows: 1 }),
      }),
      TX,
    );
    expect(thresholds.reload).toHaveBeenCalledWith('demo');
  });

  it('refuses to activate a version that is not a draft', async () => {
    const { sut, repo } = setup([row(2, 'active', '2026-07-01', 'manager-1')]);
    await expect(sut.activate(second, 2)).rejects.toMatchObject({ code: 'THRESHOLD.NOT_DRAFT' });
    expect(repo.activate).not.toHaveBeenCalled();
  });

  it('compares with a baseline or a publishing partnership, and audits the comparison', async () => {
    const { sut, repo, thresholds, audit } = setup();
    thresholds.matrixAt.mockResolvedValue(demo);
    await expect(
      sut.compare(drafter, { kind: 'current' }, { kind: 'partnership', partnership: 'other' }),
    ).rejects.toMatchObject({ code: 'THRESHOLD.NOT_PUBLISHED' });
    await expect(
      sut.compare(drafter, { kind: 'current' }, { kind: 'baseline', name: 'nowhere' }),
    ).rejects.toMatchObject({ code: 'THRESHOLD.NOT_FOUND' });
    expect(audit.record).not.toHaveBeenCalled();

    repo.published.mockResolvedValue(true);
    const result = await sut.compare(
      drafter,
      { kind: 'partnership', partnership: 'other' },
      { kind: 'baseline', name: 'regional' },
    );
    expect(thresholds.matrixAt).toHaveBeenCalledWith('other', NOW);
    expect(result.left).toMatchObject({ kind: 'partnership', partnership: 'demo', version: 1 });
    expect(result.right).toMatchObject({ kind: 'baseline', partnership: 'regional' });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'threshold.compared', actorRole: 'manager' }),
    );
  });
});
