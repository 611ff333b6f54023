import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ConnectionResult } from '../graphql/connection';
import { byIds } from '../graphql/loader-batch';
import { connectionArgsFromKey, connectionArgsKey, countNested, loaderPerKey, type NestedArgs, paginateNested } from '../graphql/nested-connection';
import type { OrderBy } from '../graphql/order';
import type { Services } from '../services';
import type { DeviceEntity } from './device.entity';
import { deviceOrder, type DeviceOrderField } from './device.order';
import type { DeviceFilterCommand } from './device.service';

type DeviceListArgs = NestedArgs<OrderBy<DeviceOrderField>>;

/**
 * The loader key of a nested device list: its filter, page and order (`{}` for its count), and the
 * columns its page reads (device-projection.ts; null: all).
 */
export const nestedDevicesKey = (filter: DeviceFilterCommand, args: DeviceListArgs, columns: readonly string[] | null = null) =>
  JSON.stringify([
    filter.profileId ?? null,
    filter.tokenId ?? null,
    filter.profileStatus ?? null,
    filter.source ?? null,
    filter.assignmentResult ?? null,
    filter.serialNumberPrefix ?? null,
    filter.search ?? null,
    filter.includeDeleted ?? null,
    connectionArgsKey(args),
    columns ? [...columns].sort() : null,
  ]);

function parseKey(key: string): { filter: DeviceFilterCommand; args: DeviceListArgs; columns: string[] | null } {
  const [profileId, tokenId, profileStatus, source, assignmentResult, serialNumberPrefix, search, includeDeleted, args, columns] = JSON.parse(key);
  return {
    filter: { profileId, tokenId, profileStatus, source, assignmentResult, serialNumberPrefix, search, includeDeleted },
    args: connectionArgsFromKey(args),
    columns,
  };
}

export interface DeviceLoaders {
  /** Visible devices by row id (null when absent or not visible). */
  deviceById: DataLoader<string, DeviceEntity | null>;
  /** Live devices holding each profile. */
  deviceCountByProfile: DataLoader<string, number>;
  /** Pages of a token's devices, one loader per filter and arguments (`nestedDevicesKey`). */
  devicesByToken: (key: string) => DataLoader<string, ConnectionResult<DeviceEntity>>;
  /** Pages of a profile's devices, likewise. */
  devicesByProfile: (key: string) => DataLoader<string, ConnectionResult<DeviceEntity>>;
}

export function createDeviceLoaders(services: Services, scope: AccessScope): DeviceLoaders {
  const devices = services.devices;
  // Nested lists sit under a parent the caller already sees (a visible token or profile), and
  // children inherit its visibility: no scope clause is needed in the batched queries.
  const nested = (parentColumn: 'token_id' | 'profile_id') => {
    const counters = loaderPerKey(
      (filterKey) =>
        new DataLoader<string, number>((parentIds) => {
          const { filter } = parseKey(filterKey);
          return countNested((alias) => devices.listQuery(filter, null, alias), parentColumn, parentIds);
        }),
    );
    return loaderPerKey((key) => {
      const { filter, args, columns } = parseKey(key);
      const countKey = nestedDevicesKey(filter, {});
      return new DataLoader<string, ConnectionResult<DeviceEntity>>((parentIds) =>
        paginateNested(
          { repository: devices.devices, base: (alias) => devices.listQuery(filter, null, alias), parentColumn, order: (alias) => deviceOrder(alias, args.orderBy), args, columns },
          parentIds,
          counters(countKey),
        ),
      );
    });
  };
  return {
    deviceById: new DataLoader(async (ids) => byIds(ids, await devices.findVisibleByIds(ids, scope))),
    deviceCountByProfile: new DataLoader((profileIds) =>
      countNested((alias) => devices.listQuery({}, null, alias), 'profile_id', profileIds),
    ),
    devicesByToken: nested('token_id'),
    devicesByProfile: nested('profile_id'),
  };
}
