/**
 * `/metrics`: the Prometheus text parsed and checked against what the database and the API say:
 * DEP and VPP token expiry, seconds since the last successful sync, Company Portal licences,
 * active alerts by kind, sync runs by outcome and duration, GraphQL operations by name, outcome
 * and transport. No secret appears in it.
 */
import { randomUUID } from 'node:crypto';
import 'reflect-metadata';
import { AlertKind } from '../../src/alerts/alert.types';
import { DAY_MS, HOUR_MS } from '../../src/clock';
import { SecretBox } from '../../src/crypto/secret-box';
import { credentialsContext } from '../../src/tokens/dep-client.factory';
import { parseGlobalId } from '../../src/graphql/global-id';
import { startTestApp, wsRequest, type TestApp } from '../support/test-app';
import { find, parsePrometheus, uploadDep, uploadVpp } from '../support/vpp-fixtures';

let t: TestApp;
beforeAll(async () => {
  // Token names as labels are opt-in (METRICS_TOKEN_NAMES); this file checks them.
  t = await startTestApp({ simulator: true, env: { METRICS_TOKEN_NAMES: 'true' } });
});
afterAll(() => t.close());

const rowId = (globalId: string) => parseGlobalId(globalId)!.id;

async function scrape() {
  const res = await fetch(new URL('/metrics', t.url));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
  const text = await res.text();
  return { text, ...parsePrometheus(text) };
}

