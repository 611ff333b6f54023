import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
import type { Services } from '../services';
import type { VppTokenEntity } from './vpp-token.entity';

export interface VppTokenLoaders {
  /** Visible VPP tokens by row id (null when absent or not visible). */
  vppTokenById: DataLoader<string, VppTokenEntity | null>;
  scopeTagsByVppToken: DataLoader<string, ScopeTagEntity[]>;
  /** Enrollment profiles installing Company Portal with the token. */
  profileCountByVppToken: DataLoader<string, number>;
}

export function createVppTokenLoaders(services: Services, scope: AccessScope): VppTokenLoaders {
  return {
    vppTokenById: new DataLoader(async (ids) => {
      const found = new Map((await services.vppTokens.findVisibleByIds(ids, scope)).map((t) => [t.id, t]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    scopeTagsByVppToken: new DataLoader(async (ids) => {
      const idsByToken = await services.vppTokens.scopeTagIdsByToken(ids);
      const tags = new Map((await services.scopeTags.findByIds([...new Set([...idsByToken.values()].flat())])).map((t) => [t.id, t]));
      return ids.map((id) =>
        (idsByToken.get(id) ?? [])
          .map((tagId) => tags.get(tagId)!)
          .filter(Boolean)
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    }),
    profileCountByVppToken: new DataLoader(async (ids) => {
      const counts = await services.vppTokens.profileCounts(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}
