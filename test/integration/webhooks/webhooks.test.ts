/**
 * Webhooks against real HTTP receivers, with the sync engine and the simulator: signed requests
 * that verify, device events batched per sync page with global ids and changed fields, retries
 * after 500s with backoff, a receiver down for a while that gets everything once back (in order),
 * a token refused for unsigned terms and its recovery (alert and token status events, in order),
 * scope tags, disabling after repeated failures (with an alert) and resuming on re-enable, and
 * the deployment's limit of 50 webhooks.
 * Backoff is shortened through WEBHOOK_RETRY_BASE_MS / _MAX_MS; delivery runs on pg-boss.
 */
import { parseGlobalId } from '../../../src/graphql/global-id';
import { SecretBox } from '../../../src/crypto/secret-box';
import { webhookSecretContext } from '../../../src/webhooks/webhook.secret';
import { verifyWebhookSignature } from '../../../src/webhooks/webhook-signature';
import { pruneDelivered } from '../../../src/webhooks/webhook.jobs';
import { DAY_MS } from '../../../src/clock';
import { WebhookReceiver } from '../../support/webhook-receiver';
import { startTestApp, type TestApp } from '../../support/test-app';
import { allowImmediateSync, requestSync, until, uploadToken, waitForIdle, waitForRun, type SyncedToken } from '../sync/sync-support';

const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events scopeTagIds enabled } } }`;
const UPDATE = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { id enabled disabledAt consecutiveFailures } } }`;
const DELIVERIES = `query ($id: ID!, $status: WebhookDeliveryStatus) { webhookDeliveries(webhookId: $id, status: $status, first: 100) {
  edges { node { id event status attempts lastResponseCode lastError payload } } } }`;
const ALL_EVENTS = ['DEVICES_ADDED', 'DEVICES_MODIFIED', 'DEVICES_DELETED', 'DEVICES_ASSIGNED', 'SYNC_RUN_FINISHED', 'ALERT_RAISED', 'ALERT_RESOLVED', 'TOKEN_STATUS_CHANGED'];
const SECRET = 'test-secret-0123456789';

let t: TestApp;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  t = await startTestApp({
    simulator: true,
    sync: true,
    env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_DISABLE_AFTER_FAILURES: '20' },
  });
  await receiver.start();
});
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

const deliveries = async (webhookId: string, status?: string) =>
  (await t.ok(DELIVERIES, { id: webhookId, status })).webhookDeliveries.edges.map((e: any) => e.node);
const tag = async (name: string) => (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name })).createScopeTag.scopeTag.id;
const createWebhook = async (input: Record<string, unknown>, key?: string) => (await t.ok(CREATE, { input: { secret: SECRET, ...input } }, key)).createWebhook;
async function syncAgain(token: SyncedToken): Promise<string> {
  await waitForIdle(t, token.rowId);
  await allowImmediateSync(t, token.rowId);
  const runId = await requestSync(t, token);
  await waitForRun(t, runId);
  return runId;
}
const forToken = (token: SyncedToken, event?: string) => receiver.accepted(event).filter((r) => r.json.tokenId === token.id);

