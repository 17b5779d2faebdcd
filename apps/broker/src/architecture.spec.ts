import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/*
 * Rules of the broker's shape that neither the compiler nor dependency-cruiser can check
 * (docs/architecture.md): every service has a unit spec beside it, as does the SDK's processor.
 */
const ROOT = resolve(__dirname, '../../..');
const BROKER = resolve(__dirname);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The files of `files` that have no `<name>.spec.ts` beside them, relative to the repository. */
function withoutSpec(files: string[]): string[] {
  return files
    .filter((file) => !existsSync(file.replace(/\.ts$/, '.spec.ts')))
    .map((file) => relative(ROOT, file))
    .sort();
}

describe('broker shape', () => {
  const services = filesUnder(BROKER).filter((f) => f.endsWith('.service.ts'));

  it('finds the services it checks', () => {
    // A moved folder must not make the check below pass by finding nothing.
    expect(services.length).toBeGreaterThan(20);
    expect(withoutSpec([join(BROKER, 'no-such-folder/thing.service.ts')])).toEqual([
      'apps/broker/src/no-such-folder/thing.service.ts',
    ]);
  });

  it('has a unit spec beside every service and beside the SDK processor', () => {
    const processor = resolve(ROOT, 'libs/adapter-sdk/src/processor.ts');
    expect(existsSync(processor)).toBe(true);
    expect(withoutSpec([...services, processor])).toEqual([]);
  });
});
