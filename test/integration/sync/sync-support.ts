/**
 * Helpers for the sync tests: a token on a simulated MDM server (with devices before its first
 * sync), waiting for runs by polling (never sleeping a fixed time), and the device sets on both
 * sides for serial-by-serial comparison.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import type { IngestDevice } from '../../../src/sync/device-ingest';
import { DepTokenEntity } from '../../../src/tokens/token.entity';
import type { TestApp } from '../../support/test-app';

export const RUN_FIELDS = `id kind fullSyncReason trigger status queuedAt startedAt finishedAt pagesFetched devicesAdded devicesModified devicesDeleted assignmentsMade assignmentsFailed error { code message }`;

export interface SyncedToken {
  /** Global id. */
  id: string;
  rowId: string;
  serverUuid: string;
  serials: string[];
  /** The uploaded .p7m's text (set by uploadToken). */
  tokenFile?: string;
}

/** Polls `check` every 25 ms until it returns a value (not undefined/false), at most `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface TokenOptions {
  devices?: number;
  serialPrefix?: string;
  name?: string;
  scopeTagIds?: string[];
  /** Wait for the first (upload) sync to end. Default true. */
  waitFirstSync?: boolean;
  /** Runs once Apple has the devices (in Apple's order) and before the upload starts the first sync. */
  beforeUpload?: (serials: string[]) => Promise<void>;
}

