/**
 * refreshDeviceDetails: Apple's POST /devices through the simulator, what Apple answers stored on
 * the devices at once (and nothing else), per-serial results, bounded input, role and scope.
 */
import { MAX_SERIALS_PER_ASSIGN_CALL } from '../../../src/devices/assignment.service';
import { appleRequests, clearAppleRequests, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'details-token');
});
afterAll(() => t.close());

const REFRESH = `mutation ($s: [String!]!) { refreshDeviceDetails(input: {serialNumbers: $s}) { results { serialNumber status message
  device { serialNumber model color assetTag os deviceFamily profileStatus appleProfileUuid lastSyncedAt } } } }`;

it("stores Apple's record on each device at once, answering per serial in the order given", async () => {
  const [changed, gone] = serials('DETL', 2) as [string, string];
  await createDevices(t, token, [changed]);
  await createDevices(t, token, [gone], { depgateOnly: true });
  const [{ last_synced_at: syncedBefore }] = await t.app.dataSource.query(`SELECT last_synced_at FROM devices WHERE serial_number = $1`, [changed]);
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, {
    serials: [changed],
    changes: { model: 'iPad Pro 13-inch (M4)', color: 'SPACE BLACK', asset_tag: 'ASSET-42', os: 'iPadOS', device_family: 'iPad', profile_status: 'assigned', profile_uuid: 'ANOTHER-MDMS-PROFILE' },
  });
  await clearAppleRequests(t);

  const { results } = (await t.ok(REFRESH, { s: [changed.toLowerCase(), gone, 'C02NOSUCH001', 'bad!'] })).refreshDeviceDetails;
  expect(results).toEqual([
    {
      serialNumber: changed,
      status: 'SUCCESS',
      message: null,
      device: {
        serialNumber: changed,
        model: 'iPad Pro 13-inch (M4)',
        color: 'SPACE BLACK',
        assetTag: 'ASSET-42',
        os: 'IPADOS',
        deviceFamily: 'IPAD',
        profileStatus: 'ASSIGNED',
        appleProfileUuid: 'ANOTHER-MDMS-PROFILE',
        lastSyncedAt: syncedBefore.toISOString(),
      },
    },
    { serialNumber: gone, status: 'NOT_ACCESSIBLE', message: expect.stringMatching(/does not hold/), device: expect.objectContaining({ model: 'iPhone 15' }) },
    { serialNumber: 'C02NOSUCH001', status: 'REJECTED', message: expect.stringMatching(/no device/), device: null },
    { serialNumber: 'BAD!', status: 'REJECTED', message: expect.any(String), device: null },
  ]);
  expect((await appleRequests(t, '/devices')).map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
});

it('refuses an empty or oversized list with a typed code, sending nothing; needs OPERATOR; keeps to the key’s scope', async () => {
  await clearAppleRequests(t);
  expect((await t.gql(REFRESH, { s: [] })).errors?.[0]?.extensions?.code).toBe('SERIAL_NUMBERS_REQUIRED');
  const tooMany = await t.gql(REFRESH, { s: Array.from({ length: MAX_SERIALS_PER_ASSIGN_CALL + 1 }, (_, i) => `X${i}`) });
  expect(tooMany.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SERIAL_NUMBERS');

  const [serial] = serials('DSCOPE', 1) as [string];
  await createDevices(t, token, [serial]);
  const reader = await t.createKey('READER');
  expect((await t.gql(REFRESH, { s: [serial] }, reader)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const tag = (await t.ok(`mutation { createScopeTag(input: {name: "details-elsewhere"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const scoped = await t.createKey('OPERATOR', [tag]);
  const { results } = (await t.ok(REFRESH, { s: [serial] }, scoped)).refreshDeviceDetails;
  expect(results).toEqual([{ serialNumber: serial, status: 'REJECTED', message: expect.any(String), device: null }]);
  expect(await appleRequests(t, '/devices')).toHaveLength(0);
});

it('sends at most 1,000 serials per request; a later request Apple refuses keeps what was read and reports the rest (2,500 serials) as not sent', async () => {
  const many = serials('DTBULK', 2500);
  await createDevices(t, token, many);
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: many, changes: { asset_tag: 'BULK-READ' } });
  await clearAppleRequests(t);
  // The first request goes through; the second (and so the third) are refused as a whole.
  await t.simControl('POST', '/_sim/faults', { status: 503, count: 5, after: 1, path: '/devices', method: 'POST' });
  const { results } = (await t.ok(REFRESH, { s: many })).refreshDeviceDetails;
  await t.simControl('DELETE', '/_sim/faults');

  expect(results.map((r: any) => r.serialNumber)).toEqual(many);
  const read = results.filter((r: any) => r.status === 'SUCCESS');
  expect(read).toHaveLength(1000);
  expect(read.every((r: any) => r.device.assetTag === 'BULK-READ')).toBe(true);
  const notSent = results.filter((r: any) => r.status === 'FAILED');
  expect(notSent).toHaveLength(1500);
  expect(notSent.every((r: any) => /^Not sent/.test(r.message) && r.device.assetTag !== 'BULK-READ')).toBe(true);
  const stored = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE serial_number = ANY($1::text[]) AND asset_tag = 'BULK-READ'`, [many]);
  expect(stored[0].n).toBe(1000);

  const calls = (await appleRequests(t, '/devices')) as { method: string; status: number; deviceCount?: number }[];
  // The client retries a 503 within its budget; a faulted request's body is not read (no deviceCount).
  expect(calls[0]).toMatchObject({ method: 'POST', status: 200, deviceCount: 1000 });
  expect(calls.slice(1).length).toBeGreaterThan(0);
  expect(calls.slice(1).every((c) => c.method === 'POST' && c.status === 503)).toBe(true);
});

it("stores the fields a sync stores, Apple's mdm_migration_deadline included", async () => {
  const [serial] = serials('DTMIGR', 1) as [string];
  const deadline = new Date(t.clock.now().getTime() + 10 * 24 * 3600 * 1000);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ serial_number: serial, mdm_migration_deadline: deadline.toISOString() }] });
  await createDevices(t, token, [serial], { depgateOnly: true });
  const { results } = (await t.ok(`mutation ($s: [String!]!) { refreshDeviceDetails(input: {serialNumbers: $s}) { results { status device { mdmMigrationDeadline } } } }`, { s: [serial] }))
    .refreshDeviceDetails;
  expect(results).toEqual([{ status: 'SUCCESS', device: { mdmMigrationDeadline: deadline.toISOString() } }]);
});
