/**
 * The services of one running instance, built once at start and shared by every request. Each
 * feature adds its service here; resolvers reach them through the request context.
 */
import type { DataSource } from 'typeorm';
import { ApiKeyService } from './auth/api-key.service';
import { ScopeTagService } from './auth/scope-tag.service';
import { SECOND_MS, type Clock } from './clock';
import type { Config } from './config';
import { SecretBox } from './crypto/secret-box';
import type { Logger } from './logger';
import { DeviceAssignmentService } from './devices/assignment.service';
import { DepClientFactory, type DepClientTuning } from './tokens/dep-client.factory';
import type { DepTokenEntity } from './tokens/token.entity';
import { DepTokenService } from './tokens/token.service';
import { depTokenStatus, type DepTokenStatus } from './tokens/token.status';

export interface ServiceDeps {
  dataSource: DataSource;
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Timeouts, retries and sleeps of Apple clients (tests make them fast). */
  appleTuning?: DepClientTuning;
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
  depTokenStatus(token: DepTokenEntity): DepTokenStatus;
}

export function createServices(deps: ServiceDeps): Services {
  const { dataSource, config, clock, logger } = deps;
  if (!config.secretKey) throw new Error('createServices: config.secretKey must be set (SECRET_KEY)');
  const box = new SecretBox(config.secretKey);
  const depClients = new DepClientFactory(config.appleDepApiUrl, box, clock, deps.appleTuning);
  return {
    clock,
    config,
    apiKeys: new ApiKeyService(dataSource, clock),
    scopeTags: new ScopeTagService(dataSource, clock),
    depClients,
    depTokens: new DepTokenService(dataSource, box, depClients, clock, logger, { keyPairTtlMs: config.keyPairTtlS * SECOND_MS }),
    assignments: new DeviceAssignmentService(dataSource, depClients, clock, logger),
    depTokenStatus: (token) => depTokenStatus(token, clock.now(), config.tokenExpiringSoonDays),
  };
}
