/**
 * `/metrics` in production: METRICS_TOKEN protection, token names only when asked, and the
 * operational series: the sync duration histogram, devices per token and profile status, Apple
 * calls by endpoint and status (429 and 5xx), the job queue, open WebSockets and subscriptions.
 */
import { randomUUID } from 'node:crypto';
import { VPP_REFRESH_QUEUE } from '../../src/alerts/alert.jobs';
import { DAY_MS } from '../../src/clock';
import { createDevices, serials, uploadToken } from '../support/dep-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { REFRESH_VPP, find, parsePrometheus, uploadVpp, type Sample } from '../support/vpp-fixtures';

const METRICS_TOKEN = `metrics-${randomUUID()}`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { METRICS_TOKEN } });
});
afterAll(() => t.close());

async function scrape(token: string = METRICS_TOKEN): Promise<{ text: string; samples: Sample[]; types: Map<string, string> }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(new URL('/metrics', t.url), { headers });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, ...parsePrometheus(text) };
}

const total = (samples: Sample[], name: string, labels: Record<string, string>) => find(samples, name, labels).reduce((n, s) => n + s.value, 0);

it('refuses a scrape without the METRICS_TOKEN bearer token', async () => {
  const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: METRICS_TOKEN }, { authorization: `Bearer ${t.adminKey}` }];
  for (const headers of refused) {
    const res = await fetch(new URL('/metrics', t.url), { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.text()).not.toContain('depgate_');
  }
  expect((await scrape()).types.get('depgate_devices')).toBe('gauge');
});

it('labels tokens by id only, unless METRICS_TOKEN_NAMES is set', async () => {
  const token = await uploadToken(t, 'Secret School Name');
  const { samples, text } = await scrape();
  const [expiry] = find(samples, 'depgate_dep_token_expiry_timestamp_seconds', { token_id: token.rowId });
  expect(expiry.labels).toEqual({ token_id: token.rowId });
  expect(text).not.toContain('Secret School Name');
});

it('counts devices per token and profile status (deleted ones not)', async () => {
  const token = await uploadToken(t, `Devices ${randomUUID().slice(0, 6)}`);
  const five = serials('MPS', 5);
  await createDevices(t, token, five, { depgateOnly: true });
  await t.app.dataSource.query(`UPDATE devices SET profile_status = 'ASSIGNED' WHERE token_id = $1 AND serial_number = ANY($2)`, [token.rowId, five.slice(0, 2)]);
  await t.app.dataSource.query(`UPDATE devices SET deleted_at = now() WHERE token_id = $1 AND serial_number = $2`, [token.rowId, five[4]]);
  const { samples } = await scrape();
  const byStatus = Object.fromEntries(find(samples, 'depgate_devices', { token_id: token.rowId }).map((s) => [s.labels.profile_status, s.value]));
  expect(byStatus).toEqual({ ASSIGNED: 2, EMPTY: 2 });
});

