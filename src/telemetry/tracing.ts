/**
 * OpenTelemetry tracing: the Node SDK with an OTLP/HTTP (JSON) trace exporter and the
 * instrumentations for what a request crosses: inbound HTTP (http, express), GraphQL, PostgreSQL (pg),
 * and Apple's APIs (global fetch, i.e. undici). The pino instrumentation stamps trace_id/span_id on
 * log lines written inside a span. Only ever required by preload.ts when an endpoint is configured,
 * so without OTEL_EXPORTER_OTLP_ENDPOINT none of these modules is loaded.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TelemetryConfig } from '../config';

export interface Tracing {
  /** Flushes spans still batched, then stops exporting. */
  shutdown(): Promise<void>;
}

export function startTracing(config: Required<TelemetryConfig>): Tracing {
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }),
    // Traces only: left to itself the SDK would also push OTLP metrics and logs to the endpoint,
    // but metrics are Prometheus (/metrics) and logs are stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (req) => ['/healthz', '/readyz', '/metrics'].includes((req.url ?? '').split('?')[0]),
      }),
      new ExpressInstrumentation(),
      // Values of resolver arguments stay out of spans (they can carry token files).
      new GraphQLInstrumentation({ allowValues: false, mergeItems: true }),
      // Statement text only, never bound values (the same rule as the logs).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new UndiciInstrumentation(),
      // trace_id/span_id in log lines; the logs themselves stay on stdout, not OTLP.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
