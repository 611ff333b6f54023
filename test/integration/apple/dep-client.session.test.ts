import { AppleDepError } from '../../../src/apple/dep-errors';
import { DEFAULT_PROTOCOL_VERSION } from '../../../src/apple/dep-client';
import { caught, startHarness, type ClientHarness } from './client-support';
import { credentialsFromToken, decryptTokenFile } from '../../support/sim-support';

describe('DepClient session handling (against the simulator)', () => {
  let h: ClientHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('opens one session, then sends it with the required headers on every call', async () => {
    const client = h.client();
    await client.getAccount();
    await client.getAccount();
    const log = await h.requests();
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /session 200',
      'GET /account 200',
      'GET /account 200',
    ]);
    for (const r of log) {
      expect(r.userAgent).toBe('depgate-test/1.0');
      expect(r.protocolVersion).toBe(String(DEFAULT_PROTOCOL_VERSION));
      expect(r.contentType).toBe('application/json;charset=UTF8');
    }
    expect(log[0]).toMatchObject({ hasAuthorizationHeader: true, hasSessionHeader: false });
    expect(log[1]).toMatchObject({ hasAuthorizationHeader: false, hasSessionHeader: true, session: 'valid' });
  });

  it('shares one authentication between concurrent calls', async () => {
    const client = h.client();
    await Promise.all([client.getAccount(), client.getAccount(), client.getAccount(), client.getAccount()]);
    expect(await h.requests('/session')).toHaveLength(1);
  });

  it('switches to the session token the server rotates in a response header', async () => {
    const client = h.client();
    await client.getAccount();
    await h.control.call('POST', '/sessions/rotate');
    await client.getAccount(); // carries the fresh token back; the old one is now dead
    await client.getAccount();
    await client.getAccount();
    const log = await h.requests();
    expect(log.filter((r) => r.path === '/session')).toHaveLength(1);
    expect(log.filter((r) => r.sessionRotated)).toHaveLength(1);
    expect(log.filter((r) => r.path === '/account').map((r) => [r.status, r.session])).toEqual([
      [200, 'valid'],
      [200, 'valid'],
      [200, 'valid'],
      [200, 'valid'],
    ]);
  });

  it('on 401 re-authenticates once and retries the request', async () => {
    const client = h.client();
    await client.getAccount();
    await h.control.call('POST', '/sessions/expire');
    const account = await client.getAccount();
    expect(account.server_uuid).toBe(h.serverUuid);
    const log = await h.requests();
    expect(log.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/session 200',
      '/account 200',
      '/account 401',
      '/session 200',
      '/account 200',
    ]);
    expect(log[2].session).toBe('invalid');
    expect(h.sleeps).toEqual([]); // a re-auth is not a backoff retry
  });

  it('recovers when the session expires by the simulator clock', async () => {
    const client = h.client();
    await client.getAccount();
    h.clock.advance(6 * 60_000);
    await client.getAccount();
    const account = (await h.requests('/account')).map((r) => [r.status, r.session]);
    expect(account).toEqual([
      [200, 'valid'],
      [401, 'expired'],
      [200, 'valid'],
    ]);
  });

  it('a 401 again right after a successful re-authentication is transient: retried with backoff, then SESSION_REFUSED (not UNAUTHORIZED)', async () => {
    // Issue #9: the credentials were accepted a moment ago, so this is no verdict on the token.
    await h.control.fault({ status: 401, body: 'UNAUTHORIZED', count: 100, path: '/account' });
    const error = await caught(() => h.client().getAccount());
    expect(error).toBeInstanceOf(AppleDepError);
    expect(error).toMatchObject({ kind: 'SESSION_REFUSED', status: 401, retryable: true });
    // Three attempts (maxAttempts), each opening a session and re-authenticating once.
    expect(await h.requests('/account')).toHaveLength(6);
    expect(await h.requests('/session')).toHaveLength(6);
    expect(h.sleeps).toHaveLength(2);
  });

  it('two 401s in a row with a successful re-authentication between them recover on the next attempt', async () => {
    await h.control.fault({ status: 401, body: 'UNAUTHORIZED', count: 2, path: '/account' });
    const account = await h.client().getAccount();
    expect(account.server_uuid).toBe(h.serverUuid);
    expect((await h.requests('/account')).map((r) => r.status)).toEqual([401, 401, 200]);
  });

  it('wrong secrets: GET /session answers 401 signature_invalid -> UNAUTHORIZED, not retried', async () => {
    const client = h.client({ credentials: { ...h.credentials, accessSecret: 'AS_wrong' } });
    const error = await caught(() => client.getAccount());
    expect(error).toMatchObject({ kind: 'UNAUTHORIZED', appleCode: 'oauth_problem=signature_invalid' });
    expect(await h.requests('/session')).toHaveLength(1);
    expect(await h.requests('/account')).toHaveLength(0);
  });

  it('unknown consumer key and expired access token are refused', async () => {
    const unknown = await caught(() =>
      h.client({ credentials: { ...h.credentials, consumerKey: 'CK_0000' } }).getAccount(),
    );
    expect(unknown).toMatchObject({ kind: 'UNAUTHORIZED', appleCode: 'oauth_problem=consumer_key_unknown' });

    h.clock.advance(366 * 24 * 3600_000); // past the one-year access token
    const expired = await caught(() => h.client().getAccount());
    expect(expired).toMatchObject({ kind: 'UNAUTHORIZED', appleCode: 'oauth_problem=token_expired' });
  });

  it('renewal keeps consumer key and server uuid; the old token stops working', async () => {
    const oldClient = h.client();
    await oldClient.getAccount();
    const renewed = await h.control.call<{ tokenFile: string; serverUuid: string; consumerKey: string }>(
      'POST',
      `/servers/${h.serverUuid}/renew`,
      {},
    );
    const fresh = credentialsFromToken(decryptTokenFile(renewed.tokenFile, h.vendor.privateKey));
    expect(fresh.consumerKey).toBe(h.credentials.consumerKey);
    expect(renewed.serverUuid).toBe(h.serverUuid);
    expect(fresh.accessToken).not.toBe(h.credentials.accessToken);
    expect(fresh.accessSecret).not.toBe(h.credentials.accessSecret);

    const error = await caught(() => oldClient.getAccount());
    expect(error).toMatchObject({ kind: 'UNAUTHORIZED', appleCode: 'oauth_problem=token_rejected' });
    const account = await h.client({ credentials: fresh }).getAccount();
    expect(account.server_uuid).toBe(h.serverUuid);
  });
});
