/**
 * Where webhook events come from, each hooked where the change is committed:
 * - devices added / modified / deleted: the sync engine's page transaction (one delivery per page
 *   and event, with the devices' global ids and changed fields; before/after read only when some
 *   webhook listens for the token);
 * - depgate's own device changes (the device change feed: per stored chunk of at most 1,000):
 *   profiles assigned (an admin's call, automatic assignment, retries) as DEVICES_ASSIGNED, profiles
 *   removed as DEVICES_MODIFIED, devices deleted from depgate as DEVICES_DELETED;
 * - sync run finished: SYNC_RUN_CHANGED with a final status, heard on every instance and stored
 *   once per webhook (the run id deduplicates);
 * - alert raised / resolved: the alert evaluation's transaction;
 * - token status changed: the token status announcer, in the same transaction (after the alerts),
 *   whatever changed it: Apple's refusal or its end, a renewal, or the days passing
 *   (ACTIVE -> EXPIRING_SOON -> EXPIRED).
 */
import type { EntityManager } from 'typeorm';
import type { AlertService } from '../alerts/alert.service';
import type { DeviceChange, DeviceChangeFeed } from '../devices/device-changes';
import { deviceFamilyOf, deviceOsOf } from '../devices/device-platform';
import { Topic, type SyncRunChangedEvent } from '../events/topics';
import { toGlobalId } from '../graphql/global-id';
import type { Clock } from '../clock';
import type { SqlRunner } from '../database/sql-runner';
import type { Logger } from '../logger';
import type { PageObserver } from '../sync/sync-engine';
import type { TokenStatusAnnouncer } from '../tokens/token-status-announcer';
import type { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookEventName } from './webhook-events';
import { assertUnreachable } from '../assert-unreachable';

const DEVICE_EVENTS = ['DEVICES_ADDED', 'DEVICES_MODIFIED', 'DEVICES_DELETED'] as const;
const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT']);

/** The device fields a webhook is told of (Apple's, as depgate stores them). */
const FIELDS = {
  model: 'model',
  description: 'description',
  color: 'color',
  assetTag: 'asset_tag',
  os: 'os',
  deviceFamily: 'device_family',
  profileStatus: 'profile_status',
  profileUuid: 'apple_profile_uuid',
} as const;

type DeviceRow = Record<string, any> & { id: string; serial_number: string; deleted_at: Date | null; last_synced_at: Date | null };

function fieldsOf(row: DeviceRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(FIELDS)) out[name] = row[column] ?? null;
  out.os = deviceOsOf(row.os) ?? row.os ?? null;
  out.deviceFamily = deviceFamilyOf(row.device_family) ?? null;
  return out;
}

