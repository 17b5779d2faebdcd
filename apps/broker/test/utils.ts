import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAgreementFile, type AgreementVersion } from '@mash/policy';
import { Clock, PinnedClock } from '@mash/common';
import type { Principal } from '../src/auth/principal';
import { Transactions, type Tx } from '../src/common/transactions';
import type { BrokerKeys } from '../src/keys/broker-keys';
import { loadThresholdMatrices } from '@mash/thresholds';
import { AuditService } from '../src/audit/audit.service';
import { ThresholdService } from '../src/thresholds/threshold.service';
import type { ThresholdVersionEntity } from '../src/thresholds/threshold.entity';
import { ThresholdRepository } from '../src/thresholds/threshold.repository';
import type { BrokerConfig } from '../src/config/config';

/*
 * Unit-test helpers in the manner of immich's server/test/utils.ts: `newTestService(Service)`
 * builds the service under test with every constructor dependency replaced by a typed mock, so a
 * spec reads as "given these repositories answer this, the service does that". Mocks are for unit
 * specs only; integration tests use the real database and Kafka.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<T = unknown> = abstract new (...args: any[]) => T;
export type Mocked<T> = jest.Mocked<T>;
type MockTuple<A extends unknown[]> = { [K in keyof A]: Mocked<A[K]> };
/** What `newTestService` puts in place of a dependency: by class or by injection token. */
export type Provide = [token: unknown, value: unknown];

/** The instant every spec's calendar is pinned to unless it says otherwise: a Wednesday in term,
 * with the demo agreements in force. */
export const NOW = new Date('2026-06-03T10:00:00.000Z');

/** A clock that stays at `at` until `advance` moves it: a spec never depends on the real time. */
export const frozenClock = (at: Date | string = NOW) => new PinnedClock(at, () => 0);

/** The transaction handle the fake `Transactions` passes on, so a spec can see who joined it. */
export const TX = { transaction: 'fake' } as unknown as Tx;

/** A mock of every method of `Class` (through its prototype chain), each a `jest.fn()`. */
export function automock<T>(Class: Ctor<T>, overrides: Partial<T> = {}): Mocked<T> {
  const mock: Record<string, unknown> = {};
  for (let proto = Class.prototype as object; proto && proto !== Object.prototype;) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (key !== 'constructor' && typeof descriptor?.value === 'function' && !(key in mock))
        mock[key] = jest.fn();
    }
    proto = Object.getPrototypeOf(proto) as object;
  }
  return Object.assign(mock, overrides) as Mocked<T>;
}

/** `Transactions` that runs the work at once with `TX`: commits are the integration tests' job. */
export function fakeTransactions(): Mocked<Transactions> {
  return automock(Transactions, {
    run: jest.fn(<T>(work: (tx: Tx) => Promise<T>) => work(TX)) as Mocked<Transactions>['run'],
  });
}

/**
 * The service under test (`sut`) with its dependencies mocked, in constructor order (`mocks`) and
 * by token (`get`). Dependencies are found as Nest finds them: the `@Inject` token where there is
 * one, else the parameter's class. A `Clock` is a frozen clock at `NOW` and `Transactions` runs
 * work at once; `provide` replaces any dependency with a value of the spec's choosing.
 */
export function newTestService<C extends new (...args: never[]) => unknown>(
  Service: C,
  provide: Provide[] = [],
) {
  const types = (Reflect.getMetadata('design:paramtypes', Service) ?? []) as unknown[];
  const declared = (Reflect.getMetadata('self:paramtypes', Service) ?? []) as Array<{
    index: number;
    param: unknown;
  }>;
  const tokens = types.map((type, index) => declared.find((d) => d.index === index)?.param ?? type);
  const given = new Map(provide);
  const values = tokens.map((token) => {
    if (given.has(token)) return given.get(token);
    if (token === Clock) return frozenClock();
    if (token === Transactions) return fakeTransactions();
    if (typeof token === 'function' && token !== Object) return automock(token as Ctor);
    // An interface behind a string or symbol token (a config object): the spec must provide it.
    return {};
  });
  const sut = new Service(...(values as never[])) as InstanceType<C>;
  return {
    sut,
    mocks: values as MockTuple<ConstructorParameters<C>>,
    get: <T>(token: Ctor<T> | string | symbol): Mocked<T> => {
      const index = tokens.indexOf(token);
      if (index < 0) throw new Error(`${Service.name} does not take ${String(token)}`);
      return values[index] as Mocked<T>;
    },
  };
}

/**
 * Broker keys whose cipher seals a value as readable JSON (`sealed:<json>`), so a spec can see
 * what was sealed; real encryption is the trust library's specs' and the integration tests' job.
 */
export function fakeKeys(): BrokerKeys {
  return {
    cipher: {
      seal: (value: unknown) => Promise.resolve(`sealed:${JSON.stringify(value)}`),
      open: <T>(sealed: string) => Promise.resolve(JSON.parse(sealed.slice(7)) as T),
    },
    pseudonymKey: (partnership: string) => Buffer.from(`pseudonym:${partnership}`),
  } as unknown as BrokerKeys;
}

/** A signed-in user, by default an analyst of the partnership `p1`. */
export function user(
  roles: Principal['roles'] = ['analyst'],
  sub = 'user-1',
  partnership = 'p1',
): Principal {
  return { sub, roles, partnership };
}

/** The committed threshold matrices' directory (`deploy/thresholds`). */
export const THRESHOLDS_DIR = resolve(__dirname, '../../../deploy/thresholds');

/**
 * The threshold service as after seeding: every partnership's stored versions are the committed
 * files (in dev, the demo partnership's relabelled for any other partnership), served by a mock
 * repository. The seeding itself and activation are the thresholds specs' and e2e test's job.
 */
export function demoThresholds(mode: 'dev' | 'oidc' = 'dev'): ThresholdService {
  const config = { thresholdsDir: THRESHOLDS_DIR, auth: { mode } } as BrokerConfig;
  const files = loadThresholdMatrices(THRESHOLDS_DIR);
  const stored = (partnership: string) =>
    (files.partnerships().includes(partnership) || mode !== 'dev'
      ? files.all(partnership)
      : files.all('demo')
    ).map(
      ({ matrix }) =>
        ({
          partnership,
          version: matrix.version,
          status: 'active',
          effectiveFrom: matrix.effectiveFrom,
          content: { ...matrix, partnership },
        }) as ThresholdVersionEntity,
    );
  const repo = automock(ThresholdRepository, {
    active: jest.fn((partnership?: string) =>
      Promise.resolve(partnership ? stored(partnership) : []),
    ),
    get: jest.fn((partnership: string, version: number) => {
      const row = stored(partnership).find((r) => r.version === version);
      return row ? Promise.resolve(row) : Promise.reject(new Error('no such version'));
    }),
    insertNewer: jest.fn(() => Promise.resolve([])),
  });
  return new ThresholdService(
    repo,
    fakeTransactions(),
    automock(AuditService),
    config,
    frozenClock(),
  );
}

/** The demo partnership's committed agreements (`deploy/agreements/demo`), as the policy engine sees them. */
export function demoAgreements(): AgreementVersion[] {
  const dir = resolve(__dirname, '../../../deploy/agreements/demo');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parseAgreementFile(f, readFileSync(resolve(dir, f), 'utf8')));
}
