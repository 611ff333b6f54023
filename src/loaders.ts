/**
 * DataLoaders, created fresh for each request (and each subscription event) so that caching never
 * crosses callers with different visibility. Each feature contributes a factory.
 */
import type { AccessScope } from './auth/access-scope';
import type { Services } from './services';

export interface Loaders {
  [name: string]: unknown;
}

export function createLoaders(_services: Services, _scope: AccessScope): Loaders {
  return {};
}
