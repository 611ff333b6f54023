/**
 * Writing one page of Apple's device list (fetch) or of its changes (sync) into `devices`: ONE
 * statement per page, whatever its size (`INSERT ... SELECT FROM unnest(...) ON CONFLICT`, with the
 * `deleted` events and the counters in the same statement through data-modifying CTEs).
 *
 * Rules applied here:
 * - A page may repeat a serial (spec §5): the event with the latest `op_date` wins; on a tie the
 *   later one in the page. Across pages and runs an event older than the stored `last_op_date`
 *   changes nothing (fetch pages carry no op_date and always apply).
 * - `deleted` marks the device removed from the token: kept, with deleted_at, deleted_by APPLE and
 *   profile status REMOVED. A deleted event for a serial depgate never had changes nothing.
 * - A serial lives under one token: a page of another token listing it moves the row there (its
 *   requested profile and assignment state stay behind). A sync seeing an imported serial makes it
 *   source SYNC.
 * - A device an admin deleted here (deleted_by DEPGATE) is not brought back by sync events; a full
 *   fetch that still lists it brings it back (`reviveDepgateTombstones`); a tombstone under another
 *   token does not stop the move. A device Apple had
 *   removed comes back whenever Apple lists it again.
 * - Counters: added = new to the token, back after a deletion, or an imported serial seen for the
 *   first time; modified = a known device whose Apple fields changed (once per run, however many
 *   pages change it); deleted = a device that was present and Apple removed.
 * - The serials returned in `toAssign` are the live devices that may need a profile from the
 *   assignment service: no profile at Apple (or a requested one waiting), no successful
 *   assignment by depgate yet, and a profile to give (requested, or the token's default). That covers `added` devices, devices moved from another MDM server
 *   (which arrive as `modified`) and imported serials on their first appearance; it is read from
 *   the stored state, so a page repeated after a crash still hands them over. A full fetch hands its
 *   devices over once its pages have committed, through `listedNeedingProfile` (the same rule).
 */
import type { DepDevice, DepProfileStatus } from '../apple/dep.types';
import type { SqlRunner } from '../database/sql-runner';
import type { DeviceProfileStatus } from '../devices/device.entity';
import { normalizeSerialNumber } from '../devices/serial-number';
import { assignmentStateLeftBehind } from '../devices/serial-ownership';
import { cleanAppleText, isStorableAppleSerial, MAX_APPLE_ID_LENGTH } from './apple-record-cleaning';
import { placeholder } from '../database/placeholder';


/** One device of a page, normalised for the statement. */
export interface IngestDevice {
  serialNumber: string;
  model: string | null;
  description: string | null;
  color: string | null;
  assetTag: string | null;
  os: string | null;
  deviceFamily: string | null;
  mdmMigrationDeadline: string | null;
  profileStatus: DeviceProfileStatus;
  appleProfileUuid: string | null;
  profileAssignedAt: string | null;
  profilePushedAt: string | null;
  deviceAssignedAt: string | null;
  deviceAssignedBy: string | null;
  /** null on fetch pages (a fetch lists devices, it carries no events). */
  opType: 'added' | 'modified' | 'deleted' | null;
  opDate: string | null;
}

export interface IngestOptions {
  tokenId: string;
  now: Date;
  /** Set on fetch pages: the full fetch the devices were listed by. */
  fetchId: string | null;
  /** Bring back devices deleted in depgate (a full fetch that still lists them). */
  reviveDepgateTombstones: boolean;
  /** The run writing the page: a device changed on several pages of a run is counted once. */
  runId: string;
}

export interface IngestResult {
  added: number;
  modified: number;
  deleted: number;
  toAssign: string[];
}

const PROFILE_STATUS: Record<DepProfileStatus, DeviceProfileStatus> = {
  empty: 'EMPTY',
  assigned: 'ASSIGNED',
  pushed: 'PUSHED',
  removed: 'REMOVED',
};

