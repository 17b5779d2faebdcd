import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  KafkaEnvSchema,
  PreparedStatementsEnvSchema,
  LogFormatSchema,
  LogLevelSchema,
  isSecureJwksUrl,
  type LogFormat,
  type LogLevel,
} from '@mash/common';
import { AGENCIES } from '@mash/contracts';

const RegistryEntry = z.object({ jwksUrl: z.string().url() });
/** The agency registry file: which keys the broker trusts for each agency, per partnership. */
export const AgencyRegistrySchema = z.object({
  default: z.record(z.enum(AGENCIES), RegistryEntry).optional(),
  partnerships: z.record(z.string(), z.record(z.enum(AGENCIES), RegistryEntry)).default({}),
});
export type AgencyRegistry = z.infer<typeof AgencyRegistrySchema>;

const DatabaseEnvSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/mash_broker'),
});

const BrokerEnvSchema = KafkaEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: DatabaseEnvSchema.shape.DATABASE_URL,
  DATABASE_PREPARED_STATEMENTS: PreparedStatementsEnvSchema.shape.DATABASE_PREPARED_STATEMENTS,
  KEYS_DIR: z.string().default('.local/keys'),
  AUTH_MODE: z.enum(['dev', 'production']).default('production'),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ROLES_CLAIM: z.string().default('roles'),
  AUTH_PARTNERSHIP_CLAIM: z.string().default('partnership'),
  AUTH_AGENCY_CLAIM: z.string().default('agency'),
  AUTH_ALGORITHMS: z.string().default('RS256,ES256,EdDSA'),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 3600),
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  GRANT_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  LATE_ANSWER_WINDOW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  AGENCY_REGISTRY_FILE: z.string().default('deploy/agencies/registry.dev.json'),
  AGREEMENTS_DIR: z.string().optional(),
  THRESHOLDS_DIR: z.string().default('deploy/thresholds'),
  AUDIT_CHECKPOINT_FILE: z.string().default('.local/audit/checkpoints.jsonl'),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  METRICS_ALLOW: z.string().default('127.0.0.1/32,::1/128'),
  RATE_LIMIT_PER_WINDOW: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  LOG_LEVEL: LogLevelSchema,
  LOG_FORMAT: LogFormatSchema,
  /** Operations: `1` keeps requests in the outbox unpublished (e.g. while Kafka is repaired). */
  OUTBOX_RELAY_DISABLED: z.enum(['0', '1']).default('0'),
  /** The console: the key that seals its session cookie (at least 32 characters). */
  CONSOLE_SESSION_SECRET: z.string().min(32).optional(),
  CONSOLE_SESSION_HOURS: z.coerce.number().min(0.25).max(12).default(8),
  /** The console's public address (its sign-in callback is `<CONSOLE_URL>/auth/callback`). */
  CONSOLE_URL: z.string().url().optional(),
  /** The identity provider the console signs people in with (OpenID Connect discovery). */
  OIDC_ISSUER_URL: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().default('openid profile'),
  /** Server-Sent Events: a comment this often keeps proxies from closing an idle stream. */
  QUERY_EVENTS_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  /** Admission control (docs/operations.md): requests in flight per agency, at most. */
  QUERY_ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(2000),
  /** ...and at least, whatever the recent answer rate (a quiet federation takes a burst). */
  QUERY_ADMISSION_MIN_IN_FLIGHT: z.coerce.number().int().min(1).default(20),
  /** The share of the in-flight limit kept for red cases. */
  QUERY_ADMISSION_RED_RESERVE: z.coerce.number().min(0).max(0.9).default(0.2),
  /** Query creations under way at once in one broker instance, at most (red cases: all of them). */
  QUERY_ADMISSION_MAX_CONCURRENT: z.coerce.number().int().min(1).default(16),
  /** Event-loop utilisation above which an instance refuses amber and green queries; 1: never. */
  QUERY_ADMISSION_MAX_BUSY: z.coerce.number().min(0.1).max(1).default(0.85),
  /** Of the deadline, the share a request may expect to wait behind those in flight. */
  QUERY_ADMISSION_DEADLINE_SHARE: z.coerce.number().min(0.1).max(0.9).default(0.5),
  /** How far back the answer rate is measured. */
  QUERY_ADMISSION_WINDOW_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** ...and over this last part of it too: the lower of the two rates counts (a falling rate shows at once). */
  QUERY_ADMISSION_RECENT_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  /** An instance reads the answer rates at most this often (they move over seconds); 0: every query. */
  QUERY_ADMISSION_RATE_REFRESH_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  /** An adapter not heard from for this long is `down` (adapters beat every 10 s by default). */
  HEARTBEAT_SILENCE_SECONDS: z.coerce.number().int().min(2).max(86_400).default(45),
  /**
   * A query's part for an agency whose adapter has been silent this long (wall time, on the
   * database's clock) is settled at once as `failed` with `AGENCY.UNAVAILABLE` instead of
   * waiting for the deadline; 0 turns that off (docs/operations.md, "An agency that is down").
   */
  AGENCY_DOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(45),
});

