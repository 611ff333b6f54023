/**
 * deleteDevices: a job with progress, so that a token can be emptied and then deleted; by ids or by
 * filter, with the requesting key's visibility; typed refusals; the job polled through
 * deviceDeletion(id) and node(id).
 */
import { toGlobalId } from '../../../src/graphql/global-id';
import { createDevices, serials, uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const DELETE = `mutation ($input: DeleteDevicesInput!) { deleteDevices(input: $input) { jobId deviceDeletion { id status total deleted progress requestedBy } } }`;
const POLL = `query ($id: ID!) { deviceDeletion(id: $id) { id status total deleted progress error startedAt finishedAt } }`;

async function finished(jobId: string, key?: string) {
  return until(async () => {
    const { deviceDeletion } = await t.ok(POLL, { id: jobId }, key);
    return deviceDeletion && ['SUCCEEDED', 'FAILED'].includes(deviceDeletion.status) ? deviceDeletion : undefined;
  }, 'the deletion job');
}

it('empties a token of 2,500 devices as a job with progress, after which the token can be deleted', async () => {
  const token = await uploadToken(t, 'emptied');
  await createDevices(t, token, serials('BULKDEL', 2500), { depgateOnly: true });
  const refused = await t.gql(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: token.id });
  expect(refused.errors?.[0]?.extensions?.code).toBeDefined();

  const { deleteDevices } = await t.ok(DELETE, { input: { filter: { tokenId: token.id } } });
  expect(deleteDevices.jobId).toBe(deleteDevices.deviceDeletion.id);
  expect(deleteDevices.deviceDeletion).toMatchObject({ status: 'QUEUED', total: 2500, deleted: 0, progress: 0, requestedBy: 'bootstrap' });

  const done = await finished(deleteDevices.jobId);
  expect(done).toMatchObject({ status: 'SUCCEEDED', total: 2500, deleted: 2500, progress: 1, error: null, startedAt: expect.any(String), finishedAt: expect.any(String) });
  const viaNode = await t.ok(`query ($id: ID!) { node(id: $id) { ... on DeviceDeletion { status deleted } } }`, { id: deleteDevices.jobId });
  expect(viaNode.node).toEqual({ status: 'SUCCEEDED', deleted: 2500 });

  const left = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t}) { totalCount } }`, { t: token.id });
  expect(left.devices.totalCount).toBe(0);
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND deleted_by = 'DEPGATE'`, [token.rowId]);
  expect(n).toBe(2500);
  const deleted = await t.ok(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: token.id });
  expect(deleted.deleteDepToken.deletedDepTokenId).toBe(token.id);
});

it("by ids, with the key's visibility: a scoped key deletes only what it sees, and only it (or an unrestricted key) sees its job", async () => {
  const tag = (await t.ok(`mutation { createScopeTag(input: {name: "deletion-A"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const mine = await uploadToken(t, 'deletion-mine', [tag]);
  const theirs = await uploadToken(t, 'deletion-theirs');
  const [a, b] = serials('DELMINE', 2) as [string, string];
  const [c] = serials('DELTHEIR', 1) as [string];
  await createDevices(t, mine, [a, b], { depgateOnly: true });
  await createDevices(t, theirs, [c], { depgateOnly: true });
  const ids = await t.app.dataSource.query(`SELECT id, serial_number FROM devices WHERE serial_number = ANY($1) ORDER BY serial_number`, [[a, c]]);
  const scoped = await t.createKey('OPERATOR', [tag]);
  const other = await t.createKey('OPERATOR', [tag]);

  const { deleteDevices } = await t.ok(DELETE, { input: { deviceIds: ids.map((r: any) => toGlobalId('Device', r.id)) } }, scoped);
  expect(deleteDevices.deviceDeletion.total).toBe(1);
  expect(await finished(deleteDevices.jobId, scoped)).toMatchObject({ status: 'SUCCEEDED', deleted: 1 });
  const rows = await t.app.dataSource.query(`SELECT serial_number, deleted_by FROM devices WHERE serial_number = ANY($1) ORDER BY serial_number`, [[a, b, c]]);
  expect(rows).toEqual([
    { serial_number: a, deleted_by: 'DEPGATE' },
    { serial_number: b, deleted_by: null },
    { serial_number: c, deleted_by: null },
  ]);
  expect((await t.ok(POLL, { id: deleteDevices.jobId }, other)).deviceDeletion).toBeNull();
  expect((await t.ok(POLL, { id: deleteDevices.jobId })).deviceDeletion.status).toBe('SUCCEEDED');
});

it('refuses ids and filter together, neither, an empty filter, and READER keys, queueing nothing', async () => {
  const token = await uploadToken(t, 'deletion-refusals');
  const device = toGlobalId('Device', '00000000-0000-4000-8000-000000000001');
  const cases = [
    { deviceIds: [device], filter: { tokenId: token.id } },
    {},
    { filter: {} },
    { filter: { includeDeleted: true } },
    { deviceIds: [] },
  ];
  for (const input of cases) {
    const res = await t.gql(DELETE, { input });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }
  const reader = await t.createKey('READER');
  expect((await t.gql(DELETE, { input: { filter: { tokenId: token.id } } }, reader)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM device_deletions WHERE filter->>'tokenId' = $1`, [token.rowId]);
  expect(n).toBe(0);
});
