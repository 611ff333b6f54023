/**
 * The orders of device lists (`devices(orderBy:)` at the top and under tokens and profiles). Each
 * key ends with the id; migrations/1764140600000-ListOrderIndexes.ts indexes every one of them,
 * for all devices and per token, on exactly these expressions (keySql adds the COALESCE of
 * nullable columns).
 */
import type { KeysetColumn, KeysetOrder } from '../graphql/keyset';
import { keysetOrder, OrderDirection, type OrderBy } from '../graphql/order';
import type { DeviceEntity } from './device.entity';

export enum DeviceOrderField {
  SERIAL_NUMBER = 'SERIAL_NUMBER',
  MODEL = 'MODEL',
  PROFILE_STATUS = 'PROFILE_STATUS',
  LAST_SYNCED_AT = 'LAST_SYNCED_AT',
  DEVICE_ASSIGNED_AT = 'DEVICE_ASSIGNED_AT',
}

/** Serial number, ascending: the order device lists had before they took orderBy. */
export const DEFAULT_DEVICE_ORDER: OrderBy<DeviceOrderField> = { field: DeviceOrderField.SERIAL_NUMBER, direction: OrderDirection.ASC };

const iso = (date: Date | null) => date?.toISOString() ?? null;

function deviceKey(alias: string, field: DeviceOrderField): KeysetColumn<DeviceEntity>[] {
  const id: KeysetColumn<DeviceEntity> = { sql: `${alias}.id`, value: (d) => d.id, cast: 'uuid' };
  switch (field) {
    case DeviceOrderField.SERIAL_NUMBER:
      // Byte order (`COLLATE "C"`): Apple's upper-case serials sort the same on any database locale.
      return [{ sql: `${alias}.serial_number COLLATE "C"`, value: (d) => d.serialNumber, cast: 'text' }, id];
    case DeviceOrderField.MODEL:
      // The database's collation: a person's alphabetical order ("iMac" next to "iPad").
      return [{ sql: `${alias}.model`, value: (d) => d.model, cast: 'text', nullable: true }, id];
    case DeviceOrderField.PROFILE_STATUS:
      return [{ sql: `${alias}.profile_status`, value: (d) => d.profileStatus, cast: 'text' }, id];
    case DeviceOrderField.LAST_SYNCED_AT:
      return [{ sql: `${alias}.last_synced_at`, value: (d) => iso(d.lastSyncedAt), cast: 'timestamptz', nullable: true }, id];
    case DeviceOrderField.DEVICE_ASSIGNED_AT:
      return [{ sql: `${alias}.device_assigned_at`, value: (d) => iso(d.deviceAssignedAt), cast: 'timestamptz', nullable: true }, id];
  }
}

export const deviceOrder = (alias: string, orderBy: OrderBy<DeviceOrderField> | null | undefined): KeysetOrder<DeviceEntity> =>
  keysetOrder(orderBy, DEFAULT_DEVICE_ORDER, (field) => deviceKey(alias, field));
