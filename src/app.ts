/**
 * Assembles one depgate instance: database (DATABASE_URL or embedded) -> migrations -> services ->
 * GraphQL server -> background work. `main.ts` runs it for real; tests start it the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createDataSource } from './database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';
import { createLogger, type Logger } from './logger';
import { startAlertBackground } from './alerts/alert.jobs';
import { startAssignmentHistoryBackground } from './assignment-history/assignment-history.jobs';
import { startAppleBusinessBackground } from './apple-business/apple-business.jobs';
import { startAuditBackground } from './audit/audit.jobs';
import { startAssignmentRetryBackground } from './devices/assignment-retry.jobs';
import { startDeviceDeletionBackground } from './devices/device-deletion.jobs';
import { startWebhookWorker } from './webhooks/webhook.jobs';
import { listenForSyncOutcomes } from './webhooks/webhook.wiring';
import { buildDepgateSchema } from './schema';
import { startServer, type RunningServer } from './server';
import { createServices, type Services } from './services';
import { generateSecretKey } from './crypto/secret-box';
import type { SyncServiceOptions } from './sync/sync.service';
import type { DepClientTuning } from './tokens/dep-client.factory';

export interface App {
  config: Config;
  dataSource: DataSource;
  services: Services;
  server: RunningServer;
  logger: Logger;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Apple client timeouts/retries/sleep (tests make them fast). */
  appleTuning?: DepClientTuning;
  /**
   * Background sync: timing (tests poll faster), or `enabled: false` to run no sync workers, no
   * scheduler and no sync after uploads (tests of other features, so that no background sync
   * races them).
   */
  sync?: SyncServiceOptions & { enabled?: boolean };
}

/** With the embedded database and no SECRET_KEY, one is generated once and kept beside the data. */
export function embeddedSecretKey(dataDir: string): string {
  const file = path.join(dataDir, 'secret-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, generateSecretKey(), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres') });
    databaseUrl = embedded.url;
    logger.info({ dataDir: embedded.dataDir }, 'embedded PostgreSQL started');
    config = { ...config, secretKey: config.secretKey ?? embeddedSecretKey(config.dataDir) };
  }

  const dataSource = createDataSource(databaseUrl, { statementTimeoutMs: config.requestStatementTimeoutMs });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');

  const services = createServices({ dataSource, config, clock, logger, appleTuning: options.appleTuning, databaseUrl, syncOptions: options.sync });
  if (config.bootstrapApiKey) await services.apiKeys.ensureBootstrapKey(config.bootstrapApiKey);

  // Events before the schema (subscriptions) and the workers (they publish); workers before the
  // server, so the sync that follows a token upload can be queued from the first request.
  await services.events.start();
  if (options.sync?.enabled !== false) await services.sync.start();
  // Scheduled alert evaluation and VPP licence refresh; alerts follow sync outcomes.
  const alertBackground = await startAlertBackground({
    jobs: services.jobs,
    alerts: services.alerts,
    vppTokens: services.vppTokens,
    logger,
    pubSub: services.events.pubSub,
  });

  // Apple School and Business API: inventory mirrors and device-activity polls.
  await startAppleBusinessBackground({
    jobs: services.jobs,
    accounts: services.appleBusinessAccounts,
    inventory: services.appleBusinessInventory,
    activities: services.appleBusinessActivities,
    sync: services.sync,
    events: services.events,
    logger,
  });

  // The audit trail's retention: a daily prune job.
  await startAuditBackground({ jobs: services.jobs, audit: services.audit, logger });
  // The assignment history's retention: a daily prune job.
  await startAssignmentHistoryBackground({ jobs: services.jobs, history: services.assignmentHistory, logger });
  // deleteDevices' jobs.
  await startDeviceDeletionBackground({ jobs: services.jobs, deletions: services.deviceDeletions });
  // THROTTLED and FAILED devices retried within a minute of their cooldown's end.
  // Not scheduled when background sync is off (tests of other features): no retry pass races them.
  await startAssignmentRetryBackground({ jobs: services.jobs, retries: services.assignmentRetries, logger, schedule: options.sync?.enabled !== false });

  // Webhook deliveries (retries with backoff, in order per token) and SYNC_RUN_FINISHED events.
  await startWebhookWorker({
    dataSource,
    jobs: services.jobs,
    dispatcher: services.webhookDispatcher,
    box: services.secretBox,
    clock,
    logger,
    alerts: services.alerts,
    options: services.webhookDelivery,
  });
  const syncOutcomes = listenForSyncOutcomes(services.events.pubSub, services.webhookDispatcher, dataSource, clock, logger);

  const schema = buildDepgateSchema({ pubSub: services.events.pubSub });
  const server = await startServer({ schema, dataSource, services, logger }, { port: config.port, host: config.host });
  logger.info({ url: server.url }, 'depgate is listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      // Running syncs go back to the queue (they resume from their last page), then the job
      // runner and the LISTEN connection stop, then the pool closes.
      await alertBackground.stop();
      await syncOutcomes.stop();
      await services.sync.stop();
      await services.jobs.stop({ graceful: true, timeoutMs: 10_000 });
      await services.events.close();
      await dataSource.destroy();
      if (embedded) await embedded.stop();
      logger.info('depgate stopped');
    })());

  return { config, dataSource, services, server, logger, stop };
}
