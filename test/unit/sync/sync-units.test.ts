/**
 * The pure parts of the sync engine: resolving a page (repeats by latest op_date), Apple's fields
 * as stored, the page size from /account, the time rules, and how failures are described.
 */
import 'reflect-metadata';
import { AppleDepError } from '../../../src/apple/dep-errors';
import { DAY_MS, MINUTE_MS } from '../../../src/clock';
import { resolvePage, toIngestDevice } from '../../../src/sync/device-ingest';
import { pageSizeFor, TokenExpiredForSyncError } from '../../../src/sync/sync-engine';
import { describeFailure, SyncTimeoutError } from '../../../src/sync/sync.errors';
import { fullSyncRequired, nextFullSyncAt, nextManualSyncAt, scheduledSyncDue, secondsUntil, type TokenSyncState } from '../../../src/sync/sync.rules';
import { syncRunFromRow } from '../../../src/sync/sync-run.entity';
import { SyncRun } from '../../../src/sync/sync.types';

describe('resolvePage', () => {
  it('keeps one entry per serial: the latest op_date, the later one on a tie, a dated one over an undated one', () => {
    const page = resolvePage([
      { serial_number: 'AAA0000001', color: 'red', op_type: 'modified', op_date: '2026-01-01T10:00:00Z' },
      { serial_number: 'BBB0000001', color: 'x', op_type: 'added', op_date: '2026-01-01T10:00:00Z' },
      { serial_number: 'AAA0000001', color: 'old', op_type: 'modified', op_date: '2026-01-01T09:00:00Z' },
      { serial_number: 'AAA0000001', color: 'blue', op_type: 'modified', op_date: '2026-01-01T10:00:00Z' },
      { serial_number: 'BBB0000001', op_type: 'deleted', op_date: '2026-01-01T11:00:00Z' },
      { serial_number: 'CCC0000001', color: 'dated', op_type: 'modified', op_date: '2026-01-01T08:00:00Z' },
      { serial_number: 'CCC0000001', color: 'undated', op_type: 'modified' },
    ]);
    expect(page.skipped).toBe(0);
    expect(page.devices.map((d) => [d.serialNumber, d.color ?? d.opType])).toEqual([
      ['AAA0000001', 'blue'],
      ['BBB0000001', 'deleted'],
      ['CCC0000001', 'dated'],
    ]);
  });

  it('normalises serials, skips entries without one, and maps Apple’s fields', () => {
    expect(resolvePage([{ serial_number: '' }, { serial_number: '  ' } as never, {} as never])).toEqual({ devices: [], skipped: 3 });
    expect(
      toIngestDevice({
        serial_number: ' c02abc12def3 ',
        profile_status: 'pushed',
        profile_uuid: 'UUID',
        profile_assign_time: '2026-01-02T03:04:05Z',
        device_assigned_date: 'not a date',
        model: '',
        os: 'iOS',
      }),
    ).toMatchObject({
      serialNumber: 'C02ABC12DEF3',
      profileStatus: 'PUSHED',
      appleProfileUuid: 'UUID',
      profileAssignedAt: '2026-01-02T03:04:05.000Z',
      deviceAssignedAt: null,
      model: null,
      os: 'iOS',
      opType: null,
    });
    expect(toIngestDevice({ serial_number: 'X1', profile_status: 'weird' as never })!.profileStatus).toBe('EMPTY');
  });

  it('cleans C0 controls out of Apple’s free text, bounds its length, and skips records whose serial cannot be a key', () => {
    const device = toIngestDevice({
      serial_number: 'NUL000000001',
      description: 'iPad\u0000 of\tSales\u0007',
      model: 'x'.repeat(5000),
      profile_uuid: '\u0000\u0001',
    })!;
    expect(device).toMatchObject({ description: 'iPad of Sales', appleProfileUuid: null });
    expect(device.model).toHaveLength(1000);
    expect(toIngestDevice({ serial_number: 'A'.repeat(5000) })).toBeNull();
    expect(toIngestDevice({ serial_number: 'BAD\u0000SERIAL' })).toBeNull();
    expect(toIngestDevice({ serial_number: 'DASH-SERIAL' })).toBeNull();
    const page = resolvePage([{ serial_number: 'A'.repeat(5000) }, { serial_number: 'GOOD00000001' }, { serial_number: '' }]);
    expect(page).toMatchObject({ skipped: 2, devices: [{ serialNumber: 'GOOD00000001' }] });
  });
});