/** Creates a simulated MDM server with devices, uploads its token, and (by default) waits for the first sync. */
export async function uploadToken(t: TestApp, options: TokenOptions = {}): Promise<SyncedToken> {
  const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
    .createDepTokenKeyPair.keyPair;
  const server = await t.simControl('POST', '/_sim/servers', {
    certificatePem: keyPair.certificatePem,
    orgName: 'Example Corp',
    serverName: options.name ?? `MDM ${randomUUID().slice(0, 6)}`,
    accessTokenExpiry: new Date(t.clock.now().getTime() + 365 * DAY_MS).toISOString(),
  });
  let serials: string[] = [];
  if (options.devices) {
    serials = (
      await t.simControl('POST', `/_sim/servers/${server.serverUuid}/devices`, {
        count: options.devices,
        ...(options.serialPrefix ? { serialPrefix: options.serialPrefix } : {}),
      })
    ).serials;
  }
  await options.beforeUpload?.(serials);
  const res = await t.ok(`mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
    input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name: options.name, scopeTagIds: options.scopeTagIds },
  });
  const id = res.uploadDepToken.token.id;
  const token: SyncedToken = { id, rowId: parseGlobalId(id)!.id, serverUuid: server.serverUuid, serials, tokenFile: server.tokenFile };
  if (options.waitFirstSync !== false) await waitForIdle(t, token.rowId);
  return token;
}

export interface RunRow {
  id: string;
  kind: string;
  trigger: string;
  status: string;
  full_sync_reason: string | null;
  pages_fetched: number;
  devices_added: number;
  devices_modified: number;
  devices_deleted: number;
  assignments_made: number;
  assignments_failed: number;
  error_code: string | null;
  error_message: string | null;
}

export async function runs(t: TestApp, tokenRowId: string): Promise<RunRow[]> {
  return t.app.dataSource.query(`SELECT * FROM sync_runs WHERE token_id = $1 ORDER BY seq`, [tokenRowId]);
}

export async function lastRun(t: TestApp, tokenRowId: string): Promise<RunRow> {
  const all = await runs(t, tokenRowId);
  return all[all.length - 1]!;
}

/** Waits until the token has no QUEUED/RUNNING run; returns the last run. */
export async function waitForIdle(t: TestApp, tokenRowId: string, timeoutMs = 30_000): Promise<RunRow> {
  await until(
    async () => {
      const [{ n }] = await t.app.dataSource.query(
        `SELECT count(*)::int AS n FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`,
        [tokenRowId],
      );
      return n === 0;
    },
    'the token’s syncs to finish',
    timeoutMs,
  );
  return lastRun(t, tokenRowId);
}

/** Waits for a run (by row id) to reach one of the statuses. */
export async function waitForRun(t: TestApp, runRowId: string, statuses: string[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT'], timeoutMs = 30_000): Promise<RunRow> {
  return until(
    async () => {
      const [row] = await t.app.dataSource.query(`SELECT * FROM sync_runs WHERE id = $1`, [runRowId]);
      return row && statuses.includes(row.status) ? (row as RunRow) : undefined;
    },
    `sync run ${runRowId} to reach ${statuses.join('/')}`,
    timeoutMs,
  );
}

export const SYNC = `mutation ($input: SyncDepTokenInput!) { syncDepToken(input: $input) { syncRun { ${RUN_FIELDS} } } }`;

/** syncDepToken; returns the run's row id (throws on errors). */
export async function requestSync(t: TestApp, token: SyncedToken, full = false, key?: string): Promise<string> {
  const data = await t.ok(SYNC, { input: { tokenId: token.id, full } }, key);
  return parseGlobalId(data.syncDepToken.syncRun.id)!.id;
}

/** Alive devices depgate holds for the token, sorted. */
export async function liveSerials(t: TestApp, tokenRowId: string): Promise<string[]> {
  const rows: { serial_number: string }[] = await t.app.dataSource.query(
    `SELECT serial_number FROM devices WHERE token_id = $1 AND deleted_at IS NULL AND last_synced_at IS NOT NULL ORDER BY serial_number`,
    [tokenRowId],
  );
  return rows.map((r) => r.serial_number).sort();
}

/** The simulator's current devices for the server, sorted. */
export async function appleSerials(t: TestApp, serverUuid: string): Promise<string[]> {
  const body = await t.simControl('GET', `/_sim/servers/${serverUuid}/devices`);
  return (body.devices as { serial_number: string }[]).map((d) => d.serial_number).sort();
}

export async function device(t: TestApp, tokenRowId: string, serial: string): Promise<Record<string, any> | undefined> {
  const [row] = await t.app.dataSource.query(`SELECT * FROM devices WHERE token_id = $1 AND serial_number = $2`, [tokenRowId, serial]);
  return row;
}

export async function tokenRow(t: TestApp, tokenRowId: string): Promise<Record<string, any>> {
  const [row] = await t.app.dataSource.query(`SELECT * FROM dep_tokens WHERE id = $1`, [tokenRowId]);
  return row;
}

/** Forces the next sync to be a delta from the saved cursor, whatever the rate rules (test setup only). */
export async function allowImmediateSync(t: TestApp, tokenRowId: string): Promise<void> {
  await t.app.dataSource.query(`UPDATE dep_tokens SET last_manual_sync_at = NULL, last_full_sync_at = NULL WHERE id = $1`, [tokenRowId]);
}

/** A device as a page of Apple's lists it (an iPhone with no profile), for tests that call the ingest directly. */
export function ingestDevice(serialNumber: string, fields: Partial<IngestDevice> = {}): IngestDevice {
  return {
    serialNumber,
    model: 'iPhone 15',
    description: null,
    color: null,
    assetTag: null,
    os: 'iOS',
    deviceFamily: 'iPhone',
    profileStatus: 'EMPTY',
    appleProfileUuid: null,
    profileAssignedAt: null,
    profilePushedAt: null,
    deviceAssignedAt: null,
    deviceAssignedBy: null,
    mdmMigrationDeadline: null,
    opType: null,
    opDate: null,
    ...fields,
  };
}

/** A profile defined at Apple for the token and stored here, made the token's default. */
export async function defaultProfileAtApple(t: TestApp, tokenRowId: string, name = 'Default'): Promise<{ rowId: string; appleUuid: string }> {
  const entity = await t.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenRowId });
  const defined = await t.app.services.depClients.forToken(entity).defineProfile({ profile_name: name, url: 'https://mdm.example.com/enroll' });
  const [profile] = await t.app.dataSource.query(
    `INSERT INTO enrollment_profiles (token_id, name, user_affinity, apple_profile_uuid, apple_defined_at, created_at, updated_at)
     VALUES ($1, $2, 'WITHOUT_USER', $3, $4, $4, $4) RETURNING id`,
    [tokenRowId, name, defined.profile_uuid, t.clock.now()],
  );
  await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = $2 WHERE id = $1`, [tokenRowId, profile.id]);
  return { rowId: profile.id, appleUuid: defined.profile_uuid };
}
