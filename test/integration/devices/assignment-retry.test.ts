/**
 * Retries on a schedule, on the injected clock: THROTTLED devices retried once Apple's
 * retry_after_seconds has passed (not a second before), FAILED devices after 24 hours and never
 * more often, at most 1,000 serials per Apple request (the simulator's request log counts the
 * serials each request carried), the pg-boss job doing the same pass.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from '../../../src/clock';
import { ASSIGNMENT_RETRY_QUEUE } from '../../../src/devices/assignment-retry.jobs';
import { clearAppleRequests, createDevices, serials, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../sync/sync-support';

let t: TestApp;
let token: UploadedToken;
let profileId: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  token = await uploadToken(t, 'retry-token');
  profileId = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name: `Retry ${randomUUID().slice(0, 4)}` },
    })
  ).createEnrollmentProfile.profile.id;
});
afterAll(() => t.close());

const ASSIGN = `mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status retryAfterSeconds } } }`;

async function outcomes(map: Record<string, string | null>) {
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, map);
}

async function assignRequests(): Promise<{ method: string; status: number; deviceCount?: number }[]> {
  return (await t.simControl('GET', `/_sim/requests?limit=10000&path=${encodeURIComponent('/profile/devices')}`)).requests;
}

async function shown(serial: string) {
  const data = await t.ok(`query ($s: String!) { devices(filter: {serialNumberPrefix: $s}) { edges { node {
    lastAssignmentResult nextAssignmentRetryAt profileStatus assignmentHistory(first: 5) { edges { node { result requestedBy } } } } } } }`, { s: serial });
  const node = data.devices.edges[0].node;
  return { ...node, assignmentHistory: node.assignmentHistory.edges.map((e: any) => `${e.node.requestedBy}:${e.node.result}`) };
}

it("THROTTLED: retried once Apple's retry_after_seconds has passed, not a second before", async () => {
  const [serial] = serials('RTHR', 1) as [string];
  await createDevices(t, token, [serial]);
  await outcomes({ [serial]: 'THROTTLED' });
  const { results } = (await t.ok(ASSIGN, { p: profileId, s: [serial] })).assignEnrollmentProfile;
  expect(results).toEqual([{ status: 'THROTTLED', retryAfterSeconds: 60 }]);
  await outcomes({ [serial]: null });
  await clearAppleRequests(t);

  t.clock.advance(59 * SECOND_MS);
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 0 });
  expect(await assignRequests()).toHaveLength(0);

  t.clock.advance(SECOND_MS);
  expect(await t.app.services.assignmentRetries.retryDue()).toEqual({ due: 1, assigned: 1, failed: 0, skipped: 0 });
  expect((await assignRequests()).map((r) => [r.method, r.status, r.deviceCount])).toEqual([['POST', 200, 1]]);
  expect(await shown(serial)).toEqual({
    lastAssignmentResult: 'SUCCESS',
    nextAssignmentRetryAt: null,
    profileStatus: 'ASSIGNED',
    assignmentHistory: ['RETRY:SUCCESS', 'API_KEY:THROTTLED'],
  });
});

it('FAILED: retried after 24 hours, and never more than once per 24 hours', async () => {
  const [serial] = serials('RFAIL', 1) as [string];
  await createDevices(t, token, [serial]);
  await outcomes({ [serial]: 'FAILED' });
  await t.ok(ASSIGN, { p: profileId, s: [serial] });
  await clearAppleRequests(t);

  t.clock.advance(DAY_MS - MINUTE_MS);
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 0 });
  t.clock.advance(MINUTE_MS);
  expect(await t.app.services.assignmentRetries.retryDue()).toEqual({ due: 1, assigned: 0, failed: 1, skipped: 0 });
  // (A day later Apple's session has expired: a 401 and the same request again.)
  expect((await assignRequests()).filter((r) => r.status === 200)).toHaveLength(1);
  t.clock.advance(23 * HOUR_MS);
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 0 });

  // A shorter cooldown (a request that failed as a whole leaves 15 minutes) does not make a FAILED
  // device due sooner than 24 hours after its last attempt.
  await t.app.dataSource.query(`UPDATE devices SET next_assignment_retry_at = $2 WHERE serial_number = $1`, [serial, new Date(t.clock.now().getTime() - MINUTE_MS)]);
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 0 });
  t.clock.advance(HOUR_MS);
  await outcomes({ [serial]: null });
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 1, assigned: 1 });
  expect((await shown(serial)).assignmentHistory).toEqual(['RETRY:SUCCESS', 'RETRY:FAILED', 'API_KEY:FAILED']);
});

it('at most 1,000 serials per Apple request: 2,500 due devices go as three requests', async () => {
  const many = serials('RBULK', 2500);
  await createDevices(t, token, many);
  await outcomes(Object.fromEntries(many.map((s) => [s, 'THROTTLED'])));
  await t.ok(ASSIGN, { p: profileId, s: many });
  await outcomes(Object.fromEntries(many.map((s) => [s, null])));
  await clearAppleRequests(t);
  t.clock.advance(60 * SECOND_MS);

  expect(await t.app.services.assignmentRetries.retryDue()).toEqual({ due: 2500, assigned: 2500, failed: 0, skipped: 0 });
  const requests = await assignRequests();
  expect(requests.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(requests.every((r) => r.deviceCount! <= 1000)).toBe(true);
  expect(requests.reduce((n, r) => n + r.deviceCount!, 0)).toBe(2500);
});

it('the pg-boss job runs the same pass; a due device with nothing to give is not picked again', async () => {
  const [due, orphan] = serials('RJOB', 2) as [string, string];
  await createDevices(t, token, [due, orphan]);
  await outcomes({ [due]: 'THROTTLED' });
  await t.ok(ASSIGN, { p: profileId, s: [due] });
  await outcomes({ [due]: null });
  // THROTTLED once under the default rule, and the token has no default any more.
  await t.app.dataSource.query(
    `UPDATE devices SET last_assignment_result = 'THROTTLED', last_assignment_at = $2, next_assignment_retry_at = $2 WHERE serial_number = $1`,
    [orphan, t.clock.now()],
  );
  t.clock.advance(60 * SECOND_MS);

  await t.app.services.jobs.send(ASSIGNMENT_RETRY_QUEUE, {});
  await until(async () => (await shown(due)).lastAssignmentResult === 'SUCCESS' && (await shown(orphan)).nextAssignmentRetryAt === null, 'the job pass');
  expect(await t.app.services.assignmentRetries.retryDue()).toMatchObject({ due: 0 });
});