async function syncIdle(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM sync_runs WHERE status IN ('QUEUED', 'RUNNING')`);
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('reports tokens, licences, alerts and sync runs from the database, labelled by id and name', async () => {
  const dep = await uploadDep(t, { expiresInDays: 20, name: 'Metrics "DEP"' });
  const vpp = await uploadVpp(t, { expiresInDays: 100, total: 60, assigned: 55, name: 'Metrics VPP' });
  await syncIdle();
  const depId = rowId(dep.token.id);
  const vppId = rowId(vpp.vppToken.id);
  await t.app.dataSource.query(`UPDATE dep_tokens SET last_successful_sync_at = $2 WHERE id = $1`, [depId, new Date(t.clock.now().getTime() - 2 * HOUR_MS)]);
  // Two finished runs of known durations (and the one the upload ran, if any).
  const run = (status: string, seconds: number) =>
    t.app.dataSource.query(
      `INSERT INTO sync_runs (id, token_id, kind, trigger, status, queued_at, started_at, finished_at, updated_at)
       VALUES ($1, $2, 'DELTA', 'SCHEDULED', $3, $4, $4, $5, $5)`,
      [randomUUID(), depId, status, new Date(t.clock.now().getTime() - seconds * 1000), t.clock.now()],
    );
  await run('FAILED', 30);
  await run('FAILED', 10);

  const { samples, types, text } = await scrape();

  const [depExpiry] = find(samples, 'depgate_dep_token_expiry_timestamp_seconds', { token_id: depId });
  expect(depExpiry.labels.token_name).toBe('Metrics "DEP"');
  expect(depExpiry.value).toBe(new Date(dep.token.expiresAt).getTime() / 1000);
  expect(types.get('depgate_dep_token_expiry_timestamp_seconds')).toBe('gauge');

  const [vppExpiry] = find(samples, 'depgate_vpp_token_expiry_timestamp_seconds', { vpp_token_id: vppId, vpp_token_name: 'Metrics VPP' });
  expect(vppExpiry.value).toBe(new Date(vpp.vppToken.expiresAt).getTime() / 1000);

  expect(find(samples, 'depgate_dep_token_seconds_since_last_successful_sync', { token_id: depId })[0].value).toBe(7200);
  expect(find(samples, 'depgate_company_portal_licenses_available', { vpp_token_id: vppId })[0].value).toBe(5);
  expect(find(samples, 'depgate_company_portal_licenses_purchased', { vpp_token_id: vppId })[0].value).toBe(60);

  const [{ n: expiring }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE kind = 'DEP_TOKEN_EXPIRING' AND resolved_at IS NULL`);
  expect(expiring).toBeGreaterThan(0);
  expect(find(samples, 'depgate_alerts_active', { kind: 'DEP_TOKEN_EXPIRING' })[0].value).toBe(expiring);
  expect(find(samples, 'depgate_alerts_active', { kind: 'VPP_LICENSES_LOW' })[0].value).toBeGreaterThanOrEqual(1);
  expect(find(samples, 'depgate_alerts_active', { kind: 'DEP_TERMS_NOT_ACCEPTED' })[0].value).toBe(0);
  // Every kind has a series (0 while none is active), the later features' kinds too.
  const alertKinds = new Set(find(samples, 'depgate_alerts_active', {}).map((s) => s.labels.kind));
  expect([...alertKinds].sort()).toEqual(Object.values(AlertKind).sort());

  const [{ n: failed }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM sync_runs WHERE status = 'FAILED' AND kind = 'DELTA'`);
  expect(find(samples, 'depgate_sync_runs', { kind: 'DELTA', outcome: 'FAILED' })[0].value).toBe(failed);
  const [{ sum, max }] = await t.app.dataSource.query(
    `SELECT sum(EXTRACT(EPOCH FROM finished_at - COALESCE(started_at, queued_at)))::float AS sum,
            max(EXTRACT(EPOCH FROM finished_at - COALESCE(started_at, queued_at)))::float AS max
       FROM sync_runs WHERE status = 'FAILED' AND kind = 'DELTA'`,
  );
  expect(find(samples, 'depgate_sync_run_duration_seconds_sum', { kind: 'DELTA', outcome: 'FAILED' })[0].value).toBeCloseTo(sum, 3);
  expect(find(samples, 'depgate_sync_run_duration_seconds_max', { kind: 'DELTA', outcome: 'FAILED' })[0].value).toBeCloseTo(max, 3);
  expect(find(samples, 'depgate_sync_run_last_duration_seconds', { token_id: depId }).length).toBe(1);

  // Never a secret: not the VPP sToken, not the DEP OAuth values.
  expect(text).not.toContain(vpp.location.tokenFile);
  const [row] = await t.app.dataSource.query(`SELECT credentials_sealed FROM dep_tokens WHERE id = $1`, [depId]);
  const credentials = JSON.parse(new SecretBox(t.secretKey).open(row.credentials_sealed, credentialsContext(depId)));
  for (const value of [credentials.consumerSecret, credentials.accessToken, credentials.accessSecret]) expect(text).not.toContain(value);
  expect(text).not.toContain(t.adminKey);

  // Deleted tokens disappear from the gauges; the others stay, still 20 days (on the test clock) from expiry.
  await t.app.dataSource.query(`DELETE FROM vpp_tokens WHERE id = $1`, [vppId]);
  const afterDelete = (await scrape()).samples;
  expect(find(afterDelete, 'depgate_vpp_token_expiry_timestamp_seconds', { vpp_token_id: vppId })).toEqual([]);
  const [stillThere] = find(afterDelete, 'depgate_dep_token_expiry_timestamp_seconds', { token_id: depId });
  expect(stillThere.value).toBe(Math.floor((t.clock.now().getTime() + 20 * DAY_MS) / 1000));
});

it('counts GraphQL operations by name, type, outcome and transport, with durations', async () => {
  const before = (await scrape()).samples;
  const count = (samples: ReturnType<typeof parsePrometheus>['samples'], labels: Record<string, string>) =>
    find(samples, 'depgate_graphql_operations_total', labels).reduce((n, s) => n + s.value, 0);

  await t.ok(`query MetricsProbe { viewer { role } }`);
  await t.ok(`query MetricsProbe { viewer { role } }`);
  await t.gql(`mutation MetricsFailing { deleteVppToken(input: {vppTokenId: "nonsense"}) { deletedVppTokenId } }`);
  await t.gql(`{ viewer { role } }`);
  const ws = await wsRequest(t.ws(), `query MetricsOverWs { viewer { role } }`);
  expect(ws.errors).toBeUndefined();

  const after = (await scrape()).samples;
  const delta = (labels: Record<string, string>) => count(after, labels) - count(before, labels);
  expect(delta({ operation_name: 'MetricsProbe', operation_type: 'query', outcome: 'success', transport: 'http' })).toBe(2);
  expect(delta({ operation_name: 'MetricsFailing', operation_type: 'mutation', outcome: 'error', transport: 'http' })).toBe(1);
  expect(delta({ operation_name: '(anonymous)', operation_type: 'query', transport: 'http' })).toBeGreaterThanOrEqual(1);
  expect(delta({ operation_name: 'MetricsOverWs', operation_type: 'query', outcome: 'success', transport: 'ws' })).toBe(1);

  const histogram = find(after, 'depgate_graphql_operation_duration_seconds_count', { operation_name: 'MetricsProbe', transport: 'http' });
  expect(histogram.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(2);
  expect(find(after, 'depgate_graphql_operation_duration_seconds_bucket', { operation_name: 'MetricsProbe', le: '+Inf' }).length).toBe(1);
});

it('caps client-chosen operation names', async () => {
  await t.gql(`query ${'x'.repeat(80)} { viewer { role } }`);
  const { samples } = await scrape();
  expect(find(samples, 'depgate_graphql_operations_total').some((s) => s.labels.operation_name === '(invalid)')).toBe(true);
  expect(find(samples, 'depgate_graphql_operations_total').some((s) => s.labels.operation_name.length > 64)).toBe(false);
});