describe('pageSizeFor', () => {
  const account = (limit?: { default: number; maximum: number }) => ({ urls: [{ uri: '/server/devices', http_method: ['POST' as const], limit }] });
  it('uses what /account advertises, at most 1,000', () => {
    expect(pageSizeFor(account({ default: 100, maximum: 1000 }), '/server/devices')).toBe(1000);
    expect(pageSizeFor(account({ default: 100, maximum: 500 }), '/server/devices')).toBe(500);
    expect(pageSizeFor(account({ default: 100, maximum: 5000 }), '/server/devices')).toBe(1000);
    expect(pageSizeFor(account(undefined), '/server/devices')).toBe(100);
    expect(pageSizeFor(account({ default: 100, maximum: 1000 }), '/devices/sync')).toBe(100);
    expect(pageSizeFor(undefined, '/devices/sync')).toBe(100);
  });
});

describe('time rules', () => {
  const intervals = { manualSyncMinIntervalS: 900, fullSyncMinIntervalS: 7 * 86400, autoSyncIntervalS: 86400, syncTimeoutS: 900 };
  const now = new Date('2026-11-26T12:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const state = (s: Partial<TokenSyncState> = {}): TokenSyncState => ({
    tokenId: 't',
    syncCursor: 'c',
    fetchId: null,
    fullSyncRequired: false,
    lastFullSyncAt: null,
    lastManualSyncAt: null,
    lastSyncTriggeredAt: null,
    ...s,
  });

  it('manual: 15 minutes after the previous manual request', () => {
    expect(nextManualSyncAt(state(), intervals, now)).toBeNull();
    expect(nextManualSyncAt(state({ lastManualSyncAt: at(-5 * MINUTE_MS) }), intervals, now)).toEqual(at(10 * MINUTE_MS));
    expect(nextManualSyncAt(state({ lastManualSyncAt: at(-15 * MINUTE_MS) }), intervals, now)).toBeNull();
  });

  it('full: 7 days after the previous full sync, unless one is needed anyway', () => {
    expect(nextFullSyncAt(state({ lastFullSyncAt: at(-DAY_MS) }), intervals, now)).toEqual(at(6 * DAY_MS));
    expect(nextFullSyncAt(state({ lastFullSyncAt: at(-7 * DAY_MS) }), intervals, now)).toBeNull();
    for (const needed of [{ syncCursor: null }, { fetchId: 'f' }, { fullSyncRequired: true }]) {
      expect(fullSyncRequired(state(needed))).toBe(true);
      expect(nextFullSyncAt(state({ lastFullSyncAt: at(-DAY_MS), ...needed }), intervals, now)).toBeNull();
    }
  });

  it('scheduled: 24 hours after the last sync was triggered', () => {
    expect(scheduledSyncDue(state(), intervals, now)).toBe(true);
    expect(scheduledSyncDue(state({ lastSyncTriggeredAt: at(-DAY_MS + 1000) }), intervals, now)).toBe(false);
    expect(scheduledSyncDue(state({ lastSyncTriggeredAt: at(-DAY_MS) }), intervals, now)).toBe(true);
  });

  it('retryAfterSeconds rounds up and is at least 1', () => {
    expect(secondsUntil(at(1500), now)).toBe(2);
    expect(secondsUntil(at(-10), now)).toBe(1);
  });
});

