/**
 * The services of one running instance, built once at start and shared by every request. Each
 * feature adds its service here; resolvers reach them through the request context.
 */
import type { DataSource } from 'typeorm';
import { AssignmentHistoryService } from './assignment-history/assignment-history.service';
import { ApnsCertificateService } from './apns/apns-certificate.service';
import { EnrollmentUrlProbe } from './readiness/enrollment-url.probe';
import { ReadinessService } from './readiness/readiness.service';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookService } from './webhooks/webhook.service';
import { devicePageObserver, wireWebhooks } from './webhooks/webhook.wiring';
import type { WebhookDeliveryOptions } from './webhooks/webhook.jobs';
import { AppleBusinessAccountService } from './apple-business/account.service';
import { ActivityService } from './apple-business/activity.service';
import { BusinessClientFactory } from './apple-business/business-client.factory';
import { InventoryService } from './apple-business/inventory.service';
import { AuditService } from './audit/audit.service';
import { wireAudit } from './audit/audit.wiring';
import { ApiKeyService } from './auth/api-key.service';
import { ScopeTagService } from './auth/scope-tag.service';
import { SECOND_MS, type Clock } from './clock';
import type { Config } from './config';
import { SecretBox } from './crypto/secret-box';
import { createPostgresPubSub, type PostgresPubSub } from './events';
import { PrincipalCache, evictRevokedPrincipals } from './auth/principal-cache';
import { Topic } from './events/topics';
import { createJobRunner, type JobRunner } from './jobs';
import { SyncService, type SyncServiceOptions } from './sync/sync.service';
import type { Logger } from './logger';
import { DeviceAssignmentService } from './devices/assignment.service';
import { DeviceService } from './devices/device.service';
import { ProfileRemovalService } from './devices/profile-removal.service';
import { AssignmentRetryService } from './devices/assignment-retry.service';
import { DeviceDetailsService } from './devices/device-details.service';
import { DeviceDeletionService } from './devices/device-deletion.service';
import { DeviceChangeFeed } from './devices/device-changes';
import { ConfiguratorCertificateService } from './profiles/configurator-certificate.service';
import { EnrollmentProfileService } from './profiles/profile.service';
import { DepClientFactory, type DepClientTuning } from './tokens/dep-client.factory';
import { DepTokenEntity } from './tokens/token.entity';
import { DepTokenService } from './tokens/token.service';
import { depTokenStatus, type DepTokenStatus } from './tokens/token.status';
import { TokenStatusAnnouncer, type DepTokenStatusNow } from './tokens/token-status-announcer';
import { AlertService } from './alerts/alert.service';
import { wireAlerts } from './alerts/alert.wiring';
import { DepgateMetrics } from './metrics/metrics';
import { VppClientFactory } from './vpp/vpp-client.factory';
import { VppTokenService } from './vpp/vpp-token.service';

export interface ServiceDeps {
  dataSource: DataSource;
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Timeouts, retries and sleeps of Apple clients (tests make them fast). */
  appleTuning?: DepClientTuning;
  /** The database's connection string: LISTEN/NOTIFY and pg-boss open connections of their own. */
  databaseUrl: string;
  /** Background sync timing (tests poll faster). */
  syncOptions?: SyncServiceOptions;
}

export interface Services {
  clock: Clock;
  config: Config;
  apiKeys: ApiKeyService;
  scopeTags: ScopeTagService;
  depClients: DepClientFactory;
  depTokens: DepTokenService;
  /** Profile assignment at Apple (the assignEnrollmentProfile mutation and the sync engine). */
  assignments: DeviceAssignmentService;
  profiles: EnrollmentProfileService;
  /** Device.assignmentHistory: every assignment attempt, kept ASSIGNMENT_HISTORY_RETENTION_DAYS. */
  assignmentHistory: AssignmentHistoryService;
  /** THROTTLED and FAILED devices retried when their cooldown ends (a job every minute). */
  assignmentRetries: AssignmentRetryService;
  /** Bulk deletion as a job (deleteDevices). */
  deviceDeletions: DeviceDeletionService;
  /** Details on demand from Apple (refreshDeviceDetails). */
  deviceDetails: DeviceDetailsService;
  /** Unassigning profiles at Apple (removeEnrollmentProfile). */
  profileRemovals: ProfileRemovalService;
  configuratorCertificates: ConfiguratorCertificateService;
  devices: DeviceService;
  depTokenStatus(token: DepTokenEntity): DepTokenStatus;
  /** The pub/sub on PostgreSQL LISTEN/NOTIFY: events cross instances (started by the app). */
  events: PostgresPubSub;
  /** Background jobs on pg-boss (started by the sync service, stopped by the app). */
  jobs: JobRunner;
  /** Sync runs: requests, rules, the engine, the scheduler. */
  sync: SyncService;
  /** VPP (Apps and Books) tokens and their Company Portal licences. */
  vppTokens: VppTokenService;
  /** Expiry, terms, sync and licence alerts. */
  alerts: AlertService;
  /** The Prometheus registry behind /metrics. */
  metrics: DepgateMetrics;
  /** The audit trail: mutations (recorded by a schema middleware) and background actions. */
  audit: AuditService;
  /** The Apple MDM push certificate (one per deployment). */
  apnsCertificates: ApnsCertificateService;
  /** enrollmentReadiness: what is missing before a device can enroll. */
  readiness: ReadinessService;
  /** Webhooks: their management, and the dispatcher that turns events into deliveries. */
  webhooks: WebhookService;
  webhookDispatcher: WebhookDispatcher;
  /** The SecretBox (webhook secrets are opened by the delivery worker). */
  secretBox: SecretBox;
  webhookDelivery: WebhookDeliveryOptions;
  /** Apple School and Business API accounts (src/apple-business). */
  appleBusinessAccounts: AppleBusinessAccountService;
  /** The organisation's inventory mirror and MDM servers. */
  appleBusinessInventory: InventoryService;
  /** Device activities and MDM-server changes at Apple. */
  appleBusinessActivities: ActivityService;
}

