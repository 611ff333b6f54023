/**
 * Alerts about Apple School and Business API accounts, against the simulator over HTTP with the
 * real job runner: Apple refusing an account (a revoked key, a disabled account, withdrawn rights)
 * is noticed by the background calls (the inventory mirror job, activity polls) and alerted; the
 * alert resolves once Apple answers again (a new key, the account re-enabled); the client assertion
 * is renewed by the scheduled pass even for idle accounts, and alerts on its expiry thresholds only
 * when that renewal keeps failing; scoped keys see an account's alerts only through its tags.
 */
import { ASSERTION_RENEWAL_CRON, ASSERTION_RENEWAL_QUEUE, INVENTORY_QUEUE } from '../../../src/apple-business/apple-business.jobs';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { makeVendorIdentity } from '../../support/sim-support';
import { startTestApp, type TestApp } from '../../support/test-app';
import { WebhookReceiver } from '../../support/webhook-receiver';

interface Issued {
  clientId: string;
  keyId: string;
  privateKeyPkcs8Pem: string;
  privateKeySec1Pem: string;
}

const ACCOUNT = 'id name status refusedAt refusedReason keyId assertionExpiresAt assertionRenewalError inventorySyncError';
const ALERTS = `query ($f: AlertFilter) { alerts(filter: $f, first: 50) { totalCount edges { node {
  id kind severity threshold subjectName message active resolution subject { __typename } appleBusinessAccount { id name status } } } } }`;
const UPDATE = `mutation ($input: UpdateAppleBusinessAccountInput!) { updateAppleBusinessAccount(input: $input) { appleBusinessAccount { ${ACCOUNT} } } }`;
const ASSERTION_KINDS = ['APPLE_BUSINESS_ASSERTION_EXPIRING', 'APPLE_BUSINESS_ASSERTION_EXPIRED'];

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

