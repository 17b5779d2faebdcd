/**
 * State that several broker instances share, and must agree on: keys created once on a shared
 * KEYS_DIR, sign-in failure counts and once-per-interval job claims in PostgreSQL. Each
 * "instance" here has its own process or its own connection pool, as separate pods would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { EnvelopeCipher, FileKeyProvider } from '@mash/trust';
import { brokerDataSourceOptions } from '../../apps/broker/src/data-source';
import { AuthFailureRepository } from '../../apps/broker/src/auth/auth-failure.repository';
import { FailureLimiter } from '../../apps/broker/src/auth/failure-limiter';
import { JobClaimRepository } from '../../apps/broker/src/common/job-claim.repository';
import { CapacityRepository } from '../../apps/broker/src/queries/capacity.repository';
import { ROOT, freshBrokerDatabase } from '../support/federation';

const run = promisify(execFile);

interface KeyFingerprints {
  kek: string;
  sealed: string;
  signing: string;
  devIssuer: string;
  audit: string;
  pseudonym: string;
}

async function startBrokerKeys(dir: string, startAt: number): Promise<KeyFingerprints> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      resolve(ROOT, 'test/support/key-provider-child.ts'),
      dir,
      String(startAt),
    ],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as KeyFingerprints;
}

describe('Several broker instances', () => {
  it('starting together on a shared KEYS_DIR, end with one set of keys and the same at-rest key', async () => {
    for (let round = 0; round < 3; round += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'mash-shared-keys-'));
      try {
        // Both processes are loaded and waiting before the instant, so key creation races.
        const startAt = Date.now() + 4_000;
        const [a, b] = await Promise.all([
          startBrokerKeys(dir, startAt),
          startBrokerKeys(dir, startAt),
        ]);
        expect({ ...a, sealed: undefined }).toEqual({ ...b, sealed: undefined });
        // What each sealed, the key now on disk opens: neither holds a key the other lacks.
        const cipher = new EnvelopeCipher(new FileKeyProvider(join(dir, 'broker-kek.json')));
        for (const sealed of [a.sealed, b.sealed])
          expect(await cipher.open(sealed)).toEqual({ probe: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);

  describe('on one database', () => {
    const pools: DataSource[] = [];

    beforeAll(async () => {
      const url = await freshBrokerDatabase('multi-instance');
      for (let i = 0; i < 2; i += 1) {
        const ds = new DataSource(brokerDataSourceOptions(url));
        await ds.initialize();
        pools.push(ds);
      }
    }, 120_000);

    afterAll(async () => {
      await Promise.all(pools.map((p) => p.destroy()));
    });

    it('meet one sign-in failure limit, whichever instance a client reaches', async () => {
      const limiters = pools.map((p) => new FailureLimiter(new AuthFailureRepository(p), 5, 60));
      const standings = [];
      // A client alternating between two instances: its 6th failure overall crosses the limit.
      for (let i = 0; i < 8; i += 1) standings.push(await limiters[i % 2].failure('203.0.113.7'));
      expect(standings).toEqual([
        'under',
        'under',
        'under',
        'under',
        'under',
        'first-over',
        'over',
        'over',
      ]);
      expect(await limiters[1].failure('203.0.113.8')).toBe('under');
    });

    it('run a once-per-interval job on exactly one instance, and on another once the claim lapses', async () => {
      const claims = pools.map((p) => new JobClaimRepository(p));
      const first = await Promise.all(
        Array.from({ length: 10 }, (_, i) => claims[i % 2].claim('audit.checkpoints', 60_000)),
      );
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await claims[0].claim('audit.checkpoints', 60_000)).toBe(false);
      expect(await claims[1].claim('audit.checkpoints', 60_000)).toBe(false);
      // The holder was killed: its claim runs out at the end of the interval.
      await pools[0].query(
        `UPDATE job_claim SET claimed_until = now() - interval '1 second' WHERE name = 'audit.checkpoints'`,
      );
      const next = await Promise.all([
        claims[0].claim('audit.checkpoints', 60_000),
        claims[1].claim('audit.checkpoints', 60_000),
      ]);
      expect(next.filter(Boolean)).toHaveLength(1);
    });

    it("share one agency's hourly capacity: racing instances take exactly the limit", async () => {
      const repos = pools.map((p) => new CapacityRepository(p));
      const now = new Date('2026-06-01T10:00:00Z');
      const taken = await Promise.all(
        Array.from({ length: 24 }, (_, i) => repos[i % 2].takeSlot('demo', 'police', 5, now)),
      );
      expect(taken.filter((id) => id !== null)).toHaveLength(5);
      // Another agency, another partnership: their own limits.
      expect(await repos[0].takeSlot('demo', 'health', 5, now)).not.toBeNull();
      expect(await repos[1].takeSlot('other', 'police', 5, now)).not.toBeNull();
      // A slot given back is free for either instance; an hour later all of them are.
      await repos[0].releaseSlot(taken.find((id) => id !== null)!);
      expect(await repos[1].takeSlot('demo', 'police', 5, now)).not.toBeNull();
      expect(await repos[0].takeSlot('demo', 'police', 5, now)).toBeNull();
      const later = new Date(now.getTime() + 60 * 60 * 1000);
      expect(await repos[0].slotsSince('demo', 'police', later)).toEqual([]);
      // The pruned slots no longer count (the tally follows every slot taken, pruned or given back).
      const again = await Promise.all(
        Array.from({ length: 7 }, (_, i) => repos[i % 2].takeSlot('demo', 'police', 5, later)),
      );
      expect(again.filter((id) => id !== null)).toHaveLength(5);
    });

    it("take a new query's slots for all its agencies at once, each against its own limit", async () => {
      const repos = pools.map((p) => new CapacityRepository(p));
      const now = new Date('2026-06-01T10:00:00Z');
      const limits = new Map([
        ['police', 3],
        ['health', 2],
        ['education', 3],
      ]);
      // Racing instances, the agencies in overlapping sets: the per-agency locks are taken in
      // one order, so no statement deadlocks another, and each agency gives exactly its limit.
      const taken = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          repos[i % 2].takeSlots(
            'together',
            i % 3 === 0 ? limits : new Map([...limits].reverse().slice(0, 2)),
            now,
          ),
        ),
      );
      const count = (agency: string) => taken.filter((t) => t.get(agency) != null).length;
      expect([count('police'), count('health'), count('education')]).toEqual([3, 2, 3]);
      expect(taken[0].size).toBe(3);
      expect(await repos[0].takeSlots('together', new Map([['health', 3]]), now)).toEqual(
        new Map([['health', expect.any(String)]]),
      );
    });

    it('take no slot for a new request while requests wait for the agency', async () => {
      const repo = new CapacityRepository(pools[0]);
      const now = new Date('2026-06-01T10:00:00Z');
      expect(await repo.takeSlot('queued', 'police', 5, now, true)).not.toBeNull();
      await pools[0].query(
        `INSERT INTO capacity_queue (query_id, agency, partnership, case_id, decision, enqueued_at)
         VALUES (gen_random_uuid(), 'police', 'queued', gen_random_uuid(), '{}', now())`,
      );
      expect(await repo.takeSlot('queued', 'police', 5, now, true)).toBeNull();
      // The queue's own request takes one; another agency's queue is its own.
      expect(await repo.takeSlot('queued', 'police', 5, now)).not.toBeNull();
      expect(await repo.takeSlot('queued', 'health', 5, now, true)).not.toBeNull();
      expect(await repo.slotsSince('queued', 'police', now)).toHaveLength(2);
    });
  });
});
