/** The orders of `alerts(orderBy:)`; each key ends with the id and has its index (alerts_*_idx). */
import type { KeysetColumn, KeysetOrder } from '../graphql/keyset';
import { keysetOrder, OrderDirection, type OrderBy } from '../graphql/order';
import type { AlertEntity } from './alert.entity';

export enum AlertOrderField {
  RAISED_AT = 'RAISED_AT',
  SEVERITY = 'SEVERITY',
}

/** Oldest first: the order the list had before it took orderBy. */
export const DEFAULT_ALERT_ORDER: OrderBy<AlertOrderField> = { field: AlertOrderField.RAISED_AT, direction: OrderDirection.ASC };

/** Severities as numbers, INFO < WARNING < CRITICAL; the alerts_severity_list_idx index holds this expression. */
const SEVERITY_RANK: Record<AlertEntity['severity'], number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };
const severityRankSql = (alias: string) => `(CASE ${alias}.severity WHEN 'WARNING' THEN 1 WHEN 'CRITICAL' THEN 2 ELSE 0 END)`;

function alertKey(alias: string, field: AlertOrderField): KeysetColumn<AlertEntity>[] {
  const raisedAt: KeysetColumn<AlertEntity> = { sql: `${alias}.raised_at`, value: (a) => a.raisedAt.toISOString(), cast: 'timestamptz' };
  const id: KeysetColumn<AlertEntity> = { sql: `${alias}.id`, value: (a) => a.id, cast: 'uuid' };
  switch (field) {
    case AlertOrderField.RAISED_AT:
      return [raisedAt, id];
    case AlertOrderField.SEVERITY:
      // Then by when raised: SEVERITY DESC is the most severe first, newest first within a severity.
      return [{ sql: severityRankSql(alias), value: (a) => SEVERITY_RANK[a.severity], cast: 'int' }, raisedAt, id];
  }
}

export const alertOrder = (alias: string, orderBy: OrderBy<AlertOrderField> | null | undefined): KeysetOrder<AlertEntity> =>
  keysetOrder(orderBy, DEFAULT_ALERT_ORDER, (field) => alertKey(alias, field));
