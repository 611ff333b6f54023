import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
import { createScopeTagsLoader } from '../auth/scope-tag.loaders';
import { byIds } from '../graphql/loader-batch';
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
    vppTokenById: new DataLoader(async (ids) => byIds(ids, await services.vppTokens.findVisibleByIds(ids, scope))),
    scopeTagsByVppToken: createScopeTagsLoader(services.scopeTags, (ids) => services.vppTokens.scopeTagIdsByToken(ids)),
    profileCountByVppToken: new DataLoader(async (ids) => {
      const counts = await services.vppTokens.profileCounts(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}
