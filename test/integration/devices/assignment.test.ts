/**
 * Assigning profiles at Apple: the assignEnrollmentProfile mutation (chunks of 1,000, per-serial
 * results stored on devices, serials not synced yet kept as IMPORT) and the sync engine's entry
 * point autoAssign (requested profile, else the token's default; cooldowns; one statement per
 * chunk), against the simulator.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, SECOND_MS } from '../../../src/clock';
import { toGlobalId } from '../../../src/graphql/global-id';
import {
  appleRequests,
  clearAppleRequests,
  countStatements,
  createDevices,
  serials,
  simDevices,
  uploadToken,
  type UploadedToken,
} from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const ASSIGN = `mutation ($p: ID!, $s: [String!]!) {
  assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { serialNumber status message retryAfterSeconds } } }`;

async function createProfile(token: UploadedToken, name = `P ${randomUUID().slice(0, 6)}`): Promise<{ id: string; rowId: string; appleProfileUuid: string }> {
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id appleProfileUuid } } }`, {
      input: { tokenId: token.id, name },
    })
  ).createEnrollmentProfile.profile;
  const [{ id }] = await t.app.dataSource.query(`SELECT id FROM enrollment_profiles WHERE apple_profile_uuid = $1`, [profile.appleProfileUuid]);
  return { ...profile, rowId: id };
}

async function device(token: UploadedToken, serial: string) {
  const [row] = await t.app.dataSource.query(`SELECT * FROM devices WHERE token_id = $1 AND serial_number = $2`, [token.rowId, serial]);
  return row;
}

describe('assignEnrollmentProfile', () => {
  let token: UploadedToken;
  let profile: { id: string; rowId: string; appleProfileUuid: string };
  beforeAll(async () => {
    token = await uploadToken(t, 'assign-token');
    profile = await createProfile(token, 'Assigned');
  });

  it('sends 2,500 serials to Apple as three requests of at most 1,000 and stores SUCCESS on every device', async () => {
    const many = serials('BULK', 2500);
    await createDevices(t, token, many);
    await clearAppleRequests(t);
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: many })).assignEnrollmentProfile;
    const calls = await appleRequests(t, '/profile/devices');
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.method === 'POST' && c.status === 200)).toBe(true);
    expect(results).toHaveLength(2500);
    expect(results.map((r: any) => r.serialNumber)).toEqual(many);
    expect(new Set(results.map((r: any) => r.status))).toEqual(new Set(['SUCCESS']));

    const [stored] = await t.app.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT profile_id)::int AS profiles, min(profile_status) AS status, min(last_assignment_result) AS result,
              min(apple_profile_uuid) AS uuid, min(profile_assigned_at) AS assigned_at, max(assignment_failure_count) AS failures,
              count(next_assignment_retry_at)::int AS cooling
         FROM devices WHERE token_id = $1 AND serial_number = ANY($2)`,
      [token.rowId, many],
    );
    expect(stored).toEqual({
      n: 2500,
      profiles: 1,
      status: 'ASSIGNED',
      result: 'SUCCESS',
      uuid: profile.appleProfileUuid,
      assigned_at: t.clock.now(),
      failures: 0,
      cooling: 0,
    });
    const atApple = await simDevices(t, token);
    expect(many.every((s) => atApple.get(s)?.profile_uuid === profile.appleProfileUuid)).toBe(true);
    const listed = await t.ok(`query ($p: ID!) { node(id: $p) { ... on EnrollmentProfile { deviceCount devices(first: 2) { totalCount edges { node { serialNumber enrollmentProfileName profileStatus lastAssignmentResult } } } } } }`, {
      p: profile.id,
    });
    expect(listed.node.deviceCount).toBe(2500);
    expect(listed.node.devices.totalCount).toBe(2500);
    expect(listed.node.devices.edges[0].node).toEqual({ serialNumber: many[0], enrollmentProfileName: 'Assigned', profileStatus: 'ASSIGNED', lastAssignmentResult: 'SUCCESS' });
  });

  it('NOT_ACCESSIBLE: serials Apple does not hold on this server; an unknown serial is kept as IMPORT with the profile requested', async () => {
    const [known] = serials('NACC', 1);
    await createDevices(t, token, [known], { depgateOnly: true });
    const unknown = 'C02ZZ0NEW001';
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: [known, unknown] })).assignEnrollmentProfile;
    expect(results.map((r: any) => r.status)).toEqual(['NOT_ACCESSIBLE', 'NOT_ACCESSIBLE']);
    expect(results[1].message).toMatch(/when a sync sees the device/);
    expect(await device(token, unknown)).toMatchObject({
      source: 'IMPORT',
      requested_profile_id: profile.rowId,
      profile_id: null,
      profile_status: 'EMPTY',
      last_assignment_result: 'NOT_ACCESSIBLE',
      assignment_failure_count: 1,
      next_assignment_retry_at: null,
    });
    expect(await device(token, known)).toMatchObject({ source: 'SYNC', requested_profile_id: profile.rowId, last_assignment_result: 'NOT_ACCESSIBLE' });

    const imported = await t.ok(`query ($t: ID!) { devices(filter: {tokenId: $t, source: IMPORT}) { edges { node { serialNumber requestedProfile { id } } } } }`, { t: token.id });
    expect(imported.devices.edges.map((e: any) => e.node)).toContainEqual({ serialNumber: unknown, requestedProfile: { id: profile.id } });
  });

  it("THROTTLED: Apple's retry_after_seconds is returned and becomes the device's next retry time", async () => {
    const [serial] = serials('THRT', 1);
    await createDevices(t, token, [serial]);
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [serial]: 'THROTTLED' });
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: [serial] })).assignEnrollmentProfile;
    expect(results[0]).toMatchObject({ serialNumber: serial, status: 'THROTTLED', retryAfterSeconds: 60 });
    expect(await device(token, serial)).toMatchObject({
      last_assignment_result: 'THROTTLED',
      last_assignment_at: t.clock.now(),
      assignment_failure_count: 1,
      next_assignment_retry_at: new Date(t.clock.now().getTime() + 60 * SECOND_MS),
      requested_profile_id: profile.rowId,
      profile_id: null,
    });
    const filtered = await t.ok(`{ devices(filter: {assignmentResult: THROTTLED}) { edges { node { serialNumber nextAssignmentRetryAt } } } }`);
    expect(filtered.devices.edges.map((e: any) => e.node.serialNumber)).toEqual([serial]);
  });

  it('FAILED: a 24-hour cooldown and a failure count that grows; a later success resets both', async () => {
    const [serial] = serials('FAIL', 1);
    await createDevices(t, token, [serial]);
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [serial]: 'FAILED' });
    await t.ok(ASSIGN, { p: profile.id, s: [serial] });
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: [serial] })).assignEnrollmentProfile;
    expect(results[0].status).toBe('FAILED');
    expect(await device(token, serial)).toMatchObject({
      assignment_failure_count: 2,
      next_assignment_retry_at: new Date(t.clock.now().getTime() + DAY_MS),
    });
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [serial]: null });
    await t.ok(ASSIGN, { p: profile.id, s: [serial] });
    expect(await device(token, serial)).toMatchObject({
      last_assignment_result: 'SUCCESS',
      assignment_failure_count: 0,
      next_assignment_retry_at: null,
      requested_profile_id: null,
      profile_id: profile.rowId,
    });
  });

  it('REJECTED without asking Apple: malformed serials and devices deleted here; duplicates and case collapse', async () => {
    const [deleted, fine] = serials('REJ', 2);
    await createDevices(t, token, [deleted, fine]);
    const [{ id }] = await t.app.dataSource.query(`SELECT id FROM devices WHERE serial_number = $1`, [deleted]);
    await t.ok(`mutation ($id: ID!) { deleteDevice(input: {deviceId: $id}) { deletedDeviceId } }`, { id: toGlobalId('Device', id) });
    await clearAppleRequests(t);
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: ['bad serial!', 'SHORT', deleted, fine.toLowerCase(), ` ${fine} `] })).assignEnrollmentProfile;
    expect(results.map((r: any) => [r.serialNumber, r.status])).toEqual([
      ['BAD SERIAL!', 'REJECTED'],
      ['SHORT', 'REJECTED'],
      [deleted, 'REJECTED'],
      [fine, 'SUCCESS'],
    ]);
    expect(results[2].message).toMatch(/deleted from depgate/);
    expect(await appleRequests(t, '/profile/devices')).toHaveLength(1);
  });

  it('tells that an enrolled device gets the new profile only after a wipe', async () => {
    const [serial] = serials('PUSH', 1);
    await createDevices(t, token, [serial]);
    await t.app.dataSource.query(`UPDATE devices SET profile_status = 'PUSHED' WHERE serial_number = $1`, [serial]);
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: [serial] })).assignEnrollmentProfile;
    expect(results[0]).toMatchObject({ status: 'SUCCESS' });
    expect(results[0].message).toMatch(/wiped/);
  });

  it('refuses no serials, more than 10,000, an invisible profile and the READER role', async () => {
    expect((await t.gql(ASSIGN, { p: profile.id, s: [' '] })).errors?.[0].extensions?.code).toBe('SERIAL_NUMBERS_REQUIRED');
    const tooMany = await t.gql(ASSIGN, { p: profile.id, s: serials('MANY', 10_001) });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', max: 10000 });
    const reader = await t.createKey('READER');
    expect((await t.gql(ASSIGN, { p: profile.id, s: ['C02ZZ0NEW001'] }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "assign-elsewhere"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('OPERATOR', [tag]);
    expect((await t.gql(ASSIGN, { p: profile.id, s: ['C02ZZ0NEW001'] }, scoped)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('Apple unavailable or rate limiting on the first request: a typed error and nothing stored', async () => {
    const fresh = serials('DOWN', 2);
    await t.simControl('POST', '/_sim/faults', { status: 503, count: 3, path: '/profile/devices' });
    const down = await t.gql(ASSIGN, { p: profile.id, s: fresh });
    expect(down.errors?.[0].extensions?.code).toBe('APPLE_UNAVAILABLE');
    await t.simControl('POST', '/_sim/faults', { status: 429, retryAfter: 120, count: 1, path: '/profile/devices' });
    const limited = await t.gql(ASSIGN, { p: profile.id, s: fresh });
    expect(limited.errors?.[0].extensions).toMatchObject({ code: 'APPLE_RATE_LIMITED', retryAfterSeconds: 120 });
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE serial_number = ANY($1)`, [fresh]);
    expect(n).toBe(0);
  });

  it('a rate limit after the first chunk keeps what Apple answered and reports the rest THROTTLED, unsent', async () => {
    const many = serials('HALF', 1500);
    await createDevices(t, token, many);
    // Apple answers the first request and refuses the second with a Retry-After longer than the
    // client waits by itself.
    await t.simControl('POST', '/_sim/faults', { status: 429, retryAfter: 300, count: 1, after: 1, path: '/profile/devices' });
    const { results } = (await t.ok(ASSIGN, { p: profile.id, s: many })).assignEnrollmentProfile;
    expect(results.slice(0, 1000).every((r: any) => r.status === 'SUCCESS')).toBe(true);
    expect(results.slice(1000).every((r: any) => r.status === 'THROTTLED' && r.retryAfterSeconds === 300)).toBe(true);
    const [{ assigned, waiting }] = await t.app.dataSource.query(
      `SELECT count(*) FILTER (WHERE last_assignment_result = 'SUCCESS')::int AS assigned,
              count(*) FILTER (WHERE last_assignment_result = 'THROTTLED' AND requested_profile_id = $2
                                 AND next_assignment_retry_at = $3::timestamptz + interval '300 seconds')::int AS waiting
         FROM devices WHERE serial_number = ANY($1)`,
      [many, profile.rowId, t.clock.now()],
    );
    // The unsent half keeps the requested profile and waits out Apple's Retry-After.
    expect({ assigned, waiting }).toEqual({ assigned: 1000, waiting: 500 });
  });
});

describe('autoAssign (the sync engine calls it after each page)', () => {
  let token: UploadedToken;
  let defaultProfile: { id: string; rowId: string; appleProfileUuid: string };
  let requested: { id: string; rowId: string; appleProfileUuid: string };
  beforeAll(async () => {
    token = await uploadToken(t, 'auto-token');
    defaultProfile = await createProfile(token, 'Default');
    requested = await createProfile(token, 'Requested');
    await t.ok(`mutation ($t: ID!, $p: ID) { setDefaultEnrollmentProfile(input: {tokenId: $t, profileId: $p}) { token { id } } }`, {
      t: token.id,
      p: defaultProfile.id,
    });
  });

  it('gives the requested profile, else the default to devices without one; skips cooldowns, holders and unknown serials', async () => {
    const [plain, asked, cooling, holding] = serials('AUTO', 4);
    await createDevices(t, token, [plain, asked, cooling, holding]);
    await t.app.dataSource.query(`UPDATE devices SET requested_profile_id = $1 WHERE serial_number = $2`, [requested.rowId, asked]);
    await t.app.dataSource.query(`UPDATE devices SET next_assignment_retry_at = $1, requested_profile_id = $2 WHERE serial_number = $3`, [
      new Date(t.clock.now().getTime() + HOUR_MS),
      requested.rowId,
      cooling,
    ]);
    await t.app.dataSource.query(`UPDATE devices SET profile_id = $1, apple_profile_uuid = $2, profile_status = 'ASSIGNED' WHERE serial_number = $3`, [
      requested.rowId,
      requested.appleProfileUuid,
      holding,
    ]);
    await clearAppleRequests(t);
    const result = await t.app.services.assignments.autoAssign(token.rowId, [plain, asked, cooling, holding, 'C02UNKNOWN01']);
    expect(result).toEqual({ assigned: 2, failed: 0, skipped: 3 });
    expect(await appleRequests(t, '/profile/devices')).toHaveLength(2); // one per profile
    expect(await device(token, plain)).toMatchObject({ profile_id: defaultProfile.rowId, profile_status: 'ASSIGNED' });
    expect(await device(token, asked)).toMatchObject({ profile_id: requested.rowId, requested_profile_id: null });
    expect(await device(token, cooling)).toMatchObject({ profile_id: null, last_assignment_result: null });

    t.clock.advance(2 * HOUR_MS);
    expect(await t.app.services.assignments.autoAssign(token.rowId, [cooling])).toEqual({ assigned: 1, failed: 0, skipped: 0 });
    expect(await device(token, cooling)).toMatchObject({ profile_id: requested.rowId, next_assignment_retry_at: null });
  });

  it('stores each chunk of 1,000 in one statement, and puts FAILED devices in cooldown', async () => {
    const many = serials('ACHK', 2100);
    await createDevices(t, token, many);
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/assignment-outcomes`, { [many[5]]: 'FAILED' });
    const { result, statements } = await countStatements(
      () => t.app.services.assignments.autoAssign(token.rowId, many),
      /^\s*UPDATE devices/,
    );
    expect(result).toEqual({ assigned: 2099, failed: 1, skipped: 0 });
    expect(statements).toHaveLength(3);
    expect(await device(token, many[5])).toMatchObject({
      last_assignment_result: 'FAILED',
      next_assignment_retry_at: new Date(t.clock.now().getTime() + DAY_MS),
      profile_id: null,
    });
    // Within the cooldown the next page's call leaves it alone.
    expect(await t.app.services.assignments.autoAssign(token.rowId, [many[5]])).toEqual({ assigned: 0, failed: 0, skipped: 1 });
  });

  it('records a whole-request throttle on the devices it concerned and does not throw', async () => {
    const [a, b] = serials('ATHR', 2);
    await createDevices(t, token, [a, b]);
    await t.simControl('POST', '/_sim/faults', { status: 429, retryAfter: 600, count: 1, path: '/profile/devices' });
    expect(await t.app.services.assignments.autoAssign(token.rowId, [a, b])).toEqual({ assigned: 0, failed: 2, skipped: 0 });
    expect(await device(token, a)).toMatchObject({
      last_assignment_result: 'THROTTLED',
      next_assignment_retry_at: new Date(t.clock.now().getTime() + 600 * SECOND_MS),
    });
  });

  it('stops when the signal aborts', async () => {
    const [a] = serials('ABRT', 1);
    await createDevices(t, token, [a]);
    const controller = new AbortController();
    controller.abort();
    await expect(t.app.services.assignments.autoAssign(token.rowId, [a], { signal: controller.signal })).rejects.toMatchObject({ kind: 'ABORTED' });
    expect(await device(token, a)).toMatchObject({ last_assignment_result: null });
  });
});
