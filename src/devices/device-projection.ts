/**
 * The columns a device list reads: those its operation's Device fields need, not all 30.
 *
 * Why: a page of `devices(first: 100) { edges { node { id serialNumber model profileStatus
 * profile { name } token { name } } } }` read every column of every device, and pg's row parser
 * and its timestamp parser were about an eighth of the request's CPU (issue #15). Every device
 * list (the root `devices`, and `devices` under a token or a profile, whose loader key then
 * carries the columns) selects the columns of the fields the operation names (through fragments
 * and aliases, src/graphql/selection.ts), with the key of its order and the ids every device
 * carries. `paginate` and `paginateNested` select what `deviceColumnsFor` names.
 *
 * Safety: a Device field this table does not name (a field added later and not declared here)
 * reads every column, as before. device-projection.test.ts asks every field of the schema's Device
 * alone through the three lists and through `nodes(ids:)`, which reads whole rows, and fails if
 * any answer differs or if the table and the schema disagree.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { fieldsSelectedAt } from '../graphql/selection';
import type { OrderBy } from '../graphql/order';
import type { DeviceEntity } from './device.entity';
import { DEFAULT_DEVICE_ORDER, DeviceOrderField } from './device.order';

type Column = keyof DeviceEntity;

/** Where a device list's devices are below its field (every device list is a DeviceConnection). */
export const DEVICE_NODE_PATH = ['edges', 'node'] as const;

/** What every device of a page carries whatever is selected: Device.from's ids and the global id. */
const ALWAYS: readonly Column[] = ['id', 'tokenId', 'profileId', 'requestedProfileId'];

/** The columns each Device field reads (Device.from and the field resolvers on Device). */
export const DEVICE_FIELD_COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  __typename: [],
  id: [],
  serialNumber: ['serialNumber'],
  model: ['model'],
  description: ['description'],
  color: ['color'],
  assetTag: ['assetTag'],
  os: ['os'],
  deviceFamily: ['deviceFamily'],
  profileStatus: ['profileStatus'],
  appleProfileUuid: ['appleProfileUuid'],
  profileAssignedAt: ['profileAssignedAt'],
  profilePushedAt: ['profilePushedAt'],
  deviceAssignedAt: ['deviceAssignedAt'],
  deviceAssignedBy: ['deviceAssignedBy'],
  mdmMigrationDeadline: ['mdmMigrationDeadline'],
  source: ['source'],
  lastAssignmentResult: ['lastAssignmentResult'],
  lastAssignmentAt: ['lastAssignmentAt'],
  assignmentFailureCount: ['assignmentFailureCount'],
  nextAssignmentRetryAt: ['nextAssignmentRetryAt'],
  profileRemovedAt: ['profileRemovedAt'],
  lastSyncedAt: ['lastSyncedAt'],
  deletedAt: ['deletedAt'],
  deletedBy: ['deletedBy'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
  // Field resolvers: the ids they load by are in ALWAYS; orgDevice finds its device by serial.
  token: [],
  profile: [],
  enrollmentProfileName: [],
  requestedProfile: [],
  assignmentHistory: [],
  orgDevice: ['serialNumber'],
};

/** The column of each order's key (the id ends every key and is in ALWAYS). */
const ORDER_COLUMN: Record<DeviceOrderField, Column> = {
  [DeviceOrderField.SERIAL_NUMBER]: 'serialNumber',
  [DeviceOrderField.MODEL]: 'model',
  [DeviceOrderField.PROFILE_STATUS]: 'profileStatus',
  [DeviceOrderField.LAST_SYNCED_AT]: 'lastSyncedAt',
  [DeviceOrderField.DEVICE_ASSIGNED_AT]: 'deviceAssignedAt',
};

/**
 * The properties a page must read for the Device fields selected at `nodePath` below the list
 * field, in `orderBy`; null when every column must be read (a field the table does not know).
 */
export function deviceColumnsFor(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  nodePath: readonly string[],
  orderBy: OrderBy<DeviceOrderField> | null | undefined,
): Column[] | null {
  const columns = new Set<Column>([...ALWAYS, ORDER_COLUMN[(orderBy ?? DEFAULT_DEVICE_ORDER).field]]);
  for (const field of fieldsSelectedAt(info, nodePath)) {
    const needs = Object.hasOwn(DEVICE_FIELD_COLUMNS, field) ? DEVICE_FIELD_COLUMNS[field] : undefined;
    if (!needs) return null;
    for (const column of needs) columns.add(column);
  }
  return [...columns];
}
