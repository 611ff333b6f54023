/**
 * DataLoaders, created fresh for each request (and each subscription event) so that caching never
 * crosses callers with different visibility. Each feature contributes a factory.
 */
import type { AccessScope } from './auth/access-scope';
import type { Services } from './services';
import { createTokenLoaders, type TokenLoaders } from './tokens/token.loaders';

export type Loaders = TokenLoaders;

export function createLoaders(services: Services, scope: AccessScope): Loaders {
  return { ...createTokenLoaders(services, scope) };
}
