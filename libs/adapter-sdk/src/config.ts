import { resolve } from 'node:path';
import { z } from 'zod';
import {
  KafkaEnvSchema,
  PreparedStatementsEnvSchema,
  LogFormatSchema,
  LogLevelSchema,
  isSecureJwksUrl,
  withDatabase,
  type LogFormat,
  type LogLevel,
} from '@mash/common';
import type { Agency } from '@mash/contracts';

export const DEFAULT_ADAPTER_PORTS: Record<Agency, number> = {
  police: 3101,
  health: 3102,
  education: 3103,
  'social-care': 3104,
};

const AdapterEnvSchema = KafkaEnvSchema.extend({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/mash_broker'),
  SOURCE_DATABASE_URL: z.string().url().optional(),
  /** The adapter's own database (ledger, inbox, match index, outcomes); never the source. */
  ADAPTER_DATABASE_URL: z.string().url().optional(),
  DATABASE_PREPARED_STATEMENTS: PreparedStatementsEnvSchema.shape.DATABASE_PREPARED_STATEMENTS,
  ADAPTER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  BROKER_JWKS_URL: z.string().url().default('http://127.0.0.1:3000/.well-known/jwks.json'),
  KEYS_DIR: z.string().default('.local/keys'),
  ADAPTER_HOST: z.string().default('127.0.0.1'),
  /** Lets a demo on a private container network fetch the broker's keys over plain http. */
  ALLOW_INSECURE_JWKS: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: LogLevelSchema,
  LOG_FORMAT: LogFormatSchema,
  /** Every this many seconds the adapter tells the broker it is alive (signed heartbeat). */
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
});

export interface AdapterConfig {
  agency: Agency;
  service: string;
  port: number;
  host: string;
  /** The agency's source system, read with read-only credentials. */
  sourceDatabaseUrl: string;
  /** The adapter's own database: the SDK's tables live here, created and migrated at start. */
  storeDatabaseUrl: string;
  /** Parameterised statements prepared once per connection, in the store and the source. */
  databasePreparedStatements: boolean;
  brokerJwksUrl: string;
  keysDir: string;
  kafka: z.infer<typeof KafkaEnvSchema>;
  logLevel: LogLevel;
  logFormat: LogFormat;
  heartbeatIntervalSeconds: number;
}

export function sourceDatabaseName(agency: Agency): string {
  return `mash_${agency.replace(/-/g, '_')}`;
}

/** `mash_adapter_<agency>`: the adapter's own database beside the source's `mash_<agency>`. */
export function storeDatabaseName(agency: Agency): string {
  return `mash_adapter_${agency.replace(/-/g, '_')}`;
}

/** Reads and validates the adapter's environment once; a bad variable stops the process. */
export function loadAdapterConfig(
  agency: Agency,
  env: NodeJS.ProcessEnv = process.env,
): AdapterConfig {
  const parsed = AdapterEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid adapter configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.ALLOW_INSECURE_JWKS !== 'true' && !isSecureJwksUrl(e.BROKER_JWKS_URL))
    throw new Error(
      'invalid adapter configuration: BROKER_JWKS_URL must be https (plain http only to a loopback address, or set ALLOW_INSECURE_JWKS=true for a private demo network)',
    );
  const upper = agency.toUpperCase().replace(/-/g, '_');
  const perAgencyUrl = env[`${upper}_DATABASE_URL`];
  const perAgencyStore = env[`${upper}_ADAPTER_DATABASE_URL`];
  const port = env[`${upper}_ADAPTER_PORT`] ?? e.ADAPTER_PORT ?? DEFAULT_ADAPTER_PORTS[agency];
  if (port === undefined)
    throw new Error(
      `invalid adapter configuration: set ${upper}_ADAPTER_PORT or ADAPTER_PORT (no default port for ${agency})`,
    );
  return {
    agency,
    service: `adapter-${agency}`,
    port: Number(port),
    host: e.ADAPTER_HOST,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    sourceDatabaseUrl:
      perAgencyUrl ??
      e.SOURCE_DATABASE_URL ??
      withDatabase(e.DATABASE_URL, sourceDatabaseName(agency)),
    // Without its own URL the store sits beside DATABASE_URL or, when only the source is given (a
    // deployment that predates the store), on the source's server: a separate database either way.
    storeDatabaseUrl:
      perAgencyStore ??
      e.ADAPTER_DATABASE_URL ??
      withDatabase(
        env.DATABASE_URL ?? perAgencyUrl ?? e.SOURCE_DATABASE_URL ?? e.DATABASE_URL,
        storeDatabaseName(agency),
      ),
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    brokerJwksUrl: e.BROKER_JWKS_URL,
    keysDir: resolve(e.KEYS_DIR),
    kafka: e,
    heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
  };
}