/** Apple's free text, cleaned (apple-record-cleaning.ts). */
const text = (value: unknown): string | null => cleanAppleText(value);

/** ISO-8601 at millisecond precision (what the columns keep), or null for anything unreadable. */
function instant(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function opType(value: unknown): IngestDevice['opType'] {
  return value === 'added' || value === 'modified' || value === 'deleted' ? value : null;
}

/** The record as stored, or null when it cannot be (no storable serial: skipped and counted). */
export function toIngestDevice(device: DepDevice): IngestDevice | null {
  const serialNumber = normalizeSerialNumber(typeof device?.serial_number === 'string' ? device.serial_number : '');
  if (!isStorableAppleSerial(serialNumber)) return null;
  const status = typeof device.profile_status === 'string' ? PROFILE_STATUS[device.profile_status.toLowerCase() as DepProfileStatus] : undefined;
  return {
    serialNumber,
    model: text(device.model),
    description: text(device.description),
    color: text(device.color),
    assetTag: text(device.asset_tag),
    os: text(device.os),
    deviceFamily: text(device.device_family),
    mdmMigrationDeadline: instant(device.mdm_migration_deadline),
    profileStatus: status ?? 'EMPTY',
    appleProfileUuid: cleanAppleText(device.profile_uuid, MAX_APPLE_ID_LENGTH),
    profileAssignedAt: instant(device.profile_assign_time),
    profilePushedAt: instant(device.profile_push_time),
    deviceAssignedAt: instant(device.device_assigned_date),
    deviceAssignedBy: text(device.device_assigned_by),
    opType: opType(device.op_type),
    opDate: instant(device.op_date),
  };
}

/**
 * The page's devices, one per serial: the latest `op_date` wins (a missing date loses to any
 * date); on equal dates the later entry in the page. Order of first appearance is kept. Records
 * that cannot be stored are left out and counted in `skipped`.
 */
export function resolvePage(devices: readonly DepDevice[]): { devices: IngestDevice[]; skipped: number } {
  const bySerial = new Map<string, IngestDevice>();
  let skipped = 0;
  for (const raw of devices) {
    const device = toIngestDevice(raw);
    if (!device) {
      skipped++;
      continue;
    }
    const previous = bySerial.get(device.serialNumber);
    if (previous && previous.opDate && (!device.opDate || device.opDate < previous.opDate)) continue;
    bySerial.set(device.serialNumber, device);
  }
  return { devices: [...bySerial.values()], skipped };
}

/** One column of the rows a statement reads from arrays (unnest): its name, SQL type and value. */
interface RowColumn {
  name: string;
  type: 'text' | 'timestamptz';
  value: (d: IngestDevice) => string | null;
}

/**
 * Apple's fields as stored, in one place: a sync page (here) and a details refresh
 * (devices/device-details.service.ts) write the same columns from the same cleaned record.
 */
const APPLE_COLUMNS: readonly RowColumn[] = [
  { name: 'model', type: 'text', value: (d) => d.model },
  { name: 'description', type: 'text', value: (d) => d.description },
  { name: 'color', type: 'text', value: (d) => d.color },
  { name: 'asset_tag', type: 'text', value: (d) => d.assetTag },
  { name: 'os', type: 'text', value: (d) => d.os },
  { name: 'device_family', type: 'text', value: (d) => d.deviceFamily },
  { name: 'profile_status', type: 'text', value: (d) => d.profileStatus },
  { name: 'apple_profile_uuid', type: 'text', value: (d) => d.appleProfileUuid },
  { name: 'profile_assigned_at', type: 'timestamptz', value: (d) => d.profileAssignedAt },
  { name: 'profile_pushed_at', type: 'timestamptz', value: (d) => d.profilePushedAt },
  { name: 'device_assigned_at', type: 'timestamptz', value: (d) => d.deviceAssignedAt },
  { name: 'device_assigned_by', type: 'text', value: (d) => d.deviceAssignedBy },
  { name: 'mdm_migration_deadline', type: 'timestamptz', value: (d) => d.mdmMigrationDeadline },
];

export const APPLE_FIELDS: readonly string[] = APPLE_COLUMNS.map((c) => c.name);

/**
 * The devices as rows of one statement: `unnest(<one array per column>) AS u(serial_number,
 * <Apple's fields>, <extra>)`, its arrays being the parameters from `$first` on (`params` builds
 * them, in that order).
 */
export function appleRowSource(first: number, extra: readonly RowColumn[] = []): { sql: string; params: (devices: readonly IngestDevice[]) => unknown[] } {
  const columns: RowColumn[] = [{ name: 'serial_number', type: 'text', value: (d) => d.serialNumber }, ...APPLE_COLUMNS, ...extra];
  return {
    sql: `unnest(${columns.map((c, i) => `$${first + i}::${c.type}[]`).join(', ')}) AS u(${columns.map((c) => c.name).join(', ')})`,
    params: (devices) => columns.map((c) => devices.map(c.value)),
  };
}

const before = (alias: string) => APPLE_FIELDS.map((f) => `${alias}.${f}`).join(', ');

/** A page's rows: Apple's fields and the sync event; the serial numbers are $6. */
const PAGE_ROWS = appleRowSource(6, [
  { name: 'op_type', type: 'text', value: (d) => d.opType },
  { name: 'op_date', type: 'timestamptz', value: (d) => d.opDate },
]);

/**
 * The page statement's CTEs (the reads and writes). $1 token, $2 now, $3 fetch id (or null), $4
 * revive DEPGATE tombstones, $5 the run, $6 on the columns as arrays (unnest zips them into rows,
 * PAGE_ROWS); `ingestPageParams` builds them in that order.
 */
export const INGEST_PAGE_CTES = `
input AS (
  SELECT u.*, p.id AS mapped_profile_id
    FROM ${PAGE_ROWS.sql}
    LEFT JOIN enrollment_profiles p ON p.token_id = $1 AND p.apple_profile_uuid = u.apple_profile_uuid
),
previous AS MATERIALIZED (
  -- One probe of the serial's unique index per serial of the page (LIMIT 1 keeps the planner
  -- from turning this into a join that scans every device of the token, which it does when its
  -- statistics lag behind a token that just grew by thousands of devices).
  SELECT d.* FROM unnest($6::text[]) AS s(serial_number)
   CROSS JOIN LATERAL (
     SELECT d.serial_number, d.deleted_at, d.last_synced_at, d.last_sync_run_id, ${before('d')}
       FROM devices d WHERE d.token_id = $1 AND d.serial_number = s.serial_number LIMIT 1
   ) d
),
upserted AS (
  INSERT INTO devices AS d (token_id, serial_number, ${APPLE_FIELDS.join(', ')}, profile_id, source, last_op_type, last_op_date,
                            last_synced_at, last_fetch_id, last_sync_run_id, created_at, updated_at)
  SELECT $1, i.serial_number, ${before('i')}, i.mapped_profile_id, 'SYNC', i.op_type, i.op_date, $2, $3, $5, $2, $2
    FROM input i
   WHERE i.op_type IS DISTINCT FROM 'deleted'
  -- A serial lives under one token: a device Apple moved here from another token's MDM server
  -- moves its row (and leaves that token's profile request and assignment state behind).
  ON CONFLICT (serial_number) DO UPDATE SET
    ${APPLE_FIELDS.map((f) => `${f} = EXCLUDED.${f}`).join(',\n    ')},
    token_id = EXCLUDED.token_id,
    source = 'SYNC',
    profile_id = EXCLUDED.profile_id,
    requested_profile_id = CASE WHEN d.token_id <> EXCLUDED.token_id THEN NULL
                                WHEN EXCLUDED.profile_id IS NOT NULL AND EXCLUDED.profile_id = d.requested_profile_id
                                THEN NULL ELSE d.requested_profile_id END,
    ${assignmentStateLeftBehind('d.token_id <> EXCLUDED.token_id')},
    last_op_type = EXCLUDED.last_op_type,
    last_op_date = EXCLUDED.last_op_date,
    last_synced_at = EXCLUDED.last_synced_at,
    last_fetch_id = COALESCE(EXCLUDED.last_fetch_id, d.last_fetch_id),
    last_sync_run_id = EXCLUDED.last_sync_run_id,
    deleted_at = NULL,
    deleted_by = NULL,
    updated_at = EXCLUDED.updated_at
  WHERE (d.deleted_by IS DISTINCT FROM 'DEPGATE' OR $4::boolean OR d.token_id <> $1)
    -- Spec §5: the latest op_date wins across pages and runs too, not only within a page.
    AND (EXCLUDED.last_op_date IS NULL OR d.last_op_date IS NULL OR EXCLUDED.last_op_date >= d.last_op_date)
  RETURNING d.serial_number, d.requested_profile_id, d.apple_profile_uuid, d.profile_status, d.last_assignment_result
),
removed AS (
  UPDATE devices d SET
    deleted_at = COALESCE(d.deleted_at, $2),
    deleted_by = 'APPLE',
    profile_status = 'REMOVED',
    last_op_type = i.op_type,
    last_op_date = i.op_date,
    last_synced_at = $2,
    last_sync_run_id = $5,
    updated_at = $2
    FROM input i
   WHERE i.op_type = 'deleted' AND d.token_id = $1 AND d.serial_number = i.serial_number
     AND (i.op_date IS NULL OR d.last_op_date IS NULL OR i.op_date >= d.last_op_date)
  RETURNING d.serial_number
)`;

/**
 * A stored device (alias `d`, live) that may need a profile from the assignment service: no profile at
 * Apple (or a requested one waiting), no successful assignment by depgate yet, and a profile to give.
 * `$1` is the token's id.
 */
const mayNeedProfile = (d: string) => `(${d}.requested_profile_id IS NOT NULL OR ${d}.apple_profile_uuid IS NULL OR ${d}.profile_status IN ('EMPTY', 'REMOVED'))
      AND (${d}.requested_profile_id IS NOT NULL OR ${d}.last_assignment_result IS DISTINCT FROM 'SUCCESS')
      -- nothing to give without a requested or a default profile
      -- (a default of any platform: the assignment service picks the device's platform's and counts the rest)
      AND (${d}.requested_profile_id IS NOT NULL OR EXISTS (SELECT 1 FROM dep_tokens t WHERE t.id = $1
             AND COALESCE(t.default_profile_id, t.default_macos_profile_id, t.default_tvos_profile_id, t.default_visionos_profile_id) IS NOT NULL))`;

/** The page's outcome from the CTEs: one row of added, modified, deleted and to_assign. */
export const INGEST_PAGE_COUNTS = `
SELECT
  count(*) FILTER (WHERE u.serial_number IS NOT NULL
                     AND (b.serial_number IS NULL OR b.deleted_at IS NOT NULL OR b.last_synced_at IS NULL))::int AS added,
  count(*) FILTER (WHERE u.serial_number IS NOT NULL AND b.deleted_at IS NULL AND b.last_synced_at IS NOT NULL
                     AND b.last_sync_run_id IS DISTINCT FROM $5
                     AND (${before('b')}) IS DISTINCT FROM (${before('i')}))::int AS modified,
  count(*) FILTER (WHERE r.serial_number IS NOT NULL AND b.deleted_at IS NULL)::int AS deleted,
  COALESCE(array_agg(u.serial_number ORDER BY u.serial_number) FILTER (
    WHERE u.serial_number IS NOT NULL AND ${mayNeedProfile('u')}
  ), '{}') AS to_assign
  FROM input i
  LEFT JOIN previous b ON b.serial_number = i.serial_number
  LEFT JOIN upserted u ON u.serial_number = i.serial_number
  LEFT JOIN removed r ON r.serial_number = i.serial_number`;

/** The page statement alone. */
export const INGEST_PAGE_SQL = `WITH ${INGEST_PAGE_CTES}\n${INGEST_PAGE_COUNTS}`;

/** Where INGEST_PAGE_CTES takes the values other statements built around it also need. */
export const INGEST_PAGE_PARAM = { tokenId: placeholder(0), runId: placeholder(4) } as const;

/** The parameters of INGEST_PAGE_CTES, $1 on. */
export function ingestPageParams(devices: readonly IngestDevice[], options: IngestOptions): unknown[] {
  return [options.tokenId, options.now, options.fetchId, options.reviveDepgateTombstones, options.runId, ...PAGE_ROWS.params(devices)];
}

/** A row of INGEST_PAGE_COUNTS as the page's result. */
export function ingestResultOf(row: Record<string, any> | undefined): IngestResult {
  return { added: row?.added ?? 0, modified: row?.modified ?? 0, deleted: row?.deleted ?? 0, toAssign: row?.to_assign ?? [] };
}

/** Upserts one page in one statement. An empty page costs nothing. */
export async function ingestPage(db: SqlRunner, devices: readonly IngestDevice[], options: IngestOptions): Promise<IngestResult> {
  if (devices.length === 0) return { added: 0, modified: 0, deleted: 0, toAssign: [] };
  const rows = await db.query(INGEST_PAGE_SQL, ingestPageParams(devices, options));
  return ingestResultOf(rows[0]);
}

/**
 * After a full fetch listed every device: synced devices of the token that this fetch did not list
 * are no longer assigned to the MDM server. Returns how many were marked deleted (APPLE).
 */
export async function sweepUnlisted(db: SqlRunner, tokenId: string, fetchId: string, now: Date): Promise<number> {
  const rows = await db.query(
    `WITH swept AS (
       UPDATE devices SET deleted_at = $3, deleted_by = 'APPLE', profile_status = 'REMOVED', updated_at = $3
        WHERE token_id = $1 AND deleted_at IS NULL AND last_synced_at IS NOT NULL AND last_fetch_id IS DISTINCT FROM $2
       RETURNING 1)
     SELECT count(*)::int AS n FROM swept`,
    [tokenId, fetchId, now],
  );
  return rows[0]?.n ?? 0;
}

/**
 * The live devices a full fetch listed that may need a profile (what each page's `toAssign` holds,
 * read again from the stored state), `limit` at a time after the serial `after`, in serial order.
 * Read once the fetch's pages have committed, so that devices of pages committed before a crash,
 * a hand-back or a failure, which a resumed fetch (same fetch id) does not list again, are still
 * handed over.
 */
export async function listedNeedingProfile(db: SqlRunner, tokenId: string, fetchId: string, after: string, limit: number): Promise<string[]> {
  const rows: { serial_number: string }[] = await db.query(
    `SELECT d.serial_number FROM devices d
      WHERE d.token_id = $1 AND d.last_fetch_id = $2 AND d.serial_number COLLATE "C" > $3 AND d.deleted_at IS NULL
        AND ${mayNeedProfile('d')}
      -- In the C collation of devices_token_list_idx, so that each batch reads the token's serials
      -- after \`after\` from that index, not every device of the token.
      ORDER BY d.serial_number COLLATE "C" LIMIT $4`,
    [tokenId, fetchId, after, limit],
  );
  return rows.map((r) => r.serial_number);
}

/** Devices of the token that Apple lists now (the token's syncedDeviceCount). */
export async function countSyncedDevices(db: SqlRunner, tokenId: string): Promise<number> {
  const rows = await db.query(
    `SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND deleted_at IS NULL AND last_synced_at IS NOT NULL`,
    [tokenId],
  );
  return rows[0]?.n ?? 0;
}
