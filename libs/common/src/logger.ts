import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { LogFormat, LogLevel } from './logging';
import { SpanKind, inSpan, traceContextOf } from '@mash/tracing';

/**
 * The correlation id of the work in hand (an HTTP request, a Kafka message), for code far from
 * where it arrived (the audit log) and for every log line written meanwhile.
 */
const correlation = new AsyncLocalStorage<string>();

export function currentCorrelationId(): string | undefined {
  return correlation.getStore();
}

/** Runs `fn` with `id` as the current correlation id (unchanged when `id` is undefined). */
export function withCorrelationId<T>(id: string | undefined, fn: () => T): T {
  return id ? correlation.run(id, fn) : fn();
}

/** A correlation id as a caller may give one (HTTP header or Kafka header); else none. */
export function validCorrelationId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9-]{8,64}$/.test(value) ? value : undefined;
}

/**
 * Runs a Kafka message's handler in a consumer span continuing the trace the message carries,
 * with the message's `correlation-id` header (when well-formed) on every log line it writes.
 */
export function handleKafkaMessage<T>(
  message: { topic: string; headers: Record<string, string | undefined> },
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `${message.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: traceContextOf(message.headers),
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic },
    },
    () => withCorrelationId(validCorrelationId(message.headers['correlation-id']), fn),
  );
}

const PINO_LEVELS: Record<LogLevel, LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Paths pino replaces with `[redacted]`, whatever logs them: credentials in headers. Request and
 * response serializers below already leave headers and bodies out; this is the second line.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (default stdout); a test captures them here. */
  destination?: DestinationStream;
}

function pretty(format: LogFormat): boolean {
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  // `auto`: a person at a terminal, with the dev tool installed (it is not in the image).
  if (!process.stdout.isTTY) return false;
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * One JSON object a line (pino): service, level, time, the correlation id of the request or
 * message being handled, a message. Requests are logged as method, path (no query string: it can
 * carry a name) and status; never headers or bodies. Pretty-printed only when asked
 * (`LOG_FORMAT=pretty`, or `auto` at a terminal).
 */
export function loggerParams(options: LoggerOptions): Params {
  const http = {
    level: PINO_LEVELS[options.level],
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    messageKey: 'message',
    // The id the correlation middleware gave the request (echoed in x-correlation-id).
    genReqId: (req: IncomingMessage) =>
      (req as IncomingMessage & { correlationId?: string }).correlationId ??
      currentCorrelationId() ??
      'none',
    customAttributeKeys: { reqId: 'correlationId' },
    quietReqLogger: true,
    serializers: {
      req: (req: { method?: string; url?: string }) => ({
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    // A 503 with Retry-After is load shed on purpose, counted by the service's metrics
    // (mash_queries_refused_total): at saturation an error line for each would drown the rest.
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error
        ? 'error'
        : res.statusCode === 503 && res.hasHeader('retry-after')
          ? 'debug'
          : res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
    // Lines written outside a request (Kafka handlers, jobs) still carry the id in hand.
    mixin: (_obj: object, _level: number, logger: { bindings(): Record<string, unknown> }) => {
      const id = currentCorrelationId();
      return id && !('correlationId' in logger.bindings()) ? { correlationId: id } : {};
    },
    ...(pretty(options.format)
      ? { transport: { target: 'pino-pretty', options: { messageKey: 'message' } } }
      : {}),
  };
  return {
    pinoHttp: options.destination ? [http, options.destination] : http,
    // Health checks and scrapes every few seconds would drown the rest.
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  } as Params;
}

export function loggerModule(options: LoggerOptions): DynamicModule {
  return LoggerModule.forRoot(loggerParams(options));
}
