/**
 * `npm start`: config -> database (embedded or DATABASE_URL) -> migrations -> server -> workers.
 * SIGTERM/SIGINT drain HTTP, close sockets, stop background work, close the database, flush traces, exit 0.
 */
// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch modules before they load.
import { shutdownTracing, tracingEnabled } from './telemetry/preload';
import 'reflect-metadata';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (tracingEnabled()) logger.info({ otlpEndpoint: new URL(config.telemetry.otlpEndpoint!).origin, serviceName: config.telemetry.serviceName }, 'tracing to OTLP');
  const app = await startApp(config, { logger });
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      // Spans of the last requests are flushed before the process goes.
      () => shutdownTracing().then(() => process.exit(0)),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`depgate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
