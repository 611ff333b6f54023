/** The order of `DepToken.syncRuns(orderBy:)`: `seq` grows with every run queued (sync_runs_token_idx serves it). */
import type { KeysetOrder } from '../graphql/keyset';
import { keysetOrder, OrderDirection, type OrderBy } from '../graphql/order';
import type { SyncRunEntity } from './sync-run.entity';

export enum SyncRunOrderField {
  QUEUED_AT = 'QUEUED_AT',
}

/** Newest first. */
export const DEFAULT_SYNC_RUN_ORDER: OrderBy<SyncRunOrderField> = { field: SyncRunOrderField.QUEUED_AT, direction: OrderDirection.DESC };

/** `seq` is unique: no id is needed to break ties. */
export const syncRunOrder = (alias: string, orderBy: OrderBy<SyncRunOrderField> | null | undefined): KeysetOrder<SyncRunEntity> =>
  keysetOrder(orderBy, DEFAULT_SYNC_RUN_ORDER, () => [{ sql: `${alias}.seq`, value: (r: SyncRunEntity) => Number(r.seq), cast: 'int' }]);