async function snapshot(m: EntityManager, tokenId: string, serials: string[]): Promise<Map<string, DeviceRow>> {
  const rows: DeviceRow[] = await m.query(
    `SELECT id, serial_number, deleted_at, last_synced_at, ${Object.values(FIELDS).join(', ')}
       FROM devices WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
    [tokenId, serials],
  );
  return new Map(rows.map((r) => [r.serial_number, r]));
}

export function devicePageObserver(dispatcher: WebhookDispatcher): PageObserver {
  return async (m, page) => {
    if (page.serialNumbers.length === 0) return undefined;
    if (!(await dispatcher.anyListening(m, DEVICE_EVENTS, { tokenId: page.tokenId }))) return undefined;
    const before = await snapshot(m, page.tokenId, page.serialNumbers);
    return async (m2) => {
      const after = await snapshot(m2, page.tokenId, page.serialNumbers);
      const added: unknown[] = [];
      const modified: unknown[] = [];
      const deleted: unknown[] = [];
      for (const [serial, now] of after) {
        const was = before.get(serial);
        const live = now.deleted_at === null;
        const wasLive = Boolean(was && was.deleted_at === null && was.last_synced_at !== null);
        const ref = { id: toGlobalId('Device', now.id), serialNumber: serial };
        if (live && !wasLive) added.push({ ...ref, fields: fieldsOf(now) });
        else if (!live && was && was.deleted_at === null) deleted.push(ref);
        else if (live && was) {
          const a = fieldsOf(was);
          const b = fieldsOf(now);
          const changedFields = Object.fromEntries(Object.entries(b).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(a[k])));
          if (Object.keys(changedFields).length > 0) modified.push({ ...ref, changedFields });
        }
      }
      const data = { syncRunId: toGlobalId('SyncRun', page.runId), requestedBy: null };
      const subject = { tokenId: page.tokenId };
      if (added.length) await dispatcher.dispatch(m2, 'DEVICES_ADDED', subject, { ...data, devices: added }, { now: page.now });
      if (modified.length) await dispatcher.dispatch(m2, 'DEVICES_MODIFIED', subject, { ...data, devices: modified }, { now: page.now });
      if (deleted.length) await dispatcher.dispatch(m2, 'DEVICES_DELETED', subject, { ...data, deletedBy: 'APPLE', devices: deleted }, { now: page.now });
    };
  };
}

export interface WebhookWiring {
  dispatcher: WebhookDispatcher;
  alerts: AlertService;
  deviceChanges: DeviceChangeFeed;
  tokenStatuses: TokenStatusAnnouncer;
  clock: Clock;
}

export function wireWebhooks(w: WebhookWiring): void {
  const { dispatcher, clock } = w;
  w.alerts.onRaised(async (alert, executor) => {
    const subject = { tokenId: alert.depTokenId, vppTokenId: alert.vppTokenId, appleBusinessAccountId: alert.appleBusinessAccountId };
    const data = { alertId: toGlobalId('Alert', alert.id), kind: alert.kind, severity: alert.severity, message: alert.message, threshold: alert.threshold };
    await dispatcher.dispatch(executor, 'ALERT_RAISED', subject, data, { now: clock.now(), dedupeKey: alert.id });
  });
  w.alerts.onResolved(async (alert, executor) => {
    const subject = { tokenId: alert.depTokenId, vppTokenId: alert.vppTokenId, appleBusinessAccountId: alert.appleBusinessAccountId };
    await dispatcher.dispatch(executor, 'ALERT_RESOLVED', subject, { alertId: toGlobalId('Alert', alert.id), kind: alert.kind, resolution: alert.resolution }, {
      now: clock.now(),
      dedupeKey: alert.id,
    });
  });
  w.tokenStatuses.onChanged(async (change, executor) => {
    await dispatcher.dispatch(executor, 'TOKEN_STATUS_CHANGED', { tokenId: change.tokenId }, { status: change.status, previousStatus: change.previousStatus }, { now: clock.now() });
  });
  w.deviceChanges.on(async (change, executor) => {
    const [event, data] = deviceChangeEvent(change);
    await dispatcher.dispatch(executor, event, { tokenId: change.tokenId }, data, { now: clock.now() });
  });
}

/** A device change as its webhook event: the same shapes as a sync page's events, with who asked. */
function deviceChangeEvent(change: DeviceChange): [WebhookEventName, Record<string, unknown>] {
  const requestedBy = change.requestedBy ? { apiKeyId: toGlobalId('ApiKey', change.requestedBy.apiKeyId), name: change.requestedBy.name } : null;
  const ref = (d: { id: string; serialNumber: string }) => ({ id: toGlobalId('Device', d.id), serialNumber: d.serialNumber });
  switch (change.kind) {
    case 'PROFILE_ASSIGNED': {
      const assigned = change.devices.filter((d) => d.status === 'SUCCESS').length;
      return [
        'DEVICES_ASSIGNED',
        {
          profileId: toGlobalId('EnrollmentProfile', change.profileId),
          automatic: change.requestedBy === null,
          requestedBy,
          assigned,
          failed: change.devices.length - assigned,
          devices: change.devices.map((d) => ({ ...ref(d), status: d.status, ...(d.message ? { message: d.message } : {}) })),
        },
      ];
    }
    case 'PROFILE_REMOVED':
      return [
        'DEVICES_MODIFIED',
        { cause: 'PROFILE_REMOVED', requestedBy, devices: change.devices.map((d) => ({ ...ref(d), changedFields: { profileStatus: 'EMPTY', profileUuid: null } })) },
      ];
    case 'DELETED':
      return [
        'DEVICES_DELETED',
        { deletedBy: 'DEPGATE', deviceDeletionId: change.deletionId ? toGlobalId('DeviceDeletion', change.deletionId) : null, requestedBy, devices: change.devices.map(ref) },
      ];
    default:
      return assertUnreachable(change);
  }
}

/** SYNC_RUN_FINISHED from the events channel (every instance hears it; the run id stores it once per webhook). */
export function listenForSyncOutcomes(
  pubSub: { subscribe(topic: typeof Topic.SYNC_RUN_CHANGED): AsyncIterable<SyncRunChangedEvent> },
  dispatcher: WebhookDispatcher,
  dataSource: SqlRunner,
  clock: Clock,
  logger: Logger,
): { stop(): Promise<void> } {
  const iterator = pubSub.subscribe(Topic.SYNC_RUN_CHANGED)[Symbol.asyncIterator]();
  const listening = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const event = next.value;
      if (!FINAL_STATUSES.has(event.status)) continue;
      await dispatcher
        .dispatch(
          dataSource,
          'SYNC_RUN_FINISHED',
          { tokenId: event.tokenId },
          {
            syncRunId: toGlobalId('SyncRun', event.runId),
            status: event.status,
            kind: event.kind ?? null,
            devicesAdded: event.devicesAdded,
            devicesModified: event.devicesModified,
            devicesDeleted: event.devicesDeleted,
            errorCode: event.errorCode ?? null,
            finishedAt: event.finishedAt ?? null,
          },
          { now: clock.now(), dedupeKey: event.runId },
        )
        .catch((err: Error) => logger.error({ runId: event.runId, err: { message: err.message } }, 'SYNC_RUN_FINISHED webhook not queued'));
    }
  })().catch((err: Error) => logger.error({ err: { message: err.message } }, 'webhook sync outcome listener stopped'));
  return {
    async stop() {
      await iterator.return?.();
      await listening;
    },
  };
}

