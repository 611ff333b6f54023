import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
import { createScopeTagsLoader } from '../auth/scope-tag.loaders';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { DepTokenKeyPairEntity } from './key-pair.entity';
import type { DepTokenEntity } from './token.entity';

export interface TokenLoaders {
  /** Scope tags per token row id: one query for a whole page of tokens. */
  scopeTagsByToken: DataLoader<string, ScopeTagEntity[]>;
  /** Visible tokens by row id (null when absent or not visible). */
  tokenById: DataLoader<string, DepTokenEntity | null>;
  keyPairById: DataLoader<string, DepTokenKeyPairEntity | null>;
}

export function createTokenLoaders(services: Services, scope: AccessScope): TokenLoaders {
  return {
    scopeTagsByToken: createScopeTagsLoader(services.scopeTags, (ids) => services.depTokens.scopeTagIdsByToken(ids)),
    tokenById: new DataLoader(async (ids) => byIds(ids, await services.depTokens.findVisibleByIds(ids, scope))),
    keyPairById: new DataLoader(async (ids) => byIds(ids, await services.depTokens.findKeyPairs(ids))),
  };
}
