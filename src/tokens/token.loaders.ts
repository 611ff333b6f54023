import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
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
    scopeTagsByToken: new DataLoader(async (tokenIds) => {
      const idsByToken = await services.depTokens.scopeTagIdsByToken(tokenIds);
      const tags = new Map((await services.scopeTags.findByIds([...new Set([...idsByToken.values()].flat())])).map((t) => [t.id, t]));
      return tokenIds.map((id) =>
        (idsByToken.get(id) ?? [])
          .map((tagId) => tags.get(tagId)!)
          .filter(Boolean)
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    }),
    tokenById: new DataLoader(async (ids) => {
      const found = new Map((await services.depTokens.findVisibleByIds(ids, scope)).map((t) => [t.id, t]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    keyPairById: new DataLoader(async (ids) => {
      const found = new Map((await services.depTokens.findKeyPairs(ids)).map((k) => [k.id, k]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