describe('Apple Business API account alerts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ simulator: true, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  });
  afterAll(() => t.close());

  const issue = () => t.simControl<Issued>('POST', '/_sim/business/clients', {});
  const rowId = (id: string) => parseGlobalId(id)!.id;

  async function connect(name: string, scopeTagIds?: string[]): Promise<{ id: string; issued: Issued }> {
    const issued = await issue();
    const data = await t.ok(
      `mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id } } }`,
      { input: { name, clientId: issued.clientId, keyId: issued.keyId, privateKeyPem: issued.privateKeySec1Pem, scope: 'BUSINESS', scopeTagIds } },
    );
    const id = data.connectAppleBusinessAccount.appleBusinessAccount.id;
    // The first mirror runs as a job right after the connect: let it finish so it races nothing below.
    await waitFor('the first inventory mirror', () => account(id), (a) => a.inventorySyncedAt !== null || a.inventorySyncError !== null);
    return { id, issued };
  }

  const account = async (id: string, key?: string) =>
    (await t.ok(`query ($id: ID!) { node(id: $id) { ... on AppleBusinessAccount { ${ACCOUNT} inventorySyncedAt } } }`, { id }, key)).node;
  const alertsOf = async (subjectId: string, filter: Record<string, unknown> = {}, key?: string) =>
    (await t.ok(ALERTS, { f: { subjectId, ...filter } }, key)).alerts.edges.map((e: any) => e.node) as any[];
  const brief = (alerts: any[]) => alerts.map((a) => `${a.kind}:${a.threshold ?? '-'}:${a.severity}`).sort();
  /** The mirror as the background runs it: the job, queued like the hourly pass or syncAppleBusinessInventory. */
  const mirrorJob = (id: string) => t.app.services.jobs.send(INVENTORY_QUEUE, { accountId: rowId(id) }, { singletonKey: rowId(id) });

  it('a revoked key: the next inventory mirror job marks the account refused and raises the alert; a new key resolves it', async () => {
    const { id, issued } = await connect('Acme ABM');
    expect(await alertsOf(id)).toEqual([]);

    // "Generate Private Key" again in the portal: the key depgate holds is revoked.
    const fresh = await t.simControl<Issued>('POST', `/_sim/business/clients/${issued.clientId}/keys`, {});
    await mirrorJob(id);
    // The refusal is recorded inside the failing call, the mirror's error only once it gives up: wait for both.
    const refused = await waitFor('the refusal', () => account(id), (a) => a.status === 'REFUSED' && a.inventorySyncError !== null);
    expect(refused).toMatchObject({ refusedReason: 'invalid_client', keyId: issued.keyId });
    expect(refused.inventorySyncError).toMatch(/invalid_client/);

    const [alert] = await waitFor('the alert', () => alertsOf(id), (a) => a.length > 0);
    expect(alert).toMatchObject({
      kind: 'APPLE_BUSINESS_ACCOUNT_REFUSED',
      severity: 'CRITICAL',
      threshold: null,
      subjectName: 'Acme ABM',
      active: true,
      subject: null,
      appleBusinessAccount: { id, name: 'Acme ABM', status: 'REFUSED' },
    });
    expect(alert.message).toMatch(/Apple refuses the Apple Business API account "Acme ABM" \(invalid_client since \d{4}-\d\d-\d\d\)/);
    expect(alert.message).toMatch(/updateAppleBusinessAccount \(keyId and privateKeyPem\)/);
    // Listed with every other alert, and once only however often Apple refuses again.
    await t.app.services.appleBusinessInventory.mirror(rowId(id)).catch(() => undefined);
    await t.app.services.alerts.evaluateAll();
    const all = (await t.ok(ALERTS, { f: { kinds: ['APPLE_BUSINESS_ACCOUNT_REFUSED'] } })).alerts.edges.map((e: any) => e.node.id);
    expect(all.filter((x: string) => x === alert.id)).toHaveLength(1);
    expect(await alertsOf(id)).toHaveLength(1);

    // The old key again: proved with Apple first, refused, nothing changes.
    const stale = await t.gql(UPDATE, { input: { accountId: id, keyId: issued.keyId, privateKeyPem: issued.privateKeyPkcs8Pem } });
    expect(stale.errors?.[0].extensions?.code).toBe('APPLE_BUSINESS_CLIENT_REFUSED');
    expect(await account(id)).toMatchObject({ status: 'REFUSED', keyId: issued.keyId });
    const half = await t.gql(UPDATE, { input: { accountId: id, keyId: fresh.keyId } });
    expect(half.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'privateKeyPem' });

    // The new key: Apple accepts it, the account works again and the alert is resolved at once.
    const updated = (await t.ok(UPDATE, { input: { accountId: id, keyId: fresh.keyId, privateKeyPem: fresh.privateKeySec1Pem } })).updateAppleBusinessAccount.appleBusinessAccount;
    expect(updated).toMatchObject({ status: 'ACTIVE', refusedAt: null, refusedReason: null, keyId: fresh.keyId });
    expect(await alertsOf(id)).toEqual([]);
    expect(await alertsOf(id, { status: 'ALL' })).toEqual([expect.objectContaining({ id: alert.id, active: false, resolution: 'CLEARED' })]);
    await t.app.services.appleBusinessInventory.mirror(rowId(id));
    expect(await account(id)).toMatchObject({ status: 'ACTIVE', inventorySyncError: null });
    // The secret never comes back, and is sealed at rest.
    const [row] = await t.app.dataSource.query(`SELECT private_key_sealed FROM apple_business_accounts WHERE id = $1`, [rowId(id)]);
    expect(row.private_key_sealed).not.toContain('PRIVATE KEY');
  });

  it('a disabled account: the activity poll job marks it refused; enabled again, the next poll resolves the alert', async () => {
    const vendor = makeVendorIdentity();
    await t.simControl('POST', '/_sim/servers', { certificatePem: vendor.certificatePem, serverName: 'Poll fleet' });
    const [serial] = (await t.simControl('POST', '/_sim/business/devices', { count: 1, serialPrefix: 'R' })).serialNumbers;
    const { id, issued } = await connect('Polled');
    const servers = (await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id name } }`, { a: id })).mdmServers;
    const serverId = servers.find((s: any) => s.name === 'Poll fleet').id;
    // Long enough at Apple that the activity is still running at every poll below.
    await t.simControl('POST', '/_sim/business/activity-delay', { ms: 3_600_000 });
    try {
      const created = await t.ok(
        `mutation ($input: AssignDevicesToMdmServerInput!) { assignDevicesToMdmServer(input: $input) { orgDeviceActivity { id } } }`,
        { input: { mdmServerId: serverId, serialNumbers: [serial] } },
      );
      const activityId = rowId(created.assignDevicesToMdmServer.orgDeviceActivity.id);
      await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/disable`, {});
      await t.simControl('POST', '/_sim/business/access-tokens/expire', {});

      // The first poll job (a few seconds after creation) meets the refusal.
      await waitFor('the refusal from the poll job', () => account(id), (a) => a.status === 'REFUSED');
      expect(brief(await waitFor('the alert', () => alertsOf(id), (a) => a.length > 0))).toEqual(['APPLE_BUSINESS_ACCOUNT_REFUSED:-:CRITICAL']);
      const [{ error }] = await t.app.dataSource.query(`SELECT error FROM org_device_activities WHERE id = $1`, [activityId]);
      expect(error).toMatch(/invalid_client/);

      await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/disable`, { disabled: false });
      await t.app.services.appleBusinessActivities.poll(activityId);
      expect(await account(id)).toMatchObject({ status: 'ACTIVE', refusedAt: null });
      expect(await alertsOf(id)).toEqual([]);
      expect((await alertsOf(id, { status: 'ALL' }))[0]).toMatchObject({ kind: 'APPLE_BUSINESS_ACCOUNT_REFUSED', resolution: 'CLEARED' });
    } finally {
      await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
    }
  });

  it('withdrawn rights: a 403 to a read, even with a new access token, is a refusal; a 403 to a write is not', async () => {
    const { id, issued } = await connect('Forbidden');
    await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/forbid`, {});
    await expect(t.app.services.appleBusinessInventory.mirror(rowId(id))).rejects.toMatchObject({ code: 'APPLE_BUSINESS_SCOPE_MISMATCH' });
    expect(await account(id)).toMatchObject({ status: 'REFUSED', refusedReason: 'HTTP 403 to GET /v1/mdmServers with a new access token' });
    expect(brief(await alertsOf(id))).toEqual(['APPLE_BUSINESS_ACCOUNT_REFUSED:-:CRITICAL']);

    await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/forbid`, { forbidden: false });
    await t.app.services.appleBusinessInventory.mirror(rowId(id));
    expect(await account(id)).toMatchObject({ status: 'ACTIVE' });
    expect(await alertsOf(id)).toEqual([]);

    // A write Apple forbids (here: rights withdrawn again, then a PATCH) says nothing about the account by itself.
    const servers = (await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id } }`, { a: id })).mdmServers;
    await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/forbid`, {});
    const patch = await t.gql(`mutation ($input: SetDefaultMdmServerInput!) { setDefaultMdmServer(input: $input) { mdmServer { id } } }`, {
      input: { mdmServerId: servers[0].id, productFamilies: ['WATCH'] },
    });
    expect(patch.errors?.[0].extensions?.code).toBe('APPLE_BUSINESS_SCOPE_MISMATCH');
    expect(await account(id)).toMatchObject({ status: 'ACTIVE' });
    await t.simControl('POST', `/_sim/business/clients/${issued.clientId}/forbid`, { forbidden: false });
  });

  it("keys with scope tags see an account's alerts only through its tags (lists, node, subscriptions); disconnecting removes them", async () => {
    const north = (await t.ok(`mutation { createScopeTag(input: {name: "alerts-north"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const south = (await t.ok(`mutation { createScopeTag(input: {name: "alerts-south"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const a = await connect('North org', [north]);
    const b = await connect('South org', [south]);
    const northReader = await t.createKey('READER', [north]);
    const southReader = await t.createKey('READER', [south]);

    const SUBSCRIBE = `subscription { alertRaised(kinds: [APPLE_BUSINESS_ACCOUNT_REFUSED]) { id subjectName appleBusinessAccount { id } } }`;
    const firstEvent = (key: string) =>
      new Promise<any>((resolve, reject) => {
        const client = t.ws(key);
        const stop = client.subscribe(
          { query: SUBSCRIBE },
          {
            next: (value) => {
              resolve(value);
              stop();
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
    const northHears = firstEvent(northReader);
    const southHears = firstEvent(southReader);
    // A webhook of north's admin hears of north's account only, with the account's id.
    const receiver = await new WebhookReceiver().start();
    await t.ok(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
      input: { url: receiver.url, events: ['ALERT_RAISED'], secret: 'test-secret-0123456789' },
    }, await t.createKey('ADMIN', [north]));
    await new Promise((r) => setTimeout(r, 500));

    // North's account is refused first, then south's: each key's first event is about its own account.
    await t.simControl('POST', `/_sim/business/clients/${a.issued.clientId}/disable`, {});
    await t.simControl('POST', '/_sim/business/access-tokens/expire', {});
    await t.app.services.appleBusinessInventory.mirror(rowId(a.id)).catch(() => undefined);
    expect((await northHears).data.alertRaised).toMatchObject({ subjectName: 'North org', appleBusinessAccount: { id: a.id } });
    await t.simControl('POST', `/_sim/business/clients/${b.issued.clientId}/disable`, {});
    await t.app.services.appleBusinessInventory.mirror(rowId(b.id)).catch(() => undefined);
    expect((await southHears).data.alertRaised).toMatchObject({ subjectName: 'South org', appleBusinessAccount: { id: b.id } });
    const hooked = await waitFor('the webhook', async () => receiver.accepted('ALERT_RAISED'), (r) => r.length > 0);
    await receiver.stop();
    expect(hooked.map((r) => [r.json.appleBusinessAccountId, r.json.data.kind])).toEqual([[a.id, 'APPLE_BUSINESS_ACCOUNT_REFUSED']]);

    const [northAlert] = await alertsOf(a.id);
    const listed = async (key: string) =>
      (await t.ok(ALERTS, { f: { kinds: ['APPLE_BUSINESS_ACCOUNT_REFUSED'] } }, key)).alerts.edges.map((e: any) => e.node.subjectName).sort();
    expect(await listed(northReader)).toEqual(['North org']);
    expect(await listed(southReader)).toEqual(['South org']);
    expect(await alertsOf(a.id, {}, southReader)).toEqual([]);
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: northAlert.id }, southReader)).node).toBeNull();
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: northAlert.id }, northReader)).node).toEqual({ id: northAlert.id });
    const acked = await t.gql(`mutation ($id: ID!) { acknowledgeAlert(input: {alertId: $id}) { alert { id } } }`, { id: northAlert.id }, await t.createKey('OPERATOR', [south]));
    expect(acked.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const wrong = await t.gql(ALERTS, { f: { subjectId: 'U2NvcGVUYWc6MQ==' } });
    expect(wrong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    // The audit trail's record of the raise carries the account's tags: its scoped admins read it.
    const AUDIT = `query ($id: ID!) { auditEvents(filter: {operation: "raiseAlert", targetId: $id}) { edges { node { operation targetIds } } } }`;
    const audited = async (key: string) => (await t.ok(AUDIT, { id: a.id }, key)).auditEvents.edges.map((e: any) => e.node);
    expect(await audited(await t.createKey('ADMIN', [north]))).toEqual([{ operation: 'raiseAlert', targetIds: expect.arrayContaining([northAlert.id, a.id]) }]);
    expect(await audited(await t.createKey('ADMIN', [south]))).toEqual([]);

    // Disconnecting forgets the account's alerts (active and resolved) with it.
    await t.ok(`mutation ($input: DisconnectAppleBusinessAccountInput!) { disconnectAppleBusinessAccount(input: $input) { deletedAppleBusinessAccountId } }`, {
      input: { accountId: a.id },
    });
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM alerts WHERE subject_id = $1`, [rowId(a.id)]);
    expect(n).toBe(0);
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: northAlert.id })).node).toBeNull();
    expect(await listed(northReader)).toEqual([]);
    await t.ok(`mutation ($input: DisconnectAppleBusinessAccountInput!) { disconnectAppleBusinessAccount(input: $input) { deletedAppleBusinessAccountId } }`, {
      input: { accountId: b.id },
    });
  });

  // Last: it moves the shared clock on by months.
  it('renews idle assertions on the schedule; alerts on the thresholds only while renewal fails, and a renewal clears it', async () => {
    const schedules: { name: string; cron: string }[] = await t.app.dataSource.query(`SELECT name, cron FROM pgboss.schedule WHERE name = $1`, [ASSERTION_RENEWAL_QUEUE]);
    expect(schedules).toEqual([{ name: ASSERTION_RENEWAL_QUEUE, cron: ASSERTION_RENEWAL_CRON }]);
    // Earlier tests' accounts are gone or fixed: only the two below are renewed from here on.
    for (const a of await t.app.services.appleBusinessAccounts.all()) await t.app.dataSource.query(`DELETE FROM apple_business_accounts WHERE id = $1`, [a.id]);

    const idle = await connect('Idle org');
    const broken = await connect('Broken key org');
    const expiresAt = async (id: string) => new Date((await account(id)).assertionExpiresAt).getTime();
    const first = await expiresAt(idle.id);
    expect(await expiresAt(broken.id)).toBe(first);
    const left = (ms: number) => t.clock.set(new Date(first - ms));
    const pass = async () => {
      await t.app.services.appleBusinessAccounts.renewAssertions();
      await t.app.services.alerts.evaluateAll();
    };

    // Into the renewal window but not past its grace (the hourly pass has not come round): no alert yet.
    left(30 * DAY_MS - HOUR_MS);
    await t.app.services.alerts.evaluateAll();
    expect(await alertsOf(idle.id, { kinds: ASSERTION_KINDS })).toEqual([]);

    // The broken account's key is refused; the renewal job renews the idle one (no call of its own was made).
    await t.simControl('POST', `/_sim/business/clients/${broken.issued.clientId}/disable`, {});
    await t.app.services.jobs.send(ASSERTION_RENEWAL_QUEUE, {});
    const renewed = await waitFor('the renewal job', () => expiresAt(idle.id), (at) => at > first);
    expect(renewed - t.clock.now().getTime()).toBeGreaterThan(179 * DAY_MS);
    // Spec §1: an assertion may not exceed 180 days.
    expect(renewed - t.clock.now().getTime()).toBeLessThanOrEqual(180 * DAY_MS);
    expect(await waitFor('the failed renewal', () => account(broken.id), (a) => a.assertionRenewalError !== null)).toMatchObject({
      status: 'REFUSED',
      assertionRenewalError: expect.stringMatching(/invalid_client/),
    });
    expect(await expiresAt(broken.id)).toBe(first);
    // Nor does a renewal on use: a call of the account signs a new assertion, which Apple refuses.
    await t.app.services.appleBusinessInventory.mirror(rowId(broken.id)).catch(() => undefined);
    expect(await expiresAt(broken.id)).toBe(first);

    const steps: [number, string][] = [
      [29 * DAY_MS, 'APPLE_BUSINESS_ASSERTION_EXPIRING:30:INFO'],
      [13 * DAY_MS, 'APPLE_BUSINESS_ASSERTION_EXPIRING:14:WARNING'],
      [6 * DAY_MS, 'APPLE_BUSINESS_ASSERTION_EXPIRING:7:WARNING'],
      [12 * HOUR_MS, 'APPLE_BUSINESS_ASSERTION_EXPIRING:1:CRITICAL'],
      [-HOUR_MS, 'APPLE_BUSINESS_ASSERTION_EXPIRED:-:CRITICAL'],
    ];
    for (const [remaining, expected] of steps) {
      left(remaining);
      await pass();
      await pass(); // a second pass raises nothing new
      expect(brief(await alertsOf(broken.id, { kinds: ASSERTION_KINDS }))).toEqual([expected]);
      expect(await alertsOf(idle.id)).toEqual([]);
    }
    const [expired] = await alertsOf(broken.id, { kinds: ASSERTION_KINDS });
    expect(expired.message).toMatch(/client assertion for the Apple Business API account "Broken key org" expired on .* \(last attempt: .*invalid_client/);
    expect(brief(await alertsOf(broken.id, { kinds: ['APPLE_BUSINESS_ACCOUNT_REFUSED'] }))).toEqual(['APPLE_BUSINESS_ACCOUNT_REFUSED:-:CRITICAL']);

    // Apple accepts the account again: the next pass renews its assertion, and every alert is resolved.
    await t.simControl('POST', `/_sim/business/clients/${broken.issued.clientId}/disable`, { disabled: false });
    await t.app.services.appleBusinessAccounts.renewAssertions();
    expect(await account(broken.id)).toMatchObject({ status: 'ACTIVE', assertionRenewalError: null });
    expect((await expiresAt(broken.id)) - t.clock.now().getTime()).toBeGreaterThan(179 * DAY_MS);
    expect(await alertsOf(broken.id)).toEqual([]);
    const history = await alertsOf(broken.id, { kinds: ASSERTION_KINDS, status: 'ALL' });
    expect(history.map((a) => a.resolution)).toEqual(['SUPERSEDED', 'SUPERSEDED', 'SUPERSEDED', 'SUPERSEDED', 'CLEARED']);
    // The renewed assertion works: a call with a new access token uses it.
    await t.simControl('POST', '/_sim/business/access-tokens/expire', {});
    await t.app.services.appleBusinessInventory.mirror(rowId(broken.id));
  });
});
