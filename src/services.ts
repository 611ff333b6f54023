/**
 * The services of one running instance, built once at start and shared by every request. Each
 * feature adds its service here; resolvers reach them through the request context.
 */
import type { DataSource } from 'typeorm';
import { ApiKeyService } from './auth/api-key.service';
import { ScopeTagService } from './auth/scope-tag.service';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Logger } from './logger';

export interface ServiceDeps {
  dataSource: DataSource;
  config: Config;
  clock: Clock;
  logger: Logger;
}

export interface Services {
  apiKeys: ApiKeyService;
  scopeTags: ScopeTagService;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    apiKeys: new ApiKeyService(deps.dataSource, deps.clock),
    scopeTags: new ScopeTagService(deps.dataSource, deps.clock),
  };
}
