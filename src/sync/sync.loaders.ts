import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ConnectionResult } from '../graphql/connection';
import { byIds } from '../graphql/loader-batch';
import { connectionArgsFromKey, countNested, loaderPerKey, paginateNested } from '../graphql/nested-connection';
import type { OrderBy } from '../graphql/order';
import type { Services } from '../services';
import { SyncRunEntity } from './sync-run.entity';
import { syncRunOrder, type SyncRunOrderField } from './sync-run.order';
import type { TokenSyncState } from './sync.rules';

export interface SyncLoaders {
  /** Visible sync runs by row id (null when absent or under a token the key may not see). */
  syncRunById: DataLoader<string, SyncRunEntity | null>;
  /** The QUEUED or RUNNING run of a token (callers reach tokens through visible tokens only). */
  activeSyncRunByToken: DataLoader<string, SyncRunEntity | null>;
  /** Cursor and rate-rule anchors per token row id. */
  syncStateByToken: DataLoader<string, TokenSyncState | null>;
  /** A page of each token's runs (newest first by default) for a whole page of tokens in one query (keyed by the field's args). */
  syncRunsByToken: (argsKey: string) => DataLoader<string, ConnectionResult<SyncRunEntity>>;
}

export function createSyncLoaders(services: Services, scope: AccessScope): SyncLoaders {
  return {
    syncRunById: new DataLoader(async (ids) => byIds(ids, await services.sync.reads.findVisibleRuns(ids, scope))),
    // At most one active run per token (a partial unique index): byIds would throw on a second.
    activeSyncRunByToken: new DataLoader(async (tokenIds) => byIds(tokenIds, await services.sync.reads.activeRuns(tokenIds), (r) => r.tokenId)),
    syncStateByToken: new DataLoader(async (tokenIds) => {
      const found = await services.sync.reads.syncStates(tokenIds);
      return tokenIds.map((id) => found.get(id) ?? null);
    }),
    syncRunsByToken: loaderPerKey((argsKey) => {
      const args = connectionArgsFromKey<OrderBy<SyncRunOrderField>>(argsKey);
      // Parents are tokens the caller already sees; the scope is applied again all the same.
      const base = (alias: string) => scope.restrictTokens(services.sync.reads.runsRepository().createQueryBuilder(alias), `${alias}.token_id`);
      const counts = new DataLoader<string, number>((tokenIds) => countNested(base, 'token_id', tokenIds));
      return new DataLoader((tokenIds) =>
        paginateNested({ repository: services.sync.reads.runsRepository(), base, parentColumn: 'token_id', order: (alias) => syncRunOrder(alias, args.orderBy), args }, tokenIds, counts),
      );
    }),
  };
}
