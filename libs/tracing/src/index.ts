import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/*
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (`startTracing`). The
 * spans below use the global API: with no SDK registered they are no-ops, so the code paths are
 * the same with tracing on or off. Span names and attributes carry ids and codes, never personal
 * data; W3C trace context travels in Kafka headers (`traceparent`, `tracestate`).
 */

export { SpanKind };

const tracer = () => trace.getTracer('mash');

/**
 * Starts the OpenTelemetry SDK for `service` when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
 * standard OTEL_* variables configure the exporter), with HTTP and PostgreSQL instrumentation.
 * Call before anything loads `http` or `pg`: each app's `main.ts` imports its `tracing.ts` first,
 * and this library imports nothing else of the project, so nothing is loaded ahead of it.
 */
export function startTracing(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): { shutdown(): Promise<void> } | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      // Paths only: a query string could carry a name.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' }),
      // Statements are parameterised: the SQL text holds no values, and values are not recorded.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  const stop = () => void sdk.shutdown().catch(() => undefined);
  process.once('SIGTERM', stop);
  return sdk;
}

/** Adds the current trace context to outgoing message headers (nothing when tracing is off). */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** The trace context a message carried, to continue its trace. */
export function traceContextOf(headers: Record<string, string | undefined>): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) carrier[k] = v;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * Runs `fn` in a new span (child of `parent`, else of the active span), ended when `fn`
 * settles; a throw marks it failed by the error's name only.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.name : 'error',
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