export type AuthMode = 'dev' | 'production';

export interface BrokerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Parameterised statements prepared once per connection (`PreparingClient`). */
  databasePreparedStatements: boolean;
  keysDir: string;
  kafka: z.infer<typeof KafkaEnvSchema>;
  auth: {
    mode: AuthMode;
    issuer: string;
    audience: string;
    /** In dev mode usually undefined: the broker then fetches its own dev JWKS once it listens. */
    jwksUrl: string | undefined;
    rolesClaim: string;
    partnershipClaim: string;
    agencyClaim: string;
    algorithms: string[];
    clockToleranceSeconds: number;
    maxTokenAgeSeconds: number;
    failureLimit: number;
    failureWindowSeconds: number;
  };
  queryTimeoutMs: number;
  grantTtlSeconds: number;
  /** How long after its deadline a timed-out request still takes an answer. */
  lateAnswerWindowSeconds: number;
  agencyRegistryFile: string;
  /** The registry file's content, validated at boot. */
  agencyRegistry: AgencyRegistry;
  agreementsDir: string | undefined;
  thresholdsDir: string;
  auditCheckpointFile: string;
  auditCheckpointIntervalSeconds: number;
  /** Addresses and CIDR ranges of the operator network, the only clients `/metrics` answers. */
  metricsAllow: string;
  /** Requests per user (or, before sign-in, per address) per window. */
  rateLimit: { limit: number; windowSeconds: number };
  /** `<AGENCY>_JWKS_URL` overrides of the agency registry's default entries. */
  agencyJwksOverrides: Partial<Record<string, string>>;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** When set, the outbox relay publishes nothing: messages wait in the database. */
  outboxRelayDisabled: boolean;
  /** An adapter silent for longer than this is reported `down`. */
  heartbeatSilenceSeconds: number;
  /** An adapter silent this long (wall time) is known down: queries to it settle at once. 0: off. */
  agencyDownGraceSeconds: number;
  queryEventsHeartbeatSeconds: number;
  /** Admission control of new queries (see `AdmissionService`). */
  admission: {
    maxInFlight: number;
    minInFlight: number;
    redReserve: number;
    windowSeconds: number;
    /** At most `windowSeconds`. */
    recentSeconds: number;
    rateRefreshMs: number;
    maxConcurrent: number;
    maxBusy: number;
    deadlineShare: number;
  };
  console: ConsoleConfig;
}

export interface ConsoleConfig {
  /** Seals the session cookie. In dev mode a random one per process when unset. */
  sessionSecret: string;
  sessionHours: number;
  /** Cookies marked Secure: whenever the console's address is https (always in production). */
  secureCookies: boolean;
  /** Production sign-in; undefined when the console is not configured for an identity provider. */
  oidc?: {
    issuerUrl: string;
    clientId: string;
    clientSecret?: string;
    redirectUrl: string;
    postLogoutRedirectUrl: string;
    scopes: string;
  };
}

export const DEV_ISSUER = 'mash-dev-issuer';
export const DEV_AUDIENCE = 'mash-broker';
export const DEV_JWKS_PATH = '/.well-known/dev-jwks.json';
export const ALLOWED_TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

