import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { Services } from '../services';
import type { SyncRunEntity } from './sync-run.entity';
import type { TokenSyncState } from './sync.rules';

export interface SyncLoaders {
  /** Visible sync runs by row id (null when absent or under a token the key may not see). */
  syncRunById: DataLoader<string, SyncRunEntity | null>;
  /** The QUEUED or RUNNING run of a token (callers reach tokens through visible tokens only). */
  activeSyncRunByToken: DataLoader<string, SyncRunEntity | null>;
  /** Cursor and rate-rule anchors per token row id. */
  syncStateByToken: DataLoader<string, TokenSyncState | null>;
}

export function createSyncLoaders(services: Services, scope: AccessScope): SyncLoaders {
  return {
    syncRunById: new DataLoader(async (ids) => {
      const found = new Map((await services.sync.findVisibleRuns(ids, scope)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    activeSyncRunByToken: new DataLoader(async (tokenIds) => {
      const found = new Map((await services.sync.activeRuns(tokenIds)).map((r) => [r.tokenId, r]));
      return tokenIds.map((id) => found.get(id) ?? null);
    }),
    syncStateByToken: new DataLoader(async (tokenIds) => {
      const found = await services.sync.syncStates(tokenIds);
      return tokenIds.map((id) => found.get(id) ?? null);
    }),
  };
}