it('has a sync duration histogram counted from the sync runs', async () => {
  const token = await uploadToken(t, `Histogram ${randomUUID().slice(0, 6)}`);
  const run = (status: string, seconds: number) =>
    t.app.dataSource.query(
      `INSERT INTO sync_runs (id, token_id, kind, trigger, status, queued_at, started_at, finished_at, updated_at)
       VALUES ($1, $2, 'FULL', 'MANUAL', $3, $4, $4, $5, $5)`,
      [randomUUID(), token.rowId, status, new Date(t.clock.now().getTime() - seconds * 1000), t.clock.now()],
    );
  const before = (await scrape()).samples;
  await run('TIMED_OUT', 3);
  await run('TIMED_OUT', 45);
  await run('TIMED_OUT', 4000);
  const { samples, types } = await scrape();
  expect(types.get('depgate_sync_duration_seconds')).toBe('histogram');
  const delta = (name: string, labels: Record<string, string>) => total(samples, name, labels) - total(before, name, labels);
  const labels = { kind: 'FULL', outcome: 'TIMED_OUT' };
  expect(delta('depgate_sync_duration_seconds_bucket', { ...labels, le: '1' })).toBe(0);
  expect(delta('depgate_sync_duration_seconds_bucket', { ...labels, le: '5' })).toBe(1);
  expect(delta('depgate_sync_duration_seconds_bucket', { ...labels, le: '60' })).toBe(2);
  expect(delta('depgate_sync_duration_seconds_bucket', { ...labels, le: '3600' })).toBe(2);
  expect(delta('depgate_sync_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(3);
  expect(delta('depgate_sync_duration_seconds_count', labels)).toBe(3);
  expect(delta('depgate_sync_duration_seconds_sum', labels)).toBeCloseTo(4048, 3);
});

it('counts Apple calls by service, endpoint and status, 429 and 5xx included', async () => {
  const token = await uploadToken(t, `Apple ${randomUUID().slice(0, 6)}`);
  const vpp = await uploadVpp(t, { expiresInDays: 200 });
  const before = (await scrape()).samples;
  await t.simControl('POST', '/_sim/faults', { status: 429, retryAfter: 0, count: 1, path: '/profile', method: 'POST' });
  await t.gql(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
    input: { tokenId: token.id, name: 'Rate limited once' },
  });
  await t.simControl('POST', '/_sim/vpp/faults', { status: 503, count: 1 });
  await t.gql(REFRESH_VPP, { id: vpp.vppToken.id });
  const { samples, types } = await scrape();
  const delta = (labels: Record<string, string>) =>
    total(samples, 'depgate_apple_requests_total', labels) - total(before, 'depgate_apple_requests_total', labels);
  expect(types.get('depgate_apple_requests_total')).toBe('counter');
  expect(delta({ service: 'dep', endpoint: 'POST /profile', status: '429' })).toBe(1);
  expect(delta({ service: 'vpp', status: '503' })).toBe(1);
  expect(delta({ service: 'vpp', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(find(samples, 'depgate_apple_request_duration_seconds_count', { service: 'dep', endpoint: 'POST /profile' })[0].value).toBeGreaterThanOrEqual(1);
  // Never a credential or a query string in a label.
  expect(find(samples, 'depgate_apple_requests_total').every((s) => /^[A-Z]+ \/[A-Za-z0-9/_.-]*$/.test(s.labels.endpoint))).toBe(true);
});

it('reports the job queue depth', async () => {
  await t.app.services.jobs.send(VPP_REFRESH_QUEUE, {}, { startAfter: new Date(Date.now() + 30 * DAY_MS), singletonKey: `metrics-${randomUUID()}` });
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'created'`, [VPP_REFRESH_QUEUE]);
  expect(n).toBeGreaterThanOrEqual(1);
  const { samples } = await scrape();
  expect(find(samples, 'depgate_job_queue_depth', { queue: VPP_REFRESH_QUEUE, state: 'created' })[0].value).toBe(n);
});

it('counts open WebSockets and running subscriptions', async () => {
  const gauge = async () => {
    const { samples } = await scrape();
    return { sockets: total(samples, 'depgate_websocket_connections', {}), subscriptions: total(samples, 'depgate_graphql_subscriptions_active', {}) };
  };
  expect(await gauge()).toEqual({ sockets: 0, subscriptions: 0 });
  const client = t.ws();
  const started = new Promise<void>((resolve, reject) => {
    client.on('connected', () => setTimeout(resolve, 200));
    client.subscribe({ query: 'subscription { alertRaised { id } }' }, { next: () => undefined, error: reject, complete: () => undefined });
  });
  await started;
  await waitFor(async () => (await gauge()).subscriptions === 1);
  expect(await gauge()).toEqual({ sockets: 1, subscriptions: 1 });
  await client.dispose();
  await waitFor(async () => (await gauge()).sockets === 0);
  expect(await gauge()).toEqual({ sockets: 0, subscriptions: 0 });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
