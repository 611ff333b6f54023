/**
 * Webhook events for what depgate itself does to devices, outside sync pages, and token status
 * changes whatever causes them, against a real HTTP receiver: an admin's assignEnrollmentProfile
 * and automatic assignment (DEVICES_ASSIGNED, one request per chunk with every device's id and
 * outcome), removeEnrollmentProfile (DEVICES_MODIFIED), deleteDevice and the bulk deleteDevices
 * job (DEVICES_DELETED, by DEPGATE, with who asked), and TOKEN_STATUS_CHANGED as the days pass
 * (ACTIVE -> EXPIRING_SOON -> EXPIRED), once per change.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { WebhookReceiver } from '../../support/webhook-receiver';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until, uploadToken, waitForIdle, type SyncedToken } from '../sync/sync-support';

const EVENTS = ['DEVICES_ASSIGNED', 'DEVICES_MODIFIED', 'DEVICES_DELETED', 'TOKEN_STATUS_CHANGED'];
const ASSIGN = `mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { serialNumber status } } }`;
const REMOVE = `mutation ($s: [String!]!) { removeEnrollmentProfile(input: {serialNumbers: $s}) { results { serialNumber status } } }`;
const DEVICE_IDS = `query ($t: ID!) { devices(filter: {tokenId: $t}, first: 100) { edges { node { id serialNumber } } } }`;

let t: TestApp;
const receiver = new WebhookReceiver();
let token: SyncedToken;
let profileId: string;
let operatorKeyId: string;
let operatorKey: string;
const idOf = new Map<string, string>();

beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400' } });
  await receiver.start();
  await t.ok(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
    input: { url: receiver.url, events: EVENTS, secret: 'test-secret-0123456789' },
  });
  token = await uploadToken(t, { devices: 8, name: 'Changes fleet' });
  profileId = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name: `P ${randomUUID().slice(0, 6)}` },
    })
  ).createEnrollmentProfile.profile.id;
  operatorKey = await t.createKey('OPERATOR');
  const me = (await t.ok(`{ viewer { apiKey { id } } }`, {}, operatorKey)).viewer;
  operatorKeyId = me.apiKey.id;
  for (const e of (await t.ok(DEVICE_IDS, { t: token.id })).devices.edges) idOf.set(e.node.serialNumber, e.node.id);
});
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

const heard = (event: string) => receiver.accepted(event).filter((r) => r.json.tokenId === token.id);
const expectDeviceIds = (devices: { id: string }[]) => expect(devices.every((d) => parseGlobalId(d.id)?.type === 'Device')).toBe(true);

it("tells of an admin's assignment: one request for the chunk, every device with its id and Apple's outcome, and who asked", async () => {
  const [a, b] = token.serials;
  const unknown = 'C02NOTHERE01';
  const { results } = (await t.ok(ASSIGN, { p: profileId, s: [a, b, unknown] }, operatorKey)).assignEnrollmentProfile;
  expect(results.map((r: any) => r.status)).toEqual(['SUCCESS', 'SUCCESS', 'NOT_ACCESSIBLE']);
  const [assigned] = await until(() => heard('DEVICES_ASSIGNED').length === 1 && heard('DEVICES_ASSIGNED'), 'DEVICES_ASSIGNED');
  expect(assigned.json.data).toMatchObject({
    profileId,
    automatic: false,
    requestedBy: { apiKeyId: operatorKeyId, name: expect.any(String) },
    assigned: 2,
    failed: 1,
  });
  const devices = assigned.json.data.devices;
  expectDeviceIds(devices);
  expect(devices.map((d: any) => [d.serialNumber, d.status])).toEqual([
    [a, 'SUCCESS'],
    [b, 'SUCCESS'],
    [unknown, 'NOT_ACCESSIBLE'],
  ]);
  expect(devices.slice(0, 2).map((d: any) => d.id)).toEqual([idOf.get(a!), idOf.get(b!)]);
});

it('tells of automatic assignment the same way, with no requester', async () => {
  const c = token.serials[2]!;
  const [{ id: profileRowId }] = await t.app.dataSource.query(`SELECT id FROM enrollment_profiles WHERE token_id = $1`, [token.rowId]);
  await t.app.dataSource.query(`UPDATE devices SET requested_profile_id = $2 WHERE serial_number = $1`, [c, profileRowId]);
  expect(await t.app.services.assignments.autoAssign(token.rowId, [c])).toMatchObject({ assigned: 1 });
  const auto = await until(() => heard('DEVICES_ASSIGNED')[1], 'the automatic DEVICES_ASSIGNED');
  expect(auto.json.data).toMatchObject({ profileId, automatic: true, requestedBy: null, assigned: 1, failed: 0 });
  expect(auto.json.data.devices).toEqual([{ id: idOf.get(c), serialNumber: c, status: 'SUCCESS' }]);
});

it('tells of a removed profile as a modification of the devices Apple cleared', async () => {
  const [a, , , , , , , never] = token.serials;
  await t.ok(REMOVE, { s: [a, never] }, operatorKey);
  const [modified] = await until(() => heard('DEVICES_MODIFIED').length === 1 && heard('DEVICES_MODIFIED'), 'DEVICES_MODIFIED');
  expect(modified.json.data).toEqual({
    cause: 'PROFILE_REMOVED',
    requestedBy: { apiKeyId: operatorKeyId, name: expect.any(String) },
    // Only the device Apple cleared: the other never had a profile.
    devices: [{ id: idOf.get(a!), serialNumber: a, changedFields: { profileStatus: 'EMPTY', profileUuid: null } }],
  });
});

it('tells of a device deleted from depgate once, and of a bulk deletion per batch with its id', async () => {
  const [, , , d, e, f] = token.serials;
  const del = `mutation ($id: ID!) { deleteDevice(input: {deviceId: $id}) { deletedDeviceId } }`;
  await t.ok(del, { id: idOf.get(d!) }, operatorKey);
  await t.ok(del, { id: idOf.get(d!) }, operatorKey);
  const [single] = await until(() => heard('DEVICES_DELETED').length === 1 && heard('DEVICES_DELETED'), 'DEVICES_DELETED');
  expect(single.json.data).toEqual({
    deletedBy: 'DEPGATE',
    deviceDeletionId: null,
    requestedBy: { apiKeyId: operatorKeyId, name: expect.any(String) },
    devices: [{ id: idOf.get(d!), serialNumber: d }],
  });

  const admin = await t.createKey('ADMIN');
  const started = await t.ok(`mutation ($ids: [ID!]!) { deleteDevices(input: {deviceIds: $ids}) { deviceDeletion { id } } }`, { ids: [idOf.get(d!), idOf.get(e!), idOf.get(f!)] }, admin);
  const deletionId = started.deleteDevices.deviceDeletion.id;
  const bulk = await until(() => heard('DEVICES_DELETED')[1], 'the bulk DEVICES_DELETED');
  expect(bulk.json.data).toMatchObject({ deletedBy: 'DEPGATE', deviceDeletionId: deletionId, requestedBy: { apiKeyId: expect.any(String) } });
  // d was deleted already: only e and f are news.
  expect(bulk.json.data.devices.map((x: any) => x.serialNumber).sort()).toEqual([e, f].sort());
  expectDeviceIds(bulk.json.data.devices);
  // Nothing more arrives for the repeated single deletion.
  await until(async () => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'PENDING'`))[0].n === 0, 'the queue to drain');
  expect(heard('DEVICES_DELETED')).toHaveLength(2);
});

it('tells of the token status as the days pass, once per change', async () => {
  await waitForIdle(t, token.rowId);
  const evaluate = () => t.app.services.alerts.evaluateDepToken(token.rowId);
  const statuses = () => heard('TOKEN_STATUS_CHANGED').map((r) => r.json.data);
  await evaluate();
  expect(statuses()).toEqual([]);

  // The token expires 365 days after upload; TOKEN_EXPIRING_SOON_DAYS is 30.
  t.clock.advance(340 * DAY_MS);
  await evaluate();
  await evaluate();
  await until(() => statuses().length === 1, 'EXPIRING_SOON');
  expect(statuses()).toEqual([{ status: 'EXPIRING_SOON', previousStatus: 'ACTIVE' }]);

  t.clock.advance(30 * DAY_MS);
  await evaluate();
  await until(() => statuses().length === 2, 'EXPIRED');
  expect(statuses()[1]).toEqual({ status: 'EXPIRED', previousStatus: 'EXPIRING_SOON' });

  // The live token shows the same status the webhook told.
  expect((await t.ok(`query ($id: ID!) { node(id: $id) { ... on DepToken { status } } }`, { id: token.id })).node.status).toBe('EXPIRED');
  await until(async () => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'PENDING'`))[0].n === 0, 'the queue to drain');
  expect(statuses()).toHaveLength(2);
});
