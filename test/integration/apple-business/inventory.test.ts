/**
 * The inventory mirror against the simulator over HTTP: which MDM server each device is on comes
 * from the servers' device linkages (Apple's device list carries only links for assignedServer).
 */
import { makeVendorIdentity } from '../../support/sim-support';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('Apple Business inventory mirror', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ simulator: true });
  });
  afterAll(() => t.close());

  it("knows each device's MDM server from the servers' linkages, and follows moves and removals on the next pass", async () => {
    const vendor = makeVendorIdentity();
    const a = await t.simControl('POST', '/_sim/servers', { certificatePem: vendor.certificatePem, serverName: 'Fleet A' });
    const b = await t.simControl('POST', '/_sim/servers', { certificatePem: vendor.certificatePem, serverName: 'Fleet B' });
    const onA: string[] = (await t.simControl('POST', `/_sim/servers/${a.serverUuid}/devices`, { count: 3 })).serials;
    const loose: string[] = (await t.simControl('POST', '/_sim/business/devices', { count: 2, serialPrefix: 'L' })).serialNumbers;

    const issued = await t.simControl('POST', '/_sim/business/clients', {});
    const connected = await t.ok(
      `mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id } } }`,
      { input: { name: 'Inventory', clientId: issued.clientId, keyId: issued.keyId, privateKeyPem: issued.privateKeyPkcs8Pem, scope: 'BUSINESS' } },
    );
    const accountId = connected.connectAppleBusinessAccount.appleBusinessAccount.id;
    const account = (await t.app.services.appleBusinessAccounts.all()).find((x) => x.clientId === issued.clientId)!;
    await t.app.services.appleBusinessInventory.mirror(account.id);

    const servers = (await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id name } }`, { a: accountId })).mdmServers as Array<{ id: string; name: string }>;
    const serverId = (name: string) => servers.find((s) => s.name === name)!.id;
    const serials = async (filter: Record<string, unknown>) =>
      ((await t.ok(`query ($a: ID!, $f: OrgDeviceFilter) { orgDevices(accountId: $a, filter: $f, first: 100) { edges { node { serialNumber status assignedServer { name } } } } }`, { a: accountId, f: filter }))
        .orgDevices.edges as Array<{ node: { serialNumber: string; status: string; assignedServer: { name: string } | null } }>).map((e) => e.node);

    expect(await serials({ mdmServerId: serverId('Fleet A') })).toEqual([...onA].sort().map((serialNumber) => ({ serialNumber, status: 'ASSIGNED', assignedServer: { name: 'Fleet A' } })));
    expect((await serials({ unassigned: true })).map((d) => d.serialNumber)).toEqual([...loose].sort());

    // One device moves to B, one leaves A (back to the organisation, unassigned): the next pass sees both.
    const [moved, removed] = [...onA].sort();
    await t.simControl('POST', `/_sim/servers/${a.serverUuid}/devices/move`, { serials: [moved], toServerUuid: b.serverUuid });
    await t.simControl('DELETE', `/_sim/servers/${a.serverUuid}/devices`, { serials: [removed] });
    await t.app.services.appleBusinessInventory.mirror(account.id);
    expect((await serials({ mdmServerId: serverId('Fleet B') })).map((d) => d.serialNumber)).toEqual([moved]);
    expect((await serials({ mdmServerId: serverId('Fleet A') })).map((d) => d.serialNumber)).toEqual([...onA].sort().slice(2));
    expect((await serials({ unassigned: true })).map((d) => d.serialNumber)).toEqual([...loose, removed].sort());
  });
});