describe('management', () => {
  it('shows the secret once, stores it sealed, and refuses bad input and non-admins, storing nothing', async () => {
    const created = await t.ok(CREATE, { input: { url: receiver.url, events: ['SYNC_RUN_FINISHED'] } });
    const { secret, webhook } = created.createWebhook;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await t.ok(`{ webhooks { edges { node { id url events enabled } } } }`);
    expect(JSON.stringify(listed)).not.toContain(secret);
    const [row] = await t.app.dataSource.query(`SELECT secret_sealed FROM webhooks WHERE id = $1`, [parseGlobalId(webhook.id)!.id]);
    expect(row.secret_sealed).not.toContain(secret);
    expect(new SecretBox(t.secretKey).open(row.secret_sealed, webhookSecretContext(parseGlobalId(webhook.id)!.id))).toBe(secret);

    const before = (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`))[0].n;
    const refuse = async (input: Record<string, unknown>, key?: string) => (await t.gql(CREATE, { input: { url: receiver.url, events: ['SYNC_RUN_FINISHED'], ...input } }, key)).errors?.[0].extensions;
    expect(await refuse({ events: [] })).toMatchObject({ code: 'WEBHOOK_EVENTS_REQUIRED', field: 'events' });
    expect(await refuse({ secret: 'short' })).toMatchObject({ code: 'WEBHOOK_SECRET_INVALID', field: 'secret' });
    expect(await refuse({ url: 'ftp://example.com/x' })).toMatchObject({ code: 'WEBHOOK_URL_INVALID', field: 'url' });
    expect(await refuse({ url: 'https://user:pw@example.com/x' })).toMatchObject({ code: 'WEBHOOK_URL_INVALID', field: 'url' });
    expect(await refuse({ url: `https://example.com/${'x'.repeat(2000)}` })).toMatchObject({ code: 'WEBHOOK_URL_INVALID', field: 'url' });
    expect((await refuse({ events: ['NOPE'] }))?.code).toBe('BAD_USER_INPUT');
    expect((await refuse({}, await t.createKey('OPERATOR')))?.code).toBe('FORBIDDEN');
    expect((await t.gql(`{ webhooks { edges { node { id } } } }`, {}, await t.createKey('READER'))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`))[0].n).toBe(before);

    await t.ok(`mutation ($id: ID!) { deleteWebhook(input: {webhookId: $id}) { deletedWebhookId } }`, { id: webhook.id });
    expect((await t.gql(DELIVERIES, { id: webhook.id })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('takes at most 50 webhooks per deployment (WEBHOOK_LIMIT_REACHED), storing nothing more', async () => {
    // Filler rows (disabled, so no event goes to them) bring the deployment to the limit.
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`);
    const filler: { id: string }[] = await t.app.dataSource.query(
      `INSERT INTO webhooks (id, url, events, secret_sealed, enabled, created_at, updated_at)
       SELECT gen_random_uuid(), 'https://example.com/filler', '{SYNC_RUN_FINISHED}', 'unused', false, now(), now() FROM generate_series(1, $1::int)
       RETURNING id`,
      [50 - n],
    );
    try {
      const refused = await t.gql(CREATE, { input: { url: receiver.url, events: ['SYNC_RUN_FINISHED'], secret: SECRET } });
      expect(refused.errors?.[0].extensions?.code).toBe('WEBHOOK_LIMIT_REACHED');
      expect((await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`))[0].n).toBe(50);
    } finally {
      await t.app.dataSource.query(`DELETE FROM webhooks WHERE id = ANY($1::uuid[])`, [filler.map((f) => f.id)]);
    }
  });
});

describe('delivery', () => {
  let hook: { id: string };
  let token: SyncedToken;

  beforeAll(async () => {
    hook = (await createWebhook({ url: receiver.url, events: ALL_EVENTS })).webhook;
  });

  it('sends each sync page as one signed request per event, with global ids and changed fields', async () => {
    token = await uploadToken(t, { devices: 5, name: 'Webhook fleet' });
    await until(() => forToken(token, 'SYNC_RUN_FINISHED').length === 1, 'SYNC_RUN_FINISHED');
    const [added] = forToken(token, 'DEVICES_ADDED');
    expect(forToken(token, 'DEVICES_ADDED')).toHaveLength(1);
    expect(added.json.devices ?? added.json.data.devices).toHaveLength(5);
    const ids = added.json.data.devices.map((d: any) => parseGlobalId(d.id));
    expect(ids.every((id: any) => id?.type === 'Device')).toBe(true);
    expect(added.json.data.devices.map((d: any) => d.serialNumber).sort()).toEqual([...token.serials].sort());
    expect(added.json.data.devices[0].fields).toMatchObject({ profileStatus: 'EMPTY' });
    expect(added.json).toMatchObject({ event: 'DEVICES_ADDED', tokenId: token.id, deliveryId: expect.any(String) });

    // Every request verifies with the secret, over the exact body; a tampered body does not.
    for (const r of receiver.received) expect(verifyWebhookSignature(SECRET, r.timestamp, r.body, r.signature)).toBe(true);
    expect(verifyWebhookSignature(SECRET, added.timestamp, added.body.replace('DEVICES_ADDED', 'DEVICES_ADDEX'), added.signature)).toBe(false);
    // Unix seconds on the service's clock (the injected one here).
    expect(Number(added.timestamp)).toBe(Math.floor(t.clock.now().getTime() / 1000));

    const [first, second, third] = token.serials;
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [first, second], changes: { color: 'RED' } });
    await t.simControl('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [third] });
    const runId = await syncAgain(token);
    await until(() => forToken(token, 'SYNC_RUN_FINISHED').length === 2, 'the second SYNC_RUN_FINISHED');
    const [modified] = forToken(token, 'DEVICES_MODIFIED');
    expect(modified.json.data.devices.map((d: any) => [d.serialNumber, d.changedFields]).sort()).toEqual(
      [[first, { color: 'RED' }], [second, { color: 'RED' }]].sort(),
    );
    const [deleted] = forToken(token, 'DEVICES_DELETED');
    expect(deleted.json.data.devices).toEqual([{ id: expect.any(String), serialNumber: third }]);
    const finished = forToken(token, 'SYNC_RUN_FINISHED')[1];
    expect(finished.json.data).toMatchObject({ syncRunId: expect.any(String), status: 'SUCCEEDED', devicesModified: 2, devicesDeleted: 1 });
    expect(parseGlobalId(finished.json.data.syncRunId)!.id).toBe(runId);

    // In order per token: each run's page events before its SYNC_RUN_FINISHED.
    const order = forToken(token).map((r) => r.json.event);
    expect(order.indexOf('DEVICES_ADDED')).toBeLessThan(order.indexOf('SYNC_RUN_FINISHED'));
    expect(order.lastIndexOf('DEVICES_MODIFIED')).toBeLessThan(order.lastIndexOf('SYNC_RUN_FINISHED'));

    const log = await deliveries(hook.id);
    expect(log.filter((d: any) => JSON.parse(d.payload).tokenId === token.id).every((d: any) => d.status === 'DELIVERED' && d.attempts === 1 && d.lastResponseCode === 200)).toBe(true);
  });

  it('retries after 500s with backoff and records the attempts', async () => {
    let failures = 0;
    receiver.respond = (json) => (json.event === 'SYNC_RUN_FINISHED' && json.tokenId === token.id && failures++ < 2 ? 500 : 200);
    await syncAgain(token);
    await until(() => forToken(token, 'SYNC_RUN_FINISHED').length === 3, 'the retried SYNC_RUN_FINISHED');
    receiver.respond = () => 200;
    const retried = receiver.received.filter((r) => r.json.deliveryId === forToken(token, 'SYNC_RUN_FINISHED')[2].json.deliveryId);
    expect(retried.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(retried.map((r) => r.body)).size).toBe(1);
    const [entry] = (await deliveries(hook.id)).filter((d: any) => d.id === retried[0].json.deliveryId);
    expect(entry).toMatchObject({ status: 'DELIVERED', attempts: 3, lastResponseCode: 200, lastError: null });
  });

  it('delivers everything, in order, to a receiver that was down for a while', async () => {
    await receiver.stop();
    const [a, b] = token.serials;
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [a], changes: { color: 'BLUE' } });
    await syncAgain(token);
    await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [b], changes: { color: 'GREEN' } });
    await syncAgain(token);
    await until(async () => (await deliveries(hook.id, 'PENDING')).some((d: any) => d.attempts > 0 && d.lastError === 'ECONNREFUSED'), 'a failed attempt');
    const seen = receiver.received.length;
    await receiver.start();
    await until(async () => (await deliveries(hook.id, 'PENDING')).length === 0, 'the backlog to drain', 30_000);
    const after = receiver.received.slice(seen).filter((r) => r.json.tokenId === token.id);
    expect(after.map((r) => r.json.event)).toEqual(['DEVICES_MODIFIED', 'SYNC_RUN_FINISHED', 'DEVICES_MODIFIED', 'SYNC_RUN_FINISHED']);
    expect(after[0].json.data.devices[0]).toMatchObject({ serialNumber: a, changedFields: { color: 'BLUE' } });
    expect(after[2].json.data.devices[0]).toMatchObject({ serialNumber: b, changedFields: { color: 'GREEN' } });
  });

  it('tells of the token refused for unsigned terms and of its recovery: the alert and the token status, in order', async () => {
    // The token's events about the terms: alerts name their kind; every status change is about them here.
    const aboutTerms = (r: { json: any }) => r.json.event === 'TOKEN_STATUS_CHANGED' || r.json.data.kind === 'DEP_TERMS_NOT_ACCEPTED';
    const about = (event: string) => forToken(token, event).filter(aboutTerms);
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/terms`, { signed: false });
    await syncAgain(token);
    await until(() => about('TOKEN_STATUS_CHANGED').length === 1 && about('ALERT_RAISED').length === 1, 'ALERT_RAISED and TOKEN_STATUS_CHANGED');
    const [raised] = about('ALERT_RAISED');
    expect(raised.json.data).toMatchObject({ kind: 'DEP_TERMS_NOT_ACCEPTED', severity: 'CRITICAL', alertId: expect.any(String) });
    expect(parseGlobalId(raised.json.data.alertId)?.type).toBe('Alert');
    expect(about('TOKEN_STATUS_CHANGED')[0].json.data).toEqual({ status: 'TERMS_NOT_ACCEPTED', previousStatus: 'ACTIVE' });

    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/terms`, { signed: true });
    await syncAgain(token);
    await until(() => about('TOKEN_STATUS_CHANGED').length === 2 && about('ALERT_RESOLVED').length === 1, 'ALERT_RESOLVED and TOKEN_STATUS_CHANGED');
    expect(about('ALERT_RESOLVED')[0].json.data).toEqual({ alertId: raised.json.data.alertId, kind: 'DEP_TERMS_NOT_ACCEPTED', resolution: 'CLEARED' });
    expect(about('TOKEN_STATUS_CHANGED')[1].json.data).toEqual({ status: 'ACTIVE', previousStatus: 'TERMS_NOT_ACCEPTED' });

    // In the order they happened, on the token's one ordering key.
    const order = forToken(token)
      .filter((r) => ['ALERT_RAISED', 'ALERT_RESOLVED', 'TOKEN_STATUS_CHANGED'].includes(r.json.event) && aboutTerms(r))
      .map((r) => r.json.event);
    expect(order).toEqual(['ALERT_RAISED', 'TOKEN_STATUS_CHANGED', 'ALERT_RESOLVED', 'TOKEN_STATUS_CHANGED']);
  });
});

describe('scope tags', () => {
  it('tells a scoped webhook only of tokens carrying its tags; scoped admins manage only their webhooks', async () => {
    const [tagA, tagB] = [await tag('hooks-A'), await tag('hooks-B')];
    const scoped = new WebhookReceiver();
    await scoped.start();
    try {
      const adminA = await t.createKey('ADMIN', [tagA]);
      // A scoped admin's webhook defaults to its own tags; it cannot name others.
      const hookA = (await createWebhook({ url: scoped.url, events: ['SYNC_RUN_FINISHED', 'DEVICES_ADDED'] }, adminA)).webhook;
      expect(hookA.scopeTagIds).toEqual([tagA]);
      const refused = await t.gql(CREATE, { input: { url: scoped.url, events: ['DEVICES_ADDED'], scopeTagIds: [tagB] } }, adminA);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'scopeTagIds' });
      const visible = (await t.ok(`{ webhooks { edges { node { id } } } }`, {}, adminA)).webhooks.edges.map((e: any) => e.node.id);
      expect(visible).toEqual([hookA.id]);

      const tokenB = await uploadToken(t, { devices: 2, scopeTagIds: [tagB], name: 'B' });
      const tokenA = await uploadToken(t, { devices: 2, scopeTagIds: [tagA], name: 'A' });
      await until(() => scoped.accepted('SYNC_RUN_FINISHED').length === 1, 'token A’s sync on the scoped webhook');
      await until(() => forToken(tokenB, 'SYNC_RUN_FINISHED').length === 1, 'token B’s sync on the unscoped webhook');
      expect(scoped.received.every((r) => r.json.tokenId === tokenA.id)).toBe(true);
      expect(scoped.accepted('DEVICES_ADDED')).toHaveLength(1);
    } finally {
      await scoped.stop();
    }
  });
});

describe('repeated failures', () => {
  it('disables the webhook with an alert, keeps its deliveries, and sends them once enabled again', async () => {
    const failing = new WebhookReceiver();
    failing.respond = () => 500;
    await failing.start();
    try {
      const hook = (await createWebhook({ url: failing.url, events: ['SYNC_RUN_FINISHED'] })).webhook;
      const token = await uploadToken(t, { devices: 1, name: 'Disabled hook' });
      await until(async () => {
        const w = (await t.ok(`query ($id: ID!) { node(id: $id) { ... on Webhook { enabled consecutiveFailures disabledReason } } }`, { id: hook.id })).node;
        return w.enabled === false ? w : undefined;
      }, 'the webhook to be disabled', 30_000);
      expect(failing.received.length).toBe(20);
      // The alert is raised right after the webhook is disabled (its own transaction): wait for it.
      const disabledAlerts = await until(async () => {
        const all = (await t.ok(`{ alerts { edges { node { kind severity active webhook { id } } } } }`)).alerts.edges.map((e: any) => e.node);
        const found = all.filter((a: any) => a.kind === 'WEBHOOK_DISABLED');
        return found.length > 0 ? found : undefined;
      }, 'the WEBHOOK_DISABLED alert');
      expect(disabledAlerts).toEqual([{ kind: 'WEBHOOK_DISABLED', severity: 'WARNING', active: true, webhook: { id: hook.id } }]);
      // The unscoped webhook subscribed to ALERT_RAISED heard of it.
      await until(() => receiver.accepted('ALERT_RAISED').some((r) => r.json.data.kind === 'WEBHOOK_DISABLED'), 'ALERT_RAISED');
      // No attempt while disabled.
      const attempts = failing.received.length;
      await syncAgain(token);
      expect(failing.received.length).toBe(attempts);

      failing.respond = () => 204;
      const enabled = (await t.ok(UPDATE, { input: { webhookId: hook.id, enabled: true } })).updateWebhook.webhook;
      expect(enabled).toMatchObject({ enabled: true, disabledAt: null, consecutiveFailures: 0 });
      await until(async () => (await deliveries(hook.id, 'PENDING')).length === 0, 'the kept delivery to go out');
      expect(failing.accepted('SYNC_RUN_FINISHED').filter((r) => r.json.tokenId === token.id)).toHaveLength(1);
      const active = (await t.ok(`{ alerts { edges { node { kind } } } }`)).alerts.edges.map((e: any) => e.node.kind);
      expect(active).not.toContain('WEBHOOK_DISABLED');
    } finally {
      await failing.stop();
    }
  });
});

describe('the delivery log', () => {
  it('keeps delivered entries 30 days (the daily prune), pending ones until they go out', async () => {
    // Earlier tests' last deliveries to enabled webhooks go out first, so the counts below hold still.
    await until(async () => {
      const [{ n }] = await t.app.dataSource.query(
        `SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'PENDING' AND w.enabled`,
      );
      return n === 0;
    }, 'no delivery in flight');
    const [{ n: delivered }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'DELIVERED'`);
    expect(delivered).toBeGreaterThan(0);
    expect(await pruneDelivered(t.app.dataSource, new Date(t.clock.now().getTime() + 29 * DAY_MS))).toEqual({ deleted: 0 });
    expect(await pruneDelivered(t.app.dataSource, new Date(t.clock.now().getTime() + 31 * DAY_MS))).toEqual({ deleted: delivered });
    const [{ n: left }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'DELIVERED'`);
    expect(left).toBe(0);
  });
});
