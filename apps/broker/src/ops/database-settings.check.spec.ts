import { Logger } from '@nestjs/common';
import { newTestService } from '../../test/utils';
import { DatabaseSettingsCheck } from './database-settings.check';
import { HealthRepository } from './health.repository';

describe(DatabaseSettingsCheck.name, () => {
  const warnings = (autovacuum: boolean | null) => {
    const t = newTestService(DatabaseSettingsCheck);
    t.get(HealthRepository).autovacuumOn.mockResolvedValue(autovacuum);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    return t.sut.onApplicationBootstrap().then(() => {
      const calls = warn.mock.calls.map(([message]) => String(message));
      warn.mockRestore();
      return calls;
    });
  };

  it('warns at start when autovacuum is off', async () => {
    expect(await warnings(false)).toEqual([expect.stringContaining('autovacuum is off')]);
  });

  it('says nothing when it is on, or cannot be read', async () => {
    expect(await warnings(true)).toEqual([]);
    expect(await warnings(null)).toEqual([]);
  });
});
