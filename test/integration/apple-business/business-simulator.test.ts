/**
 * The simulator's School and Business API over real HTTP, driven by depgate's own client where the
 * happy path is concerned and by raw requests where a client would never send what is tested.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { SignJWT } from 'jose';
import { ManualClock } from '../../../src/clock';
import { BusinessApi, parseActivityLog } from '../../../src/apple/business-api';
import { AppleBusinessError, BusinessClient, BusinessSession, signClientAssertion, ASSERTION_AUDIENCE } from '../../../src/apple/business-client';
import { refusalOf } from '../../../src/apple-business/account.service';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { SimControl, appleHeaders, credentialsFromToken, decryptTokenFile, makeVendorIdentity, rawSession } from '../../support/sim-support';

const vendor = makeVendorIdentity();

interface Issued {
  clientId: string;
  keyId: string;
  privateKeyPkcs8Pem: string;
  privateKeySec1Pem: string;
}

describe('simulator: Apple School and Business API', () => {
  let sim: RunningSimulator;
  let control: SimControl;
  let clock: ManualClock;
  let account: Issued;
  const sleeps: number[] = [];
  const tokenCalls: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    if (String(input).includes('/auth/oauth2/')) tokenCalls.push(String(input));
    return fetch(input, init);
  };

  const clientFor = (issued: Issued, options: { pem?: string; scope?: 'BUSINESS' | 'SCHOOL'; apiUrl?: string; fetchImpl?: typeof fetch } = {}) => {
    const privateKey = createPrivateKey(options.pem ?? issued.privateKeyPkcs8Pem);
    return new BusinessClient({
      apiUrl: options.apiUrl ?? sim.businessUrl,
      tokenUrl: sim.oauthTokenUrl,
      clientId: issued.clientId,
      scope: options.scope ?? 'BUSINESS',
      assertion: async () => (await signClientAssertion({ clientId: issued.clientId, keyId: issued.keyId, privateKey, now: clock.now() })).jwt,
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 30_000 },
      timeoutMs: 10_000,
      session: new BusinessSession(),
      fetchImpl: options.fetchImpl ?? countingFetch,
    });
  };

  const tokenRequest = (fields: Record<string, string>, path = '/auth/oauth2/token') =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  const baseFields = (assertion: string) => ({
    grant_type: 'client_credentials',
    client_id: account.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: 'business.api',
  });

  const assertionWith = async (claims: { aud?: string; iat?: number; exp?: number; sub?: string; kid?: string }, pem = account.privateKeyPkcs8Pem) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: claims.kid ?? account.keyId })
      .setSubject(claims.sub ?? account.clientId)
      .setIssuer(claims.sub ?? account.clientId)
      .setAudience(claims.aud ?? ASSERTION_AUDIENCE)
      .setIssuedAt(claims.iat ?? now)
      .setExpirationTime(claims.exp ?? now + 86_400)
      .sign(createPrivateKey(pem));
  };

  beforeEach(async () => {
    clock = new ManualClock('2026-06-01T08:00:00Z');
    sim = await startSimulator({ clock });
    control = new SimControl(sim.url);
    account = await control.call<Issued>('POST', '/business/clients', {});
    sleeps.length = 0;
    tokenCalls.length = 0;
  });
  afterEach(() => sim.close());

  describe('token endpoint', () => {
    it('issues an hour-long bearer token for a valid assertion, from a PKCS#8 or a SEC1 key, on both paths and encodings', async () => {
      const good = await tokenRequest(baseFields(await assertionWith({})));
      expect(good.status).toBe(200);
      expect(await good.json()).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'business.api' });
      const v2 = await tokenRequest(baseFields(await assertionWith({}, account.privateKeySec1Pem)), '/auth/oauth2/v2/token');
      expect(v2.status).toBe(200);
      const query = new URLSearchParams(baseFields(await assertionWith({})));
      const inQuery = await fetch(`${sim.url}/auth/oauth2/token?${query}`, { method: 'POST' });
      expect(inQuery.status).toBe(200);
    });

    it.each([
      ['the wrong audience', { aud: 'https://account.apple.com/auth/oauth2/token' }],
      ['an expiry more than 180 days after iat', { exp: Math.floor(Date.parse('2026-06-01T08:00:00Z') / 1000) + 181 * 86_400 }],
      ['an expired assertion', { iat: Math.floor(Date.parse('2026-05-01T00:00:00Z') / 1000), exp: Math.floor(Date.parse('2026-05-02T00:00:00Z') / 1000) }],
      ['another subject', { sub: 'BUSINESSAPI.someone-else' }],
      ['another key id', { kid: '00000000-0000-0000-0000-000000000000' }],
    ])('answers 400 invalid_client to %s', async (_what, claims) => {
      const response = await tokenRequest(baseFields(await assertionWith(claims)));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_client' });
    });

    it('refuses a signature by a key the simulator did not issue, a disabled client, and the wrong scope', async () => {
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const forged = await tokenRequest(baseFields(await assertionWith({}, stranger)));
      expect(await forged.json()).toEqual({ error: 'invalid_client' });
      const wrongScope = await tokenRequest({ ...baseFields(await assertionWith({})), scope: 'school.api' });
      expect(wrongScope.status).toBe(400);
      expect(await wrongScope.json()).toEqual({ error: 'invalid_scope' });
      await control.call('POST', `/business/clients/${account.clientId}/disable`, {});
      const disabled = await tokenRequest(baseFields(await assertionWith({})));
      expect(await disabled.json()).toEqual({ error: 'invalid_client' });
    });

    it('through the client: reuses the access token, and after a 401 fetches a new one once', async () => {
      const client = clientFor(account);
      const api = new BusinessApi(client);
      await api.mdmServers();
      await api.mdmServers();
      expect(tokenCalls).toHaveLength(1);
      await control.call('POST', '/business/access-tokens/expire', {});
      await api.mdmServers();
      expect(tokenCalls).toHaveLength(2);
      clock.advance(56 * 60_000);
      await api.mdmServers();
      expect(tokenCalls).toHaveLength(3);
      await control.call('POST', `/business/clients/${account.clientId}/disable`, {});
      await expect(api.mdmServers()).rejects.toMatchObject({ kind: 'INVALID_CLIENT' });
    });

    it('through the client: a 401 or a 403 that persists is retried once with a new token, then reaches the caller as Apple refusing the account', async () => {
      // Withdrawn rights at the simulator: every API request answers 403, tokens are still issued.
      await control.call('POST', `/business/clients/${account.clientId}/forbid`, {});
      const forbidden = await new BusinessApi(clientFor(account)).mdmServers().catch((e: unknown) => e);
      expect(forbidden).toMatchObject({ kind: 'FORBIDDEN', status: 403, endpoint: 'GET /v1/mdmServers' });
      expect(tokenCalls).toHaveLength(2);
      expect(refusalOf(forbidden)).toBe('HTTP 403 to GET /v1/mdmServers with a new access token');
      await control.call('POST', `/business/clients/${account.clientId}/forbid`, { forbidden: false });

      // A 401 to every API request, whatever the token (the simulator's tokens keep working, so a stand-in answers).
      tokenCalls.length = 0;
      const apiCalls: string[] = [];
      const unauthorized: typeof fetch = (input, init) => {
        if (!String(input).includes('/v1/')) return countingFetch(input, init);
        apiCalls.push(String(input));
        return Promise.resolve(new Response(JSON.stringify({ errors: [{ status: '401', code: 'NOT_AUTHORIZED', title: 'Unauthorized', detail: 'no' }] }), { status: 401 }));
      };
      const refused = await new BusinessApi(clientFor(account, { fetchImpl: unauthorized })).mdmServers().catch((e: unknown) => e);
      expect(refused).toMatchObject({ kind: 'UNAUTHORIZED', status: 401 });
      expect(apiCalls).toHaveLength(2);
      expect(tokenCalls).toHaveLength(2);
      expect(refusalOf(refused)).toBe('HTTP 401 to GET /v1/mdmServers with a new access token');
    });

    it('through the client: concurrent calls share one token request, and after a 401 the token is fetched once for all', async () => {
      const api = new BusinessApi(clientFor(account));
      await Promise.all(Array.from({ length: 8 }, () => api.mdmServers()));
      expect(tokenCalls).toHaveLength(1);
      await control.call('POST', '/business/access-tokens/expire', {});
      await Promise.all(Array.from({ length: 8 }, () => api.mdmServers()));
      expect(tokenCalls).toHaveLength(2);
    });
  });

  describe('API conventions', () => {
    it('answers 401 with an errors[] body without a token, and 403 to a token of the other product', async () => {
      const response = await fetch(`${sim.businessUrl}/v1/orgDevices`);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
      expect(body.errors[0]).toMatchObject({ status: '401', code: expect.any(String), title: expect.any(String), detail: expect.any(String) });
      const school = new BusinessApi(clientFor(account, { apiUrl: sim.schoolUrl }));
      await expect(school.mdmServers()).rejects.toMatchObject({ kind: 'FORBIDDEN', status: 403 });
    });

    it('pages orgDevices with cursor and limit up to 1000, refuses 1001, and projects sparse fieldsets', async () => {
      await control.call('POST', '/business/devices', { count: 2500, orderNumber: 'ORDER-1', productFamily: 'iPad' });
      const api = new BusinessApi(clientFor(account));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.orgDevices(1000, cursor);
        pages++;
        seen.push(...page.data.map((d) => d.id));
        cursor = page.meta?.paging?.nextCursor;
        if (cursor) expect(page.links?.next).toContain('cursor=');
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(2500);

      const token = await clientFor(account).accessToken();
      const headers = { authorization: `Bearer ${token}` };
      const tooMany = await fetch(`${sim.businessUrl}/v1/orgDevices?limit=1001`, { headers });
      expect(tooMany.status).toBe(400);
      expect(((await tooMany.json()) as { errors: Array<{ source?: unknown }> }).errors[0].source).toEqual({ parameter: 'limit' });
      const sparse = await fetch(`${sim.businessUrl}/v1/orgDevices?limit=1&fields[orgDevices]=serialNumber,orderNumber`, { headers });
      const one = ((await sparse.json()) as { data: Array<{ attributes: Record<string, unknown> }> }).data[0];
      expect(one.attributes).toEqual({ serialNumber: seen[0], orderNumber: 'ORDER-1' });
      const missing = await fetch(`${sim.businessUrl}/v1/orgDevices/NOPE`, { headers });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('NOT_FOUND');
    });

    it('answers 429 with Retry-After on demand, which the client honours', async () => {
      await control.call('POST', '/business/rate-limit', { count: 2, retryAfterSeconds: 7 });
      const api = new BusinessApi(clientFor(account));
      await expect(api.mdmServers()).resolves.toEqual([]);
      expect(sleeps).toEqual([7000, 7000]);
      await control.call('POST', '/business/rate-limit', { count: 5, retryAfterSeconds: 1 });
      await expect(api.mdmServers()).rejects.toMatchObject({ kind: 'RATE_LIMITED', retryAfterSeconds: 1 });
    });
  });

  describe('one organisation with the DEP side', () => {
    const certificateBase64 = () => forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(vendor.certificatePem))).getBytes());

    it('creates an MDM server, assigns devices by an activity that completes after the delay, and the DEP fetch sees them', async () => {
      const api = new BusinessApi(clientFor(account));
      const server = await api.createMdmServer({ serverName: 'Fleet MDM', certificateName: 'fleet.cer', certificateBase64: certificateBase64() });
      expect(server.attributes).toMatchObject({ serverName: 'Fleet MDM', serverType: 'MDM', deviceCount: 0, status: 'ACTIVE' });
      await expect(api.createMdmServer({ serverName: 'Fleet MDM', certificateName: 'x.cer', certificateBase64: certificateBase64() })).rejects.toMatchObject({ kind: 'CONFLICT', status: 409 });
      const { serialNumbers } = await control.call<{ serialNumbers: string[] }>('POST', '/business/devices', { count: 3, orderNumber: 'PO-7' });
      await control.call('POST', '/business/activity-delay', { ms: 10_000 });

      const activity = await api.createActivity({ type: 'ASSIGN_DEVICES', mdmServerId: server.id, serials: serialNumbers });
      expect(activity.attributes).toMatchObject({ status: 'IN_PROGRESS', subStatus: 'SUBMITTED' });
      clock.advance(5_000);
      expect((await api.activity(activity.id)).attributes).toMatchObject({ status: 'IN_PROGRESS', subStatus: 'PROCESSING' });
      clock.advance(5_000);
      const done = await api.activity(activity.id);
      expect(done.attributes).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_SUCCESS', completedDateTime: expect.any(String), downloadUrl: expect.any(String) });
      const log = parseActivityLog(await clientFor(account).download(done.attributes!.downloadUrl!));
      expect(log).toEqual(serialNumbers.map((serialNumber) => ({ serialNumber, status: 'SUCCESS', subStatus: 'ASSIGNED' })));

      // The admin downloads the server token in the portal; with it the DEP side lists the devices.
      const { tokenFile } = await control.call<{ tokenFile: string }>('GET', `/business/mdmServers/${server.id}/token`);
      const session = await rawSession(sim.url, credentialsFromToken(decryptTokenFile(tokenFile, vendor.privateKey)), clock.now().getTime());
      const fetched = await fetch(`${sim.url}/server/devices`, { method: 'POST', headers: appleHeaders(session), body: '{}' });
      const page = (await fetched.json()) as { devices: Array<{ serial_number: string }> };
      expect(page.devices.map((d) => d.serial_number).sort()).toEqual([...serialNumbers].sort());

      const servers = await api.mdmServers();
      expect(servers.find((s) => s.id === server.id)?.attributes?.deviceCount).toBe(3);
      const again = await api.createActivity({ type: 'ASSIGN_DEVICES', mdmServerId: server.id, serials: [serialNumbers[0]] });
      clock.advance(10_000);
      expect((await api.activity(again.id)).attributes?.subStatus).toBe('COMPLETED_WITH_ERROR');
    });

    it('refuses activities Apple refuses: an unknown serial or server, a deadline beyond 90 days (409)', async () => {
      const api = new BusinessApi(clientFor(account));
      const server = await api.createMdmServer({ serverName: 'A', certificateName: 'a.cer', certificateBase64: certificateBase64() });
      const { serialNumbers } = await control.call<{ serialNumbers: string[] }>('POST', '/business/devices', { count: 1 });
      await expect(api.createActivity({ type: 'ASSIGN_DEVICES', mdmServerId: server.id, serials: ['NOPE'] })).rejects.toMatchObject({ status: 409 });
      await expect(api.createActivity({ type: 'ASSIGN_DEVICES', mdmServerId: 'FFFF', serials: serialNumbers })).rejects.toMatchObject({ status: 409 });
      await expect(
        api.createActivity({ type: 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', mdmServerId: server.id, serials: serialNumbers, deadline: new Date(clock.now().getTime() + 91 * 86_400_000) }),
      ).rejects.toBeInstanceOf(AppleBusinessError);
      await expect(api.updateMdmServer(server.id, { defaultProductFamilies: ['IPAD'] })).resolves.toMatchObject({ attributes: { defaultProductFamilies: ['IPAD'] } });
    });
  });
});