export class ConfigError extends Error {}

/** Validates the environment once at boot; a bad variable stops the process with a clear message. */
export function loadBrokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const parsed = BrokerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid broker configuration: ${problems}`);
  }
  const e = parsed.data;
  const algorithms = e.AUTH_ALGORITHMS.split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  const refused = algorithms.filter((a) => !ALLOWED_TOKEN_ALGORITHMS.includes(a));
  if (algorithms.length === 0)
    throw new ConfigError(
      `AUTH_ALGORITHMS must name at least one of ${ALLOWED_TOKEN_ALGORITHMS.join(', ')}`,
    );
  if (refused.length > 0) {
    throw new ConfigError(
      `AUTH_ALGORITHMS may name only asymmetric algorithms ${ALLOWED_TOKEN_ALGORITHMS.join(', ')}; refused: ${refused.join(', ')}`,
    );
  }
  if (e.AUTH_MODE === 'production') {
    if (!e.AUTH_ISSUER || !e.AUTH_AUDIENCE || !e.AUTH_JWKS_URL) {
      throw new ConfigError(
        'AUTH_MODE=production needs AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL of your identity provider',
      );
    }
    if (e.AUTH_ISSUER === DEV_ISSUER || new URL(e.AUTH_JWKS_URL).pathname.endsWith(DEV_JWKS_PATH)) {
      throw new ConfigError(
        'AUTH_MODE=production refuses the development issuer: configure your identity provider (see docs/identity.md)',
      );
    }
  }
  const agencyRegistryFile = resolve(e.AGENCY_REGISTRY_FILE);
  const agencyRegistry = loadAgencyRegistry(agencyRegistryFile);
  const agencyJwksOverrides: Partial<Record<string, string>> = Object.fromEntries(
    registeredAgencies(agencyRegistry)
      .map((a) => [a, env[`${a.toUpperCase().replace('-', '_')}_JWKS_URL`]])
      .filter(([, url]) => typeof url === 'string' && url.length > 0),
  );
  if (e.AUTH_MODE === 'production') {
    const insecure = Object.entries({
      AUTH_JWKS_URL: e.AUTH_JWKS_URL,
      ...Object.fromEntries(
        Object.entries(agencyJwksOverrides).map(([a, url]) => [
          `${a.toUpperCase().replace('-', '_')}_JWKS_URL`,
          url,
        ]),
      ),
    })
      .filter(([, url]) => url !== undefined && !isSecureJwksUrl(url))
      .map(([name]) => name);
    if (insecure.length > 0)
      throw new ConfigError(
        `AUTH_MODE=production needs https key set URLs (plain http only to a loopback address); refused: ${insecure.join(', ')}`,
      );
  }
  return {
    console: consoleConfig(e),
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    keysDir: resolve(e.KEYS_DIR),
    kafka: e,
    auth: {
      mode: e.AUTH_MODE,
      issuer: e.AUTH_MODE === 'dev' ? DEV_ISSUER : (e.AUTH_ISSUER as string),
      audience: e.AUTH_MODE === 'dev' ? DEV_AUDIENCE : (e.AUTH_AUDIENCE as string),
      jwksUrl: e.AUTH_JWKS_URL,
      rolesClaim: e.AUTH_ROLES_CLAIM,
      partnershipClaim: e.AUTH_PARTNERSHIP_CLAIM,
      agencyClaim: e.AUTH_AGENCY_CLAIM,
      algorithms,
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: e.AUTH_MAX_TOKEN_AGE_SECONDS,
      failureLimit: e.AUTH_FAILURE_LIMIT,
      failureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
    },
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    grantTtlSeconds: e.GRANT_TTL_SECONDS,
    lateAnswerWindowSeconds: e.LATE_ANSWER_WINDOW_SECONDS,
    agencyRegistryFile,
    agencyRegistry,
    agreementsDir: e.AGREEMENTS_DIR ? resolve(e.AGREEMENTS_DIR) : undefined,
    thresholdsDir: resolve(e.THRESHOLDS_DIR),
    auditCheckpointFile: resolve(e.AUDIT_CHECKPOINT_FILE),
    auditCheckpointIntervalSeconds: e.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
    metricsAllow: e.METRICS_ALLOW,
    rateLimit: { limit: e.RATE_LIMIT_PER_WINDOW, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
    agencyJwksOverrides,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    outboxRelayDisabled: e.OUTBOX_RELAY_DISABLED === '1',
    heartbeatSilenceSeconds: e.HEARTBEAT_SILENCE_SECONDS,
    agencyDownGraceSeconds: e.AGENCY_DOWN_GRACE_SECONDS,
    queryEventsHeartbeatSeconds: e.QUERY_EVENTS_HEARTBEAT_SECONDS,
    admission: {
      maxInFlight: e.QUERY_ADMISSION_MAX_IN_FLIGHT,
      minInFlight: Math.min(e.QUERY_ADMISSION_MIN_IN_FLIGHT, e.QUERY_ADMISSION_MAX_IN_FLIGHT),
      redReserve: e.QUERY_ADMISSION_RED_RESERVE,
      windowSeconds: e.QUERY_ADMISSION_WINDOW_SECONDS,
      recentSeconds: Math.min(e.QUERY_ADMISSION_RECENT_SECONDS, e.QUERY_ADMISSION_WINDOW_SECONDS),
      rateRefreshMs: e.QUERY_ADMISSION_RATE_REFRESH_MS,
      maxConcurrent: e.QUERY_ADMISSION_MAX_CONCURRENT,
      maxBusy: e.QUERY_ADMISSION_MAX_BUSY,
      deadlineShare: e.QUERY_ADMISSION_DEADLINE_SHARE,
    },
  };
}

function consoleConfig(e: z.infer<typeof BrokerEnvSchema>): ConsoleConfig {
  const oidcNamed = [e.OIDC_ISSUER_URL, e.OIDC_CLIENT_ID].filter((v) => v !== undefined).length;
  if (oidcNamed === 1)
    throw new ConfigError('the console needs OIDC_ISSUER_URL and OIDC_CLIENT_ID together');
  if (e.AUTH_MODE === 'production' && oidcNamed === 2) {
    if (!e.CONSOLE_URL || !e.CONSOLE_SESSION_SECRET)
      throw new ConfigError(
        'the console signs in through OIDC_ISSUER_URL only with CONSOLE_URL and CONSOLE_SESSION_SECRET set',
      );
    if (!e.CONSOLE_URL.startsWith('https:'))
      throw new ConfigError('AUTH_MODE=production needs an https CONSOLE_URL');
  }
  const base = (e.CONSOLE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  return {
    // Dev mode only: sessions then end when the broker restarts.
    sessionSecret: e.CONSOLE_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    sessionHours: e.CONSOLE_SESSION_HOURS,
    secureCookies: e.AUTH_MODE === 'production' || base.startsWith('https:'),
    oidc:
      e.AUTH_MODE === 'production' && e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID
        ? {
            issuerUrl: e.OIDC_ISSUER_URL,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            redirectUrl: `${base}/auth/callback`,
            postLogoutRedirectUrl: `${base}/sign-in`,
            scopes: e.OIDC_SCOPES,
          }
        : undefined,
  };
}

/** The broker's database URL alone, for tools (the TypeORM CLI, the migration check). */
export function brokerDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return DatabaseEnvSchema.parse(env).DATABASE_URL;
}

function loadAgencyRegistry(file: string): AgencyRegistry {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(`AGENCY_REGISTRY_FILE ${file} cannot be read as JSON`);
  }
  const parsed = AgencyRegistrySchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`agency registry ${file} is invalid`);
  return parsed.data;
}

/** Every agency the registry names, by default or for some partnership. */
function registeredAgencies(registry: AgencyRegistry): string[] {
  return [
    ...new Set([
      ...Object.keys(registry.default ?? {}),
      ...Object.values(registry.partnerships).flatMap((p) => Object.keys(p)),
    ]),
  ];
}

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');