export function createServices(deps: ServiceDeps): Services {
  const { dataSource, config, clock, logger } = deps;
  if (!config.secretKey) throw new Error('createServices: config.secretKey must be set (SECRET_KEY)');
  const box = new SecretBox(config.secretKey, { previous: config.secretKeyPrevious });
  const metrics = new DepgateMetrics({ dataSource, clock, logger, tokenNames: config.metricsTokenNames });
  const depClients = new DepClientFactory(config.appleDepApiUrl, box, clock, { ...deps.appleTuning, observe: metrics.appleObserver('dep') });
  const depTokens = new DepTokenService(dataSource, box, depClients, clock, logger, {
    keyPairTtlMs: config.keyPairTtlS * SECOND_MS,
    enrollmentUrlHttpsOnly: config.appleIsReal,
  });
  // What depgate does to devices outside sync pages (assignments, removals, deletions): webhooks hear it.
  const deviceChanges = new DeviceChangeFeed(logger);
  const assignments = new DeviceAssignmentService(dataSource, depClients, clock, logger, deviceChanges);
  const devices = new DeviceService(dataSource, clock, deviceChanges);
  const profiles = new EnrollmentProfileService(dataSource, depClients, assignments, clock, logger, config);
  // A token is deleted only once its profiles and (live) devices are gone.
  depTokens.registerDependents({ describe: 'enrollment profiles', count: (manager, tokenId) => profiles.countForToken(manager, tokenId) });
  depTokens.registerDependents({
    describe: 'devices',
    count: (manager, tokenId) => devices.countLive(manager, tokenId),
    release: (manager, tokenId) => devices.purgeDeleted(manager, tokenId),
  });
  // Valid API keys are remembered for a few seconds (auth/principal-cache.ts): trusted only while
  // the events channel that carries revocations listens, and forgotten when it comes back.
  const principals = new PrincipalCache(clock, { isTrusted: () => events.isListening() });
  const events = createPostgresPubSub({ connectionString: deps.databaseUrl, logger, executor: dataSource, onReconnected: () => principals.clear() });
  evictRevokedPrincipals(events.pubSub.subscribe(Topic.API_KEY_REVOKED), principals, logger);
  const jobs = createJobRunner({ connectionString: deps.databaseUrl, logger, clock, maxConnections: 4 });
  const vppTokens = new VppTokenService(dataSource, box, new VppClientFactory(config.appleVppApiUrl, box, clock, { ...deps.appleTuning, observe: metrics.appleObserver('vpp') }), clock, logger, {
    companyPortalAdamId: config.companyPortalAdamId,
    expiringSoonDays: config.tokenExpiringSoonDays,
    licensesLow: config.vppLicensesLow,
  });
  // Profiles resolve their Company Portal VPP token (existence, scope, expiry, licences) through the VPP feature.
  profiles.useVppTokenLookup(vppTokens.companyPortalLookup);
  const alerts = new AlertService(dataSource, clock, logger, { expiryDays: config.alertExpiryDays, licensesLow: config.vppLicensesLow });
  const webhookDispatcher = new WebhookDispatcher(jobs, logger);
  // The DEP token status rule on this deployment's clock and warning window: the API, readiness and the announcer.
  const depTokenStatusNow: DepTokenStatusNow = (token) => depTokenStatus(token, clock.now(), config.tokenExpiringSoonDays);
  const tokenStatuses = new TokenStatusAnnouncer(depTokenStatusNow);
  const apnsCertificates = new ApnsCertificateService(dataSource, box, clock, logger, { expiringSoonDays: config.tokenExpiringSoonDays, vendor: config.apnsVendor });
  const services: Services = {
    clock,
    config,
    apiKeys: new ApiKeyService(dataSource, clock, principals),
    scopeTags: new ScopeTagService(dataSource, clock),
    depClients,
    depTokens,
    assignments,
    profiles,
    profileRemovals: new ProfileRemovalService(dataSource, depClients, clock, deviceChanges),
    assignmentRetries: new AssignmentRetryService(dataSource, assignments, clock, logger),
    deviceDetails: new DeviceDetailsService(dataSource, depClients, clock),
    deviceDeletions: new DeviceDeletionService(dataSource, devices, jobs, clock, logger, deviceChanges),
    assignmentHistory: new AssignmentHistoryService(dataSource, clock, config.assignmentHistoryRetentionDays),
    configuratorCertificates: new ConfiguratorCertificateService(dataSource, clock),
    devices,
    depTokenStatus: depTokenStatusNow,
    events,
    jobs,
    sync: new SyncService({
      dataSource,
      clock,
      logger,
      intervals: config,
      depClients,
      depTokens: () => services.depTokens,
      assignments: () => services.assignments,
      pageObserver: () => pageObserver,
      jobs,
      events,
      options: deps.syncOptions,
    }),
    vppTokens,
    alerts,
    metrics,
    audit: new AuditService(dataSource, clock, config.auditRetentionDays),
    appleBusinessAccounts: new AppleBusinessAccountService(
      dataSource,
      box,
      new BusinessClientFactory(
        dataSource,
        { business: config.appleBusinessApiUrl, school: config.appleSchoolApiUrl, token: config.appleOauthTokenUrl },
        box,
        clock,
        { ...deps.appleTuning, observe: metrics.appleObserver('business') },
      ),
      clock,
      logger,
    ),
    // Set right below (they need the accounts service).
    appleBusinessInventory: undefined as unknown as InventoryService,
    appleBusinessActivities: undefined as unknown as ActivityService,
    apnsCertificates,
    readiness: new ReadinessService({
      dataSource,
      config,
      depTokens,
      depTokenStatus: depTokenStatusNow,
      apnsCertificates,
      vppTokens,
      probe: new EnrollmentUrlProbe(clock),
    }),
    webhooks: new WebhookService(dataSource, box, clock, logger, webhookDispatcher, alerts, { allowPrivateNetworks: config.webhookAllowPrivateNetworks }),
    webhookDispatcher,
    secretBox: box,
    webhookDelivery: {
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
      disableAfterFailures: config.webhookDisableAfterFailures,
    },
  };
  // Webhook events: sync pages (devices), depgate's own device changes, alerts and token status (sync outcomes: app.ts).
  const pageObserver = devicePageObserver(webhookDispatcher);
  wireWebhooks({
    dispatcher: webhookDispatcher,
    alerts,
    deviceChanges,
    tokenStatuses,
    clock,
  });
  // The push certificate's expiry alerts follow uploads and renewals at once (and the scheduled pass).
  services.apnsCertificates.onChanged(async (certificate) => {
    try {
      await alerts.evaluateApnsCertificate(certificate.id);
    } catch (err) {
      logger.error({ apnsCertificateId: certificate.id, err: { message: (err as Error).message } }, 'alert evaluation failed');
    }
  });
  services.appleBusinessInventory = new InventoryService(dataSource, services.appleBusinessAccounts, clock, logger);
  services.appleBusinessActivities = new ActivityService(dataSource, services.appleBusinessAccounts, services.appleBusinessInventory, clock, logger);
  // Uploads, renewals, licence refreshes and Apple Business account changes re-evaluate alerts at once; raised alerts go on the events channel.
  wireAlerts({ alerts, depTokens: services.depTokens, vppTokens, appleBusinessAccounts: services.appleBusinessAccounts, events, logger });
  // Every evaluation of a DEP token also compares its derived status with the one last announced.
  alerts.onEvaluated(
    'DEP_TOKEN',
    (tokenId, executor) => tokenStatuses.check(executor, tokenId),
    (tokenIds, executor) => tokenStatuses.unannounced(executor, tokenIds),
  );
  tokenStatuses.onChanged(({ tokenId }, executor) => events.publish(Topic.DEP_TOKEN_CHANGED, { tokenId }, { executor }));
  // Scheduled syncs, automatic assignments and alert raises are recorded with the system as actor.
  wireAudit({ audit: services.audit, syncRequests: services.sync.requests, assignments, alerts });
  // depTokenChanged: the token's own changes (sync outcomes and alerts arrive on their topics).
  // A hint only: the change is committed, so a failed NOTIFY is logged, never the mutation's error.
  const tokenChanged = (token: { id: string }) =>
    events
      .publish(Topic.DEP_TOKEN_CHANGED, { tokenId: token.id })
      .catch((err: Error) => logger.warn({ tokenId: token.id, err: { message: err.message } }, 'DEP_TOKEN_CHANGED not published'));
  services.depTokens.onUploaded(tokenChanged);
  services.depTokens.onRenewed(tokenChanged);
  services.depTokens.onUpdated(tokenChanged);
  services.apiKeys.onRevoked((apiKeyId) => events.publish(Topic.API_KEY_REVOKED, { apiKeyId }));
  return services;
}
