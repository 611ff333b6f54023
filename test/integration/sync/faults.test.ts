/**
 * Every fault path, injected in the Apple simulator: 401 (a new session), 429 and 503 with
 * Retry-After (honoured: the client waits what Apple asked, recorded here instead of slept), 5xx
 * and timeouts (retried with backoff, then the run fails with a code, and a failed delta is
 * followed by a full sync), T_C_NOT_SIGNED and ACCESS_DENIED (the token's status), Apple
 * refusing a request, and the SYNC_TIMEOUT_S deadline aborting the outstanding call.
 */
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { lastRun, requestSync, runs, tokenRow, until, uploadToken, waitForIdle, waitForRun, type SyncedToken } from './sync-support';

let t: TestApp;
/** What the Apple client was asked to wait, in ms (Retry-After and backoff), instead of sleeping. */
const waits: number[] = [];
beforeAll(async () => {
  t = await startTestApp({
    simulator: true,
    sync: true,
    appleTuning: {
      timeoutMs: 1000,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 60_000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  });
});
afterAll(() => t.close());

let token: SyncedToken;
beforeEach(async () => {
  token = await uploadToken(t, { devices: 5 });
  await t.simControl('DELETE', '/_sim/faults');
  await t.simControl('DELETE', '/_sim/requests');
  waits.length = 0;
  t.clock.advance(15 * MINUTE_MS);
});

async function appleRequests(path?: string): Promise<any[]> {
  return (await t.simControl('GET', `/_sim/requests?limit=1000${path ? `&path=${encodeURIComponent(path)}` : ''}`)).requests;
}

const STATUS = `query ($id: ID!) { depToken(id: $id) { status lastSyncError lastSuccessfulSyncAt } }`;

describe('401', () => {
  it('an expired session is opened again and the request retried', async () => {
    await t.simControl('POST', '/_sim/sessions/expire');
    await t.simControl('POST', '/_sim/faults', { status: 401, count: 1, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    const sessions = await appleRequests('/session');
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect((await appleRequests('/devices/sync')).map((r) => r.status)).toEqual([401, 200]);
  });

  it('two transient 401s with a successful re-authentication between them leave the token ACTIVE and raise no refusal alert', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 401, body: 'UNAUTHORIZED', count: 2, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    expect((await appleRequests('/devices/sync')).map((r) => r.status)).toEqual([401, 401, 200]);
    expect((await appleRequests('/session')).every((r) => r.status === 200)).toBe(true);
    expect((await t.ok(STATUS, { id: token.id })).depToken).toMatchObject({ status: 'ACTIVE', lastSyncError: null });
    await t.app.services.alerts.evaluateAll();
    const alerts = await t.ok(`query ($id: ID!) { alerts(filter: {subjectId: $id}) { edges { node { kind } } } }`, { id: token.id });
    expect(alerts.alerts.edges.map((e: any) => e.node.kind)).toEqual([]);
  });

  it('401s that outlast every re-authentication fail the run as APPLE_UNAVAILABLE, never REJECTED', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 401, body: 'UNAUTHORIZED', count: 100, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'FAILED', error_code: 'APPLE_UNAVAILABLE' });
    expect((await t.ok(STATUS, { id: token.id })).depToken.status).toBe('ACTIVE');
    await t.simControl('DELETE', '/_sim/faults');
  });

  it('credentials refused by GET /session itself set the token REJECTED and raise DEP_TOKEN_REJECTED', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 401, body: 'oauth_problem=token_rejected', count: 100, path: '/session' });
    await t.simControl('POST', '/_sim/sessions/expire');
    const run = await waitForRun(t, await requestSync(t, token));
    await t.simControl('DELETE', '/_sim/faults');
    expect(run).toMatchObject({ status: 'FAILED', error_code: 'TOKEN_REJECTED_BY_APPLE' });
    expect((await t.ok(STATUS, { id: token.id })).depToken.status).toBe('REJECTED');
    await t.app.services.alerts.evaluateAll();
    const alerts = await t.ok(`query ($id: ID!) { alerts(filter: {subjectId: $id}) { edges { node { kind severity } } } }`, { id: token.id });
    expect(alerts.alerts.edges.map((e: any) => e.node)).toEqual([{ kind: 'DEP_TOKEN_REJECTED', severity: 'CRITICAL' }]);
  });
});

