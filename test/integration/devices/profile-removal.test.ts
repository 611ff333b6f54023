/**
 * removeEnrollmentProfile: Apple's DELETE /profile/devices through the simulator, per-serial
 * results like assignment's, what is stored on the devices, the default rule not giving the
 * profile back, role and scope, bounded input, the audit trail.
 */
import { randomUUID } from 'node:crypto';
import { MAX_SERIALS_PER_ASSIGN_CALL } from '../../../src/devices/assignment.service';
import { appleRequests, clearAppleRequests, createDevices, serials, simDevices, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

const ASSIGN = `mutation ($p: ID!, $s: [String!]!) { assignEnrollmentProfile(input: {profileId: $p, serialNumbers: $s}) { results { status } } }`;
const REMOVE = `mutation ($s: [String!]!) { removeEnrollmentProfile(input: {serialNumbers: $s}) { results { serialNumber status message retryAfterSeconds } } }`;

async function createProfile(token: UploadedToken): Promise<{ id: string; rowId: string }> {
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id appleProfileUuid } } }`, {
      input: { tokenId: token.id, name: `P ${randomUUID().slice(0, 6)}` },
    })
  ).createEnrollmentProfile.profile;
  const [{ id }] = await t.app.dataSource.query(`SELECT id FROM enrollment_profiles WHERE apple_profile_uuid = $1`, [profile.appleProfileUuid]);
  return { id: profile.id, rowId: id };
}

async function deviceRow(serial: string) {
  const [row] = await t.app.dataSource.query(`SELECT * FROM devices WHERE serial_number = $1`, [serial]);
  return row;
}

describe('removeEnrollmentProfile', () => {
  let token: UploadedToken;
  let profile: { id: string; rowId: string };
  beforeAll(async () => {
    token = await uploadToken(t, 'remove-token');
    profile = await createProfile(token);
  });

  it('clears the profile at Apple and here, answers per serial in the order given, and the default rule does not give it back', async () => {
    const [assigned, notAtApple] = serials('RMOK', 2);
    await createDevices(t, token, [assigned!]);
    await createDevices(t, token, [notAtApple!], { depgateOnly: true });
    await t.ok(ASSIGN, { p: profile.id, s: [assigned] });
    expect((await simDevices(t, token)).get(assigned!)?.profile_status).toBe('assigned');
    await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = $2 WHERE id = $1`, [token.rowId, profile.rowId]);

    await clearAppleRequests(t);
    const { results } = (await t.ok(REMOVE, { s: [assigned!.toLowerCase(), notAtApple, 'bad!', 'C02NOSUCH001', assigned] })).removeEnrollmentProfile;
    expect(results).toEqual([
      { serialNumber: assigned, status: 'SUCCESS', message: null, retryAfterSeconds: null },
      { serialNumber: notAtApple, status: 'NOT_ACCESSIBLE', message: expect.stringMatching(/does not hold/), retryAfterSeconds: null },
      { serialNumber: 'BAD!', status: 'REJECTED', message: expect.any(String), retryAfterSeconds: null },
      { serialNumber: 'C02NOSUCH001', status: 'REJECTED', message: expect.stringMatching(/no device/), retryAfterSeconds: null },
    ]);
    const calls = await appleRequests(t, '/profile/devices');
    expect(calls.map((c) => [c.method, c.status])).toEqual([['DELETE', 200]]);

    const atApple = (await simDevices(t, token)).get(assigned!)!;
    expect(atApple.profile_status).toBe('empty');
    expect(atApple.profile_uuid).toBeUndefined();
    const shown = await t.ok(`query ($s: String!) { devices(filter: {serialNumberPrefix: $s}) { edges { node { profileStatus profile { id } appleProfileUuid profileRemovedAt } } } }`, {
      s: assigned,
    });
    expect(shown.devices.edges.map((e: any) => e.node)).toEqual([{ profileStatus: 'EMPTY', profile: null, appleProfileUuid: null, profileRemovedAt: t.clock.now().toISOString() }]);

    const auto = await t.app.services.assignments.autoAssign(token.rowId, [assigned!]);
    expect(auto).toEqual({ assigned: 0, failed: 0, skipped: 1 });
    // An explicit assignment is the admin changing their mind: it clears the removal.
    await t.ok(ASSIGN, { p: profile.id, s: [assigned] });
    expect(await deviceRow(assigned!)).toMatchObject({ profile_status: 'ASSIGNED', profile_removed_at: null });
    await t.app.dataSource.query(`UPDATE dep_tokens SET default_profile_id = NULL WHERE id = $1`, [token.rowId]);
  });

  it('sends 2,500 serials as three requests of at most 1,000', async () => {
    const many = serials('RMBULK', 2500);
    await createDevices(t, token, many);
    await clearAppleRequests(t);
    const { results } = (await t.ok(REMOVE, { s: many })).removeEnrollmentProfile;
    expect(new Set(results.map((r: any) => r.status))).toEqual(new Set(['SUCCESS']));
    const calls = await appleRequests(t, '/profile/devices');
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.method === 'DELETE')).toBe(true);
  });

  it('refuses an empty or oversized list with a typed code, sending nothing', async () => {
    await clearAppleRequests(t);
    const empty = await t.gql(REMOVE, { s: ['  '] });
    expect(empty.errors?.[0]?.extensions?.code).toBe('SERIAL_NUMBERS_REQUIRED');
    const tooMany = await t.gql(REMOVE, { s: Array.from({ length: MAX_SERIALS_PER_ASSIGN_CALL + 1 }, (_, i) => `X${i}`) });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SERIAL_NUMBERS');
    expect(await appleRequests(t, '/profile/devices')).toHaveLength(0);
  });

  it("a whole request Apple refuses fails the call with Apple's code and changes nothing", async () => {
    const [serial] = serials('RMDOWN', 1);
    await createDevices(t, token, [serial!]);
    await t.ok(ASSIGN, { p: profile.id, s: [serial] });
    await t.simControl('POST', '/_sim/faults', { status: 503, count: 5, path: '/profile/devices' });
    const res = await t.gql(REMOVE, { s: [serial] });
    await t.simControl('DELETE', '/_sim/faults');
    expect(res.errors?.[0]?.extensions?.code).toBe('APPLE_UNAVAILABLE');
    expect(await deviceRow(serial!)).toMatchObject({ profile_status: 'ASSIGNED', profile_removed_at: null });
  });

  it('needs OPERATOR, leaves devices of tokens outside the key’s scope alone, and is audited', async () => {
    const [serial] = serials('RMSCOPE', 1);
    await createDevices(t, token, [serial!]);
    const reader = await t.createKey('READER');
    expect((await t.gql(REMOVE, { s: [serial] }, reader)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tag = (await t.ok(`mutation { createScopeTag(input: {name: "remove-elsewhere"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
    const scoped = await t.createKey('OPERATOR', [tag]);
    await clearAppleRequests(t);
    const { results } = (await t.ok(REMOVE, { s: [serial] }, scoped)).removeEnrollmentProfile;
    expect(results.map((r: any) => r.status)).toEqual(['REJECTED']);
    expect(await appleRequests(t, '/profile/devices')).toHaveLength(0);
    const events = await t.app.dataSource.query(`SELECT outcome, actor_role FROM audit_events WHERE operation = 'removeEnrollmentProfile' ORDER BY seq`);
    expect(events).toContainEqual({ outcome: 'FAILED', actor_role: 'READER' });
    expect(events).toContainEqual({ outcome: 'SUCCEEDED', actor_role: 'OPERATOR' });
  });
});
