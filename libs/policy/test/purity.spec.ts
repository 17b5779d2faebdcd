import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const src = join(__dirname, '..', 'src');
const IO_MODULES =
  /from '(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|readline|pg|kafkajs|typeorm)'/;
// Reading the clock, the environment or randomness would make decisions unrepeatable.
const IMPURE = /process\.env|Date\.now\(|new Date\(\)|Math\.random\(|console\./;

describe('libs/policy/src purity', () => {
  const files = readdirSync(src).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s does no I/O and reads no clock, environment or randomness', (file) => {
    const text = readFileSync(join(src, file), 'utf8');
    expect(text).not.toMatch(IO_MODULES);
    expect(text).not.toMatch(IMPURE);
  });
});
