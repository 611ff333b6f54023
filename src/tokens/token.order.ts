/** The orders of `depTokens(orderBy:)`; each key ends with the id and has its index (dep_tokens_*_idx). */
import type { KeysetColumn, KeysetOrder } from '../graphql/keyset';
import { keysetOrder, OrderDirection, type OrderBy } from '../graphql/order';
import type { DepTokenEntity } from './token.entity';

export enum DepTokenOrderField {
  CREATED_AT = 'CREATED_AT',
  NAME = 'NAME',
  EXPIRES_AT = 'EXPIRES_AT',
}

/** Oldest first: the order the list had before it took orderBy. */
export const DEFAULT_DEP_TOKEN_ORDER: OrderBy<DepTokenOrderField> = { field: DepTokenOrderField.CREATED_AT, direction: OrderDirection.ASC };

function depTokenKey(alias: string, field: DepTokenOrderField): KeysetColumn<DepTokenEntity>[] {
  const id: KeysetColumn<DepTokenEntity> = { sql: `${alias}.id`, value: (t) => t.id, cast: 'uuid' };
  switch (field) {
    case DepTokenOrderField.CREATED_AT:
      return [{ sql: `${alias}.created_at`, value: (t) => t.createdAt.toISOString(), cast: 'timestamptz' }, id];
    case DepTokenOrderField.NAME:
      return [{ sql: `${alias}.name`, value: (t) => t.name, cast: 'text' }, id];
    case DepTokenOrderField.EXPIRES_AT:
      return [{ sql: `${alias}.expires_at`, value: (t) => t.expiresAt.toISOString(), cast: 'timestamptz' }, id];
  }
}

export const depTokenOrder = (alias: string, orderBy: OrderBy<DepTokenOrderField> | null | undefined): KeysetOrder<DepTokenEntity> =>
  keysetOrder(orderBy, DEFAULT_DEP_TOKEN_ORDER, (field) => depTokenKey(alias, field));
