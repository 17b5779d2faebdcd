import { IntervalJob } from './interval-job';

class TestJob extends IntervalJob<number> {
  readonly passes: Array<() => void> = [];
  fail = false;

  constructor() {
    super('test.job', 60_000, -1);
  }

  protected run(): Promise<number> {
    if (this.fail) return Promise.reject(new Error('boom'));
    return new Promise((resolve) => this.passes.push(() => resolve(this.passes.length)));
  }
}

describe(IntervalJob.name, () => {
  it('runs one pass at a time: a tick during a pass does nothing', async () => {
    const sut = new TestJob();
    const first = sut.tick();
    await expect(sut.tick()).resolves.toBe(-1);
    expect(sut.passes).toHaveLength(1);
    sut.passes[0]();
    await expect(first).resolves.toBe(1);
    const second = sut.tick();
    expect(sut.passes).toHaveLength(2);
    sut.passes[1]();
    await second;
  });

  it('logs a failed pass by its name and runs again at the next tick', async () => {
    const sut = new TestJob();
    const warn = jest.spyOn(sut['logger'], 'warn').mockImplementation(() => undefined);
    sut.fail = true;
    await expect(sut.tick()).resolves.toBe(-1);
    expect(warn).toHaveBeenCalledWith('test.job pass failed; will retry');
    sut.fail = false;
    const next = sut.tick();
    sut.passes[0]();
    await expect(next).resolves.toBe(1);
  });
});
