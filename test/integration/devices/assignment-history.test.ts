/**
 * Device.assignmentHistory: every assignment attempt recorded with Apple's answer and who or what
 * asked (an API key, the default-profile rule, a requested profile), paged newest first with one
 * query across a page of devices, and pruned after ASSIGNMENT_HISTORY_RETENTION_DAYS by its job.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, SECOND_MS } from '../../../src/clock';
import { ASSIGNMENT_HISTORY_PRUNE_QUEUE } from '../../../src/assignment-history/assignment-history.jobs';
import { countStatements, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { ASSIGNMENT_HISTORY_RETENTION_DAYS: '30' } });
});
afterAll(() => t.close());

const ASSIGN = `mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`;
const HISTORY = `query ($s: String!, $first: Int, $after: String) { devices(filter: {serialNumberPrefix: $s}) { edges { node {
  assignmentHistory(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { serialNumber result message retryAfterSeconds requestedBy apiKeyName attemptedAt appleProfileUuid profile { name } } } } } } } }`;

async function createProfile(token: UploadedToken, name: string): Promise<{ id: string; rowId: string }> {
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id appleProfileUuid } } }`, {
      input: { tokenId: token.id, name },
    })
  ).createEnrollmentProfile.profile;
  const [{ id }] = await t.app.dataSource.query(`SELECT id FROM enrollment_profiles WHERE apple_profile_uuid = $1`, [profile.appleProfileUuid]);
  return { id: profile.id, rowId: id };
}

async function history(serial: string, first = 10, after?: string) {
  const data = await t.ok(HISTORY, { s: serial, first, after });
  return data.devices.edges[0].node.assignmentHistory;
}

let token: UploadedToken;
let profile: { id: string; rowId: string };
beforeAll(async () => {
  token = await uploadToken(t, 'history-token');
  profile = await createProfile(token, `History ${randomUUID().slice(0, 4)}`);
});

it("records each attempt of an API key with Apple's answer, newest first, paged with cursors", async () => {
  const [serial] = serials('HIST', 1) as [string];
  await createDevices(t, token, [serial]);
  const key = await t.createKey('OPERATOR');
  const [{ name: keyName }] = await t.app.dataSource.query(`SELECT name FROM api_keys WHERE name LIKE 'operator-%'`);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [serial]: 'THROTTLED' });
  await t.ok(ASSIGN, { p: profile.id, s: [serial] }, key);
  const firstAt = t.clock.now().toISOString();
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [serial]: null });
  t.clock.advance(61 * SECOND_MS);
  await t.ok(ASSIGN, { p: profile.id, s: [serial] }, key);

  const page1 = await history(serial, 1);
  expect(page1.totalCount).toBe(2);
  expect(page1.pageInfo.hasNextPage).toBe(true);
  expect(page1.edges.map((e: any) => e.node)).toEqual([
    expect.objectContaining({ serialNumber: serial, result: 'SUCCESS', requestedBy: 'API_KEY', apiKeyName: keyName, retryAfterSeconds: null, profile: { name: expect.stringMatching(/^History/) } }),
  ]);
  const page2 = await history(serial, 1, page1.pageInfo.endCursor);
  expect(page2.pageInfo.hasNextPage).toBe(false);
  expect(page2.edges.map((e: any) => e.node)).toEqual([
    expect.objectContaining({ result: 'THROTTLED', requestedBy: 'API_KEY', apiKeyName: keyName, retryAfterSeconds: 60, attemptedAt: firstAt, message: expect.stringMatching(/throttling/) }),
  ]);
});

it('records what the default-profile rule and a requested profile asked for', async () => {
  const [byDefault, requested] = serials('HAUTO', 2) as [string, string];
  await createDevices(t, token, [byDefault]);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { devices: [{ serial_number: requested }] });
  const other = await createProfile(token, 'Requested one');
  await t.ok(`mutation ($t: ID!, $s: [String!]!, $p: ID!) { importDeviceSerials(input: {tokenId: $t, serialNumbers: $s, profileId: $p}) { rejectedCount } }`, {
    t: token.id,
    s: [requested],
    p: other.id,
  });
  await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = $2 WHERE id = $1`, [token.rowId, profile.rowId]);
  expect(await t.app.services.assignments.autoAssign(token.rowId, [byDefault, requested])).toMatchObject({ assigned: 2 });
  await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = NULL WHERE id = $1`, [token.rowId]);

  expect((await history(byDefault)).edges.map((e: any) => [e.node.result, e.node.requestedBy, e.node.apiKeyName])).toEqual([['SUCCESS', 'DEFAULT_PROFILE', null]]);
  expect((await history(requested)).edges.map((e: any) => [e.node.result, e.node.requestedBy, e.node.profile.name])).toEqual([
    ['SUCCESS', 'REQUESTED_PROFILE', 'Requested one'],
  ]);
});

it('costs one query for the history of a whole page of devices', async () => {
  const many = serials('HPAGE', 20);
  await createDevices(t, token, many);
  await t.ok(ASSIGN, { p: profile.id, s: many });
  const { result, statements } = await countStatements(
    () =>
      t.ok(`{ devices(filter: {serialNumberPrefix: "HPAGE"}, first: 20) { edges { node { serialNumber assignmentHistory(first: 3) { edges { node { result } } } } } } }`),
    /assignment_attempts/,
  );
  expect(result.devices.edges).toHaveLength(20);
  expect(result.devices.edges.every((e: any) => e.node.assignmentHistory.edges.length === 1)).toBe(true);
  expect(statements).toHaveLength(1);
});

it('prunes attempts older than ASSIGNMENT_HISTORY_RETENTION_DAYS with its job, keeping newer ones', async () => {
  const [old, recent] = serials('HPRUNE', 2) as [string, string];
  await createDevices(t, token, [old, recent]);
  await t.ok(ASSIGN, { p: profile.id, s: [old] });
  t.clock.advance(20 * DAY_MS);
  await t.ok(ASSIGN, { p: profile.id, s: [recent] });
  t.clock.advance(11 * DAY_MS);
  await t.app.services.jobs.send(ASSIGNMENT_HISTORY_PRUNE_QUEUE, {});
  await until(async () => (await history(old)).totalCount === 0, 'the old attempt pruned');
  expect((await history(recent)).totalCount).toBe(1);
});
