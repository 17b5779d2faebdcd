import { GroupCommit } from './group-commit';

/** A writer whose batches finish when the test says so. */
function gatedWriter(fail: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const write = async (items: number[]): Promise<string[]> => {
    batches.push([...items]);
    await new Promise<void>((open) => gates.push(open));
    if (items.some(fail)) throw new Error(`refused ${items.join(',')}`);
    return items.map((i) => `stored ${i}`);
  };
  /** Lets the oldest batch still writing finish, and the microtasks after it run. */
  const finish = async () => {
    for (let i = 0; i < 20 && gates.length === 0; i++) await Promise.resolve();
    gates.shift()?.();
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { batches, write, finish };
}

describe('GroupCommit', () => {
  it('writes at once when idle, and together what arrived while a batch was written', async () => {
    const writer = gatedWriter();
    const sizes: number[] = [];
    const commits = new GroupCommit(writer.write, 64, (n) => sizes.push(n));
    const first = commits.submit(1);
    const rest = [commits.submit(2), commits.submit(3), commits.submit(4)];
    expect(writer.batches).toEqual([[1]]);
    expect(commits.waiting).toBe(3);
    await writer.finish();
    expect(await first).toBe('stored 1');
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    await writer.finish();
    expect(await Promise.all(rest)).toEqual(['stored 2', 'stored 3', 'stored 4']);
    expect(sizes).toEqual([1, 3]);
    expect(commits.waiting).toBe(0);
    // Idle again: the next item is written at once, alone.
    const later = commits.submit(5);
    expect(writer.batches[2]).toEqual([5]);
    await writer.finish();
    expect(await later).toBe('stored 5');
  });

  it('takes at most maxBatch items a batch', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write, 2);
    const all = [1, 2, 3, 4, 5].map((i) => commits.submit(i));
    for (let i = 0; i < 3; i++) await writer.finish();
    await Promise.all(all);
    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('writes a refused batch again one item at a time, so only the bad item fails', async () => {
    const writer = gatedWriter((i) => i === 3);
    const commits = new GroupCommit(writer.write);
    const first = commits.submit(1);
    const rest = [2, 3, 4].map((i) => commits.submit(i).catch((e: Error) => e.message));
    // 1 alone; 2-4 together (refused); then 2, 3 (refused) and 4 alone.
    for (let i = 0; i < 5; i++) await writer.finish();
    expect(await first).toBe('stored 1');
    expect(await Promise.all(rest)).toEqual(['stored 2', 'refused 3', 'stored 4']);
    expect(writer.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });
});
