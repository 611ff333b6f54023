import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
import { createScopeTagsLoader } from '../auth/scope-tag.loaders';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { AppleBusinessAccountEntity } from './account.entity';

export interface AppleBusinessLoaders {
  /** Visible accounts by row id (null when absent or not visible). */
  appleBusinessAccountById: DataLoader<string, AppleBusinessAccountEntity | null>;
  scopeTagsByAppleBusinessAccount: DataLoader<string, ScopeTagEntity[]>;
}

export function createAppleBusinessLoaders(services: Services, scope: AccessScope): AppleBusinessLoaders {
  return {
    appleBusinessAccountById: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessAccounts.findVisibleByIds(ids, scope))),
    scopeTagsByAppleBusinessAccount: createScopeTagsLoader(services.scopeTags, (ids) => services.appleBusinessAccounts.scopeTagIdsByToken(ids)),
  };
}
