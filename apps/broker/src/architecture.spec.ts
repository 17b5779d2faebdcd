import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/*
 * Rules of the broker's shape that neither the compiler nor dependency-cruiser can check
 * (docs/architecture.md): every service has a unit spec beside it, as does the SDK's processor;
 * every feature folder is a Nest module, and BrokerModule only imports those modules.
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

/** Folders of the broker that hold no injectables: the config is given by the core module. */
const NOT_FEATURES = ['config', 'migrations'];

/** The feature folders of `dir` that have no `<folder>/<folder>.module.ts`. */
function withoutModule(dir: string, folders: string[]): string[] {
  return folders.filter((folder) => !existsSync(join(dir, folder, `${folder}.module.ts`))).sort();
}

/** The relative value imports of a module file (type-only imports are left out). */
function valueImports(source: string): string[] {
  return [...source.matchAll(/^import (?!type )[^;]*? from '(\.[^']+)';/gms)].map((m) => m[1]);
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

  describe('modules', () => {
    const folders = readdirSync(BROKER, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !NOT_FEATURES.includes(entry.name))
      .map((entry) => entry.name);
    const root = readFileSync(join(BROKER, 'broker.module.ts'), 'utf8');

    it('finds the folders it checks', () => {
      expect(folders.length).toBeGreaterThan(20);
      expect(withoutModule(BROKER, [...folders, 'no-such-folder'])).toEqual(['no-such-folder']);
      expect(
        valueImports(`import { A } from './a/a.module';\nimport type { B } from './b/b';`),
      ).toEqual(['./a/a.module']);
    });

    it('has a module file in every feature folder', () => {
      expect(withoutModule(BROKER, folders)).toEqual([]);
    });

    it('wires BrokerModule from feature modules only, every one of them', () => {
      expect(root).not.toMatch(/\b(providers|controllers)\s*:/);
      const imported = valueImports(root);
      expect(imported.filter((path) => !path.endsWith('.module'))).toEqual([]);
      const expected = folders.map((folder) => `./${folder}/${folder}.module`);
      expect(expected.filter((path) => !imported.includes(path))).toEqual([]);
    });
  });
});
