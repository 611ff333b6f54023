/**
 * The "Done when": the Apple half of the seed automated end to end, over real HTTP against
 * the simulator, with the real job runner and sync engine. Connect an account; create an MDM server
 * at Apple with a key pair; upload its token; assign 2,500 devices by order number; the activity
 * completes; the next sync brings exactly those devices; set a migration deadline for some;
 * unassign a few; release one with confirmation; the inventory and the DEP devices agree serial
 * by serial.
 */
import { DAY_MS } from '../../src/clock';
import { startTestApp, type TestApp } from '../support/test-app';

const ORDER = 'PO-2026-2500';

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

describe('Apple Business API: the seed automated end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ simulator: true, sync: true });
    await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
  });
  afterAll(() => t.close());

  /** Every page of a connection (500 at a time). */
  async function all<T>(query: string, field: string, variables: Record<string, unknown>): Promise<T[]> {
    const out: T[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await t.ok(query, { ...variables, after });
      const connection = data[field];
      out.push(...connection.edges.map((e: any) => e.node));
      if (!connection.pageInfo.hasNextPage) return out;
      after = connection.pageInfo.endCursor;
    }
  }
  const ORG_DEVICES = `query ($accountId: ID!, $filter: OrgDeviceFilter, $after: String) {
    orgDevices(accountId: $accountId, filter: $filter, first: 500, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { serialNumber status orderNumber mdmMigrationDeadline assignedServer { id } } } } }`;
  const DEP_DEVICES = `query ($tokenId: ID!, $after: String) {
    devices(filter: {tokenId: $tokenId}, first: 500, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { serialNumber orgDevice { serialNumber status assignedServer { id } } } } } }`;
  const ACTIVITY = `query ($id: ID!) { node(id: $id) { ... on OrgDeviceActivity { status subStatus deviceCount completedAt outcomes { serialNumber status subStatus } } } }`;
  const waitForActivity = (id: string) => waitFor(`activity ${id}`, async () => (await t.ok(ACTIVITY, { id })).node, (a) => a.completedAt !== null);

  // Four activities and their delta syncs over 2,500 devices: about a minute on a loaded machine, more than jest's 60 s default.
  it('connects, creates a server, assigns 2,500 devices by order number, and DEP and inventory agree throughout', async () => {
    const ordered: string[] = (await t.simControl('POST', '/_sim/business/devices', { count: 2500, orderNumber: ORDER, productFamily: 'iPad', serialPrefix: 'P' })).serialNumbers;
    await t.simControl('POST', '/_sim/business/devices', { count: 40, orderNumber: 'PO-OTHER', serialPrefix: 'Q' });

    // 1. Connect: the first mirror follows at once.
    const issued = await t.simControl('POST', '/_sim/business/clients', {});
    const connected = await t.ok(
      `mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id } } }`,
      { input: { name: 'Example Corp', clientId: issued.clientId, keyId: issued.keyId, privateKeyPem: issued.privateKeySec1Pem, scope: 'BUSINESS' } },
    );
    const accountId = connected.connectAppleBusinessAccount.appleBusinessAccount.id;
    const count = async (filter: Record<string, unknown> = {}) =>
      (await t.ok(`query ($a: ID!, $f: OrgDeviceFilter) { orgDevices(accountId: $a, filter: $f, first: 1) { totalCount } }`, { a: accountId, f: filter })).orgDevices.totalCount;
    await waitFor('the first inventory mirror', () => count(), (n) => n === 2540).catch((e) => {
      console.log(t.logs.filter((l) => /business|inventory|error/i.test(l)).slice(-30).join('\n'));
      throw e;
    });
    expect(await count({ orderNumber: ORDER, unassigned: true })).toBe(2500);

    // 2. An MDM server at Apple with a key pair's certificate; the admin downloads its token in the portal and uploads it.
    const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id } } }`)).createDepTokenKeyPair.keyPair;
    const created = await t.ok(
      `mutation ($input: CreateMdmServerAtAppleInput!) { createMdmServerAtApple(input: $input) { mdmServer { id appleId name deviceCount } nextStep } }`,
      { input: { accountId, name: 'depgate fleet', keyPairId: keyPair.id } },
    );
    const server = created.createMdmServerAtApple.mdmServer;
    expect(server).toMatchObject({ name: 'depgate fleet', deviceCount: 0 });
    expect(created.createMdmServerAtApple.nextStep).toMatch(/Download the server token/);
    const { tokenFile } = await t.simControl('GET', `/_sim/business/mdmServers/${server.appleId}/token`);
    const uploaded = await t.ok(
      `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id mdmServer { id } } } }`,
      { input: { keyPairId: keyPair.id, tokenFile, appleId: 'admin@example.com', name: 'depgate fleet' } },
    );
    const tokenId = uploaded.uploadDepToken.token.id;
    expect(uploaded.uploadDepToken.token.mdmServer).toEqual({ id: server.id });
    const servers = await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id name depToken { id } } }`, { a: accountId });
    expect(servers.mdmServers).toContainEqual({ id: server.id, name: 'depgate fleet', depToken: { id: tokenId } });
    await waitFor('the first sync of the token', async () => (await t.ok(`query ($id: ID!) { depToken(id: $id) { lastSuccessfulSyncAt } }`, { id: tokenId })).depToken, (d) => d.lastSuccessfulSyncAt !== null);

    // 3. Assign 2,500 devices by order number, with a migration deadline; the activity completes with a log per serial.
    const deadline = new Date(t.clock.now().getTime() + 30 * DAY_MS).toISOString();
    const assigned = await t.ok(
      `mutation ($input: AssignDevicesToMdmServerInput!) { assignDevicesToMdmServer(input: $input) { orgDeviceActivity { id type status deviceCount } } }`,
      { input: { mdmServerId: server.id, orderNumbers: [ORDER], migrationDeadline: deadline } },
    );
    const activity = assigned.assignDevicesToMdmServer.orgDeviceActivity;
    expect(activity).toMatchObject({ type: 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', status: 'IN_PROGRESS', deviceCount: 2500 });
    const done = await waitForActivity(activity.id);
    expect(done).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_SUCCESS' });
    expect(done.outcomes.map((o: any) => o.serialNumber).sort()).toEqual([...ordered].sort());
    expect(new Set(done.outcomes.map((o: any) => o.status))).toEqual(new Set(['SUCCESS']));

    // 4. The delta sync that follows brings exactly those devices.
    const depSerials = async () => (await all<any>(DEP_DEVICES, 'devices', { tokenId })).map((d) => d.serialNumber).sort();
    await waitFor('the delta sync after the assignment', depSerials, (s) => s.length >= 2500);
    expect(await depSerials()).toEqual([...ordered].sort());

    // 5. A later deadline for ten of them.
    const some = [...ordered].sort().slice(0, 10);
    const later = new Date(t.clock.now().getTime() + 60 * DAY_MS).toISOString();
    const moved = await t.ok(
      `mutation ($input: UpdateMigrationDeadlineInput!) { updateMigrationDeadline(input: $input) { orgDeviceActivity { id } } }`,
      { input: { accountId, serialNumbers: some, migrationDeadline: later } },
    );
    expect((await waitForActivity(moved.updateMigrationDeadline.orgDeviceActivity.id)).subStatus).toBe('COMPLETED_WITH_SUCCESS');

    // 6. Unassign a few.
    const few = [...ordered].sort().slice(100, 105);
    const unassigned = await t.ok(
      `mutation ($input: UnassignDevicesFromMdmServerInput!) { unassignDevicesFromMdmServer(input: $input) { orgDeviceActivity { id } } }`,
      { input: { mdmServerId: server.id, csv: `Serial Number\n${few.join('\n')}\n` } },
    );
    expect((await waitForActivity(unassigned.unassignDevicesFromMdmServer.orgDeviceActivity.id)).subStatus).toBe('COMPLETED_WITH_SUCCESS');

    // 7. Release one: refused without confirmation, done with it.
    const one = [...ordered].sort()[200];
    const RELEASE = `mutation ($input: ReleaseDevicesInput!) { releaseDevices(input: $input) { orgDeviceActivity { id } } }`;
    const unconfirmed = await t.gql(RELEASE, { input: { accountId, serialNumbers: [one], confirm: false } });
    expect(unconfirmed.errors?.[0].extensions?.code).toBe('RELEASE_CONFIRMATION_REQUIRED');
    const released = await t.ok(RELEASE, { input: { accountId, serialNumbers: [one], confirm: true } });
    expect((await waitForActivity(released.releaseDevices.orgDeviceActivity.id)).subStatus).toBe('COMPLETED_WITH_SUCCESS');

    // 8. Inventory and DEP agree serial by serial.
    const expected = [...ordered].sort().filter((s) => !few.includes(s) && s !== one);
    await waitFor('the delta syncs after unassign and release', depSerials, (s) => s.length === expected.length);
    expect(await depSerials()).toEqual(expected);
    const onServer = (await all<any>(ORG_DEVICES, 'orgDevices', { accountId, filter: { mdmServerId: server.id } })).map((d) => d.serialNumber).sort();
    expect(onServer).toEqual(expected);
    const depDevices = await all<any>(DEP_DEVICES, 'devices', { tokenId });
    for (const device of depDevices) expect(device.orgDevice).toEqual({ serialNumber: device.serialNumber, status: 'ASSIGNED', assignedServer: { id: server.id } });
    const byOrder = await all<any>(ORG_DEVICES, 'orgDevices', { accountId, filter: { orderNumber: ORDER } });
    expect(byOrder.map((d) => d.serialNumber)).not.toContain(one);
    expect(byOrder.filter((d) => d.status === 'UNASSIGNED').map((d) => d.serialNumber).sort()).toEqual(few);
    const deadlines = new Map(byOrder.map((d) => [d.serialNumber, d.mdmMigrationDeadline]));
    for (const serial of some) expect(deadlines.get(serial)).toBe(later);
    expect(deadlines.get(expected[expected.length - 1])).toBe(deadline);
  }, 300_000);
});
