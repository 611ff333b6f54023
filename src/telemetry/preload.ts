/**
 * Imported first by src/main.ts, before anything it instruments (http, express, graphql, pg, pino)
 * is loaded: instrumentations patch modules as they are required, so a later start misses them.
 * Reads only the tracing variables; a bad value is left for loadConfig() in main to report (exit 78).
 */
import { loadTelemetryConfig, type TelemetryConfig } from '../config';
import type { Tracing } from './tracing';

let tracing: Tracing | undefined;

function start(): void {
  let config: TelemetryConfig;
  try {
    config = loadTelemetryConfig();
  } catch {
    return;
  }
  if (!config.otlpEndpoint) return;
  // A require, not an import: without the endpoint the SDK is never loaded at all.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing') as typeof import('./tracing');
  tracing = startTracing({ otlpEndpoint: config.otlpEndpoint, serviceName: config.serviceName });
}

start();

/** Whether tracing was started (the endpoint was set). */
export function tracingEnabled(): boolean {
  return tracing !== undefined;
}

/** Flushes and stops tracing, if started; part of the SIGTERM shutdown. Never throws. */
export async function shutdownTracing(): Promise<void> {
  await tracing?.shutdown().catch(() => undefined);
}