describe('429 and 503 with Retry-After', () => {
  it.each([429, 503])('%i: the client waits the seconds Apple asked, then the sync goes on', async (status) => {
    await t.simControl('POST', '/_sim/faults', { status, retryAfter: 30, count: 1, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    expect(waits).toEqual([30_000]);
    expect((await appleRequests('/devices/sync')).map((r) => r.status)).toEqual([status, 200]);
  });

  it('an HTTP-date Retry-After is read against the clock', async () => {
    const at = new Date(t.clock.now().getTime() + 45_000).toUTCString();
    await t.simControl('POST', '/_sim/faults', { status: 503, retryAfter: at, count: 1, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    expect(waits).toEqual([45_000]);
  });

  it('a wait longer than the client may block fails the run (APPLE_RATE_LIMITED): no full sync is forced on Apple', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 429, retryAfter: 3600, count: 1, path: '/devices/sync' });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ kind: 'DELTA', status: 'FAILED', error_code: 'APPLE_RATE_LIMITED' });
    expect(run.error_message).toMatch(/3600 seconds/);
    expect(waits).toEqual([]);
    // The next sync is full (a delta failed), but none is queued while Apple asks us to wait.
    expect((await runs(t, token.rowId)).length).toBe(2);
    expect((await tokenRow(t, token.rowId)).full_sync_required).toBe(true);
    t.clock.advance(15 * MINUTE_MS);
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ kind: 'FULL', full_sync_reason: 'AFTER_FAILED_DELTA', status: 'SUCCEEDED' });
  });
});

describe('5xx and timeouts', () => {
  it('are retried with backoff', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 500, count: 2, path: '/devices/sync' });
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    expect((await appleRequests('/devices/sync')).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0]);
  });

  it('then fail the run with APPLE_UNAVAILABLE, and a failed delta is followed by a full sync at once', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 502, count: 3, path: '/devices/sync' });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ kind: 'DELTA', status: 'FAILED', error_code: 'APPLE_UNAVAILABLE' });
    await waitForIdle(t, token.rowId);
    const follow = await lastRun(t, token.rowId);
    expect(follow).toMatchObject({ kind: 'FULL', trigger: 'SCHEDULED', full_sync_reason: 'AFTER_FAILED_DELTA', status: 'SUCCEEDED' });
    expect((await t.ok(STATUS, { id: token.id })).depToken).toMatchObject({ status: 'ACTIVE', lastSyncError: null });
  });

  it('a request that times out every time fails the run the same way', async () => {
    await t.simControl('POST', '/_sim/faults', { delayMs: 1300, count: 3, path: '/devices/sync' });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ status: 'FAILED', error_code: 'APPLE_UNAVAILABLE' });
    expect(run.error_message).toMatch(/TIMEOUT/);
    await waitForIdle(t, token.rowId);
  });

  it('Apple refusing a request (400) fails the run with APPLE_REQUEST_FAILED', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 400, body: 'MALFORMED_REQUEST_BODY', count: 1, path: '/devices/sync' });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ status: 'FAILED', error_code: 'APPLE_REQUEST_FAILED' });
    expect(run.error_message).toMatch(/MALFORMED_REQUEST_BODY/);
    await waitForIdle(t, token.rowId);
  });
});

describe('refusals of the token itself', () => {
  it('T_C_NOT_SIGNED fails the run and shows TERMS_NOT_ACCEPTED on the token until a sync succeeds', async () => {
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/terms`, { signed: false });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ status: 'FAILED', error_code: 'TOKEN_TERMS_NOT_ACCEPTED' });
    expect((await runs(t, token.rowId)).length).toBe(2); // a person must act: nothing is queued
    const failed = (await t.ok(STATUS, { id: token.id })).depToken;
    expect(failed.status).toBe('TERMS_NOT_ACCEPTED');
    expect(failed.lastSyncError).toMatch(/terms and conditions/);

    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/terms`, { signed: true });
    t.clock.advance(15 * MINUTE_MS);
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ status: 'SUCCEEDED' });
    expect((await t.ok(STATUS, { id: token.id })).depToken).toMatchObject({ status: 'ACTIVE', lastSyncError: null });
  });

  it('ACCESS_DENIED fails the run and shows REJECTED', async () => {
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/access`, { denied: true });
    const run = await waitForRun(t, await requestSync(t, token));
    expect(run).toMatchObject({ status: 'FAILED', error_code: 'TOKEN_REJECTED_BY_APPLE' });
    expect((await t.ok(STATUS, { id: token.id })).depToken.status).toBe('REJECTED');
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/access`, { denied: false });
  });
});

describe('SYNC_TIMEOUT_S', () => {
  it('aborts the run and its outstanding Apple call once the clock passes the deadline: TIMED_OUT, pages kept', async () => {
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3 });
    await t.simControl('POST', '/_sim/faults', { delayMs: 900, count: 1, path: '/devices/sync' });
    const runId = await requestSync(t, token);
    await until(async () => (await appleRequests('/devices/sync')).some((r) => r.status === undefined), 'the sync request to be in flight');
    t.clock.advance(16 * MINUTE_MS);
    const run = await waitForRun(t, runId);
    expect(run).toMatchObject({ status: 'TIMED_OUT', error_code: 'SYNC_TIMED_OUT' });
    expect(run.error_message).toMatch(/900 seconds/);
    await until(async () => (await appleRequests('/devices/sync')).some((r) => r.aborted === true), 'the client to hang up on Apple');
    // A timed-out delta keeps its cursor: nothing queued, and the next sync continues.
    expect((await runs(t, token.rowId)).length).toBe(2);
    expect(await waitForRun(t, await requestSync(t, token))).toMatchObject({ kind: 'DELTA', status: 'SUCCEEDED', devices_added: 3 });
  });
});
