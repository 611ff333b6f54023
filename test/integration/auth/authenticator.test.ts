import { AuthRefusal, Authenticator } from '../../../src/auth/authenticator';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';

let t: TestApp;
let authenticator: Authenticator;
beforeAll(async () => {
  t = await startTestApp();
  authenticator = new Authenticator(t.app.services.apiKeys);
});
afterAll(() => t.close());

const revoke = async (secret: string) => {
  const id = (await t.ok('{ viewer { apiKey { id } } }', undefined, secret)).viewer.apiKey.id;
  await t.ok('mutation ($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { id } } }', { id });
};

describe('Authenticator (the one API-key check both transports use)', () => {
  it('answers a valid key with its principal', async () => {
    const secret = await t.createKey('OPERATOR');
    const { principal, refusal } = await authenticator.authenticate(`Bearer ${secret}`);
    expect(refusal).toBeUndefined();
    expect(principal).toMatchObject({ role: 'OPERATOR', scopeTagIds: [] });
    expect(principal?.apiKeyId).toEqual(expect.any(String));
  });

  it.each([undefined, '', 'Basic abc', 'Bearer short', 42])('refuses %p as a missing key', async (authorization) => {
    expect(await authenticator.authenticate(authorization)).toEqual({ refusal: AuthRefusal.MISSING_KEY });
  });

  it('refuses an unknown and a revoked key as invalid', async () => {
    expect(await authenticator.authenticate('Bearer dg_not-a-real-key-at-all-0000000000')).toEqual({ refusal: AuthRefusal.INVALID_KEY });
    const secret = await t.createKey('READER');
    await revoke(secret);
    expect(await authenticator.authenticate(`Bearer ${secret}`)).toEqual({ refusal: AuthRefusal.INVALID_KEY });
  });

  it('gives a revoked key the same answer on both transports', async () => {
    const secret = await t.createKey('READER');
    await revoke(secret);
    const res = await t.gql('{ viewer { role } }', undefined, secret);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]).toMatchObject({ message: 'The API key is not valid or has been revoked', extensions: { code: 'UNAUTHENTICATED' } });
    await expect(wsRequest(t.ws(secret), '{ viewer { role } }')).rejects.toMatchObject({ code: 4403 });
  });

  it('names the missing key in the refusal on both transports', async () => {
    const res = await t.gql('{ viewer { role } }', undefined, null);
    expect(res.errors?.[0].message).toBe('An API key is required: send Authorization: Bearer <key>');
    await expect(wsRequest(t.ws(null), '{ viewer { role } }')).rejects.toMatchObject({
      code: 4401,
      reason: 'An API key is required (connection_init payload authorization)',
    });
  });
});
