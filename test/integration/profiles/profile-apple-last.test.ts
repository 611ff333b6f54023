/**
 * No Apple call before every database check has passed: a profile the database refuses (a value
 * PostgreSQL cannot store, a constraint) must not be defined at Apple, on create and on update,
 * and Apple refusing a profile must leave no row here. The simulator's own profile records are
 * the witness for "nothing at Apple".
 */
import { randomUUID } from 'node:crypto';
import { simProfiles, uploadToken, type UploadedToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let token: UploadedToken;

beforeAll(async () => {
  t = await startTestApp({ simulator: true, env: { ENROLLMENT_URL: 'https://mdm.example.com/enroll', MAX_PROFILES_PER_TOKEN: '3' } });
  token = await uploadToken(t, 'apple-last');
  // A constraint the application knows nothing about: the database alone refuses this name.
  await t.app.dataSource.query(`ALTER TABLE enrollment_profiles ADD CONSTRAINT test_db_refuses CHECK (name <> 'The database refuses this')`);
});
afterAll(() => t.close());

const CREATE = `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id name appleProfileUuid } } }`;
const UPDATE = `mutation ($input: UpdateEnrollmentProfileInput!) { updateEnrollmentProfile(input: $input) { profile { id name appleProfileUuid } } }`;

async function rows(): Promise<{ name: string; apple_profile_uuid: string | null }[]> {
  return t.app.dataSource.query(`SELECT name, apple_profile_uuid FROM enrollment_profiles WHERE token_id = $1 ORDER BY created_at`, [token.rowId]);
}

describe('a profile the database refuses is never defined at Apple', () => {
  it('on create: a constraint violation leaves no row and no Apple profile', async () => {
    const atAppleBefore = (await simProfiles(t, token)).length;
    const res = await t.gql(CREATE, { input: { tokenId: token.id, name: 'The database refuses this' } });
    expect(res.errors?.length).toBe(1);
    expect(res.data?.createEnrollmentProfile ?? null).toBeNull();
    expect(await rows()).toEqual([]);
    expect((await simProfiles(t, token)).length).toBe(atAppleBefore);
  });

  it('on create: a value PostgreSQL cannot store (NUL in a field Apple never sees) defines nothing at Apple', async () => {
    const atAppleBefore = (await simProfiles(t, token)).length;
    const res = await t.gql(CREATE, { input: { tokenId: token.id, name: `Sales ${randomUUID().slice(0, 6)}`, description: 'a\u0000b' } });
    expect(res.errors?.length).toBe(1);
    expect(await rows()).toEqual([]);
    expect((await simProfiles(t, token)).length).toBe(atAppleBefore);
  });

  it('on update: the refused change is not defined at Apple and the stored profile keeps its Apple definition', async () => {
    const created = (await t.ok(CREATE, { input: { tokenId: token.id, name: 'Accepted' } })).createEnrollmentProfile.profile;
    const atAppleBefore = await simProfiles(t, token);
    const res = await t.gql(UPDATE, { input: { profileId: created.id, name: 'The database refuses this' } });
    expect(res.errors?.length).toBe(1);
    expect(await simProfiles(t, token)).toEqual(atAppleBefore);
    expect(await rows()).toEqual([{ name: 'Accepted', apple_profile_uuid: created.appleProfileUuid }]);
    await t.app.dataSource.query(`DELETE FROM enrollment_profiles WHERE token_id = $1`, [token.rowId]);
  });

  it('Apple refusing the profile leaves no row here', async () => {
    await t.simControl('POST', '/_sim/faults', { status: 400, body: 'CONFIG_NAME_INVALID', count: 1, path: '/profile', method: 'POST' });
    const res = await t.gql(CREATE, { input: { tokenId: token.id, name: 'Refused by Apple' } });
    expect(res.errors?.[0].extensions?.code).toBe('PROFILE_REJECTED_BY_APPLE');
    expect(await rows()).toEqual([]);
  });

  it('an accepted profile is stored with the uuid Apple returned', async () => {
    const created = (await t.ok(CREATE, { input: { tokenId: token.id, name: 'Stored' } })).createEnrollmentProfile.profile;
    const atApple = (await simProfiles(t, token)).map((p) => p.profileUuid);
    expect(atApple).toContain(created.appleProfileUuid);
    expect(await rows()).toEqual([{ name: 'Stored', apple_profile_uuid: created.appleProfileUuid }]);
  });

  it('concurrent creations cannot pass MAX_PROFILES_PER_TOKEN, and the refused ones define nothing at Apple', async () => {
    const own = await uploadToken(t, 'apple-last-limit');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.gql(CREATE, { input: { tokenId: own.id, name: `Concurrent ${i}` } })),
    );
    const codes = results.map((r) => r.errors?.[0].extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['OK', 'OK', 'OK', 'PROFILE_LIMIT_REACHED', 'PROFILE_LIMIT_REACHED', 'PROFILE_LIMIT_REACHED']);
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM enrollment_profiles WHERE token_id = $1`, [own.rowId]);
    expect(n).toBe(3);
    expect((await simProfiles(t, own)).length).toBe(3);
  });
});