describe('describeFailure', () => {
  const apple = (kind: string, extra: Record<string, unknown> = {}) => new AppleDepError({ kind: kind as never, operation: 'POST /devices/sync', ...extra });
  it.each([
    ['TERMS_NOT_SIGNED', apple('TERMS_NOT_SIGNED', { status: 403 }), 'FAILED', 'TOKEN_TERMS_NOT_ACCEPTED', 'TERMS'],
    ['ACCESS_DENIED', apple('ACCESS_DENIED', { status: 403 }), 'FAILED', 'TOKEN_REJECTED_BY_APPLE', 'REJECTED'],
    ['UNAUTHORIZED', apple('UNAUTHORIZED', { status: 401 }), 'FAILED', 'TOKEN_REJECTED_BY_APPLE', 'REJECTED'],
    ['RATE_LIMITED', apple('RATE_LIMITED', { status: 429, retryAfterSeconds: 60 }), 'FAILED', 'APPLE_RATE_LIMITED', undefined],
    ['UNAVAILABLE', apple('UNAVAILABLE', { status: 503 }), 'FAILED', 'APPLE_UNAVAILABLE', undefined],
    ['TIMEOUT', apple('TIMEOUT'), 'FAILED', 'APPLE_UNAVAILABLE', undefined],
    ['BAD_REQUEST', apple('BAD_REQUEST', { status: 400, appleCode: 'MALFORMED_REQUEST_BODY' }), 'FAILED', 'APPLE_REQUEST_FAILED', undefined],
    ['ABORTED', apple('ABORTED'), 'TIMED_OUT', 'SYNC_TIMED_OUT', undefined],
    ['SyncTimeoutError', new SyncTimeoutError(900), 'TIMED_OUT', 'SYNC_TIMED_OUT', undefined],
    ['TokenExpiredForSyncError', new TokenExpiredForSyncError(new Date('2026-01-01T00:00:00Z')), 'FAILED', 'TOKEN_EXPIRED', 'EXPIRED'],
    ['Error', new Error('connection terminated: password=hunter2'), 'FAILED', 'SYNC_FAILED', undefined],
  ])('%s', (_label, error, status, code, refusal) => {
    const failure = describeFailure(error, 900);
    expect(failure).toMatchObject({ status, code });
    expect(failure.tokenRefusal).toBe(refusal);
    expect(failure.message).not.toMatch(/hunter2/);
  });
});

describe('SyncRun.fromEvent', () => {
  const row = {
    id: '00000000-0000-0000-0000-000000000001',
    seq: 1,
    token_id: '00000000-0000-0000-0000-000000000002',
    kind: 'FULL',
    trigger: 'MANUAL',
    status: 'SUCCEEDED',
    full_sync_reason: 'REQUESTED',
    queued_at: new Date('2026-01-01T00:00:00Z'),
    started_at: new Date('2026-01-01T00:00:01Z'),
    finished_at: new Date('2026-01-01T00:00:09Z'),
    attempts: 1,
    pages_fetched: 9,
    devices_added: 900,
    devices_modified: 0,
    devices_deleted: 0,
    assignments_made: 0,
    assignments_failed: 0,
    error_code: null,
    error_message: null,
    updated_at: new Date('2026-01-01T00:00:09Z'),
  };
  it('shows the step the event describes, even when the stored run has moved on', () => {
    const run = SyncRun.fromEvent(syncRunFromRow(row), {
      runId: row.id,
      tokenId: row.token_id,
      status: 'RUNNING',
      kind: 'FULL',
      pagesFetched: 3,
      devicesAdded: 300,
      devicesModified: 0,
      devicesDeleted: 0,
      startedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(run).toMatchObject({ status: 'RUNNING', pagesFetched: 3, devicesAdded: 300, finishedAt: null, error: null });
    expect(run.startedAt).toEqual(new Date('2026-01-01T00:00:01Z'));
    const queued = SyncRun.fromEvent(syncRunFromRow(row), { runId: row.id, tokenId: row.token_id, status: 'QUEUED', kind: 'DELTA', pagesFetched: 0, devicesAdded: 0, devicesModified: 0, devicesDeleted: 0 });
    expect(queued).toMatchObject({ status: 'QUEUED', kind: 'DELTA', fullSyncReason: null, startedAt: null, finishedAt: null });
  });
});
