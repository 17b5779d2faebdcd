/**
 * One broker's key start-up, for the test that starts several at once on a shared KEYS_DIR:
 * waits until the given instant (so the processes race), loads the broker's keys, and prints
 * fingerprints of what it will use (never the keys).
 */
import { createHash } from 'node:crypto';
import { BrokerKeys } from '../../apps/broker/src/keys/broker-keys';
import type { BrokerConfig } from '../../apps/broker/src/config/config';

const [keysDir, startAt] = process.argv.slice(2);

async function main(): Promise<void> {
  while (Date.now() < Number(startAt)) await new Promise((r) => setImmediate(r));
  const keys = await BrokerKeys.load({ keysDir, auth: { mode: 'dev' } } as BrokerConfig);
  const sealed = await keys.cipher.seal({ probe: true });
  const fingerprint = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  process.stdout.write(
    JSON.stringify({
      kek: sealed.split('.')[1],
      sealed,
      signing: keys.broker.signing.kid,
      devIssuer: keys.devIssuer?.signing.kid,
      audit: keys.auditSigningKey().kid,
      pseudonym: fingerprint(keys.pseudonymKey('demo')),
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(String(error));
  process.exit(1);
});
