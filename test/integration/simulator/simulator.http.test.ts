import { request as httpRequest } from 'node:http';
import { ManualClock, systemClock } from '../../../src/clock';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import type { DepDevicePage } from '../../../src/apple/dep.types';
import type { DepOAuthCredentials } from '../../../src/apple/dep-credentials';
import { SimControl, appleHeaders, makeVendorIdentity, rawSession, rawSessionResponse } from '../../support/sim-support';

const vendor = makeVendorIdentity();

/** node:http adds no User-Agent of its own (fetch does), so "missing" can really be missing. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('simulator over HTTP', () => {
  let sim: RunningSimulator;
  let control: SimControl;
  let clock: ManualClock;
  let serverUuid: string;
  let credentials: DepOAuthCredentials;
  let session: string;

  beforeEach(async () => {
    clock = new ManualClock('2025-06-01T08:00:00Z');
    sim = await startSimulator({ clock });
    control = new SimControl(sim.url);
    ({ serverUuid, credentials } = await control.createServer(vendor.certificatePem));
    session = await rawSession(sim.url, credentials, clock.now().getTime());
  });
  afterEach(() => sim.close());

  const post = async (path: string, body: unknown, headers = appleHeaders(session)) => {
    const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as DepDevicePage };
  };

  describe('required headers and sessions', () => {
    it('missing User-Agent -> 400 USER_AGENT_MISSING', async () => {
      const response = await rawGet(`${sim.url}/account`, {
        'x-server-protocol-version': '10',
        'x-adm-auth-session': session,
      });
      expect(response).toEqual({ status: 400, body: 'USER_AGENT_MISSING' });
    });

    it('missing or bad X-Server-Protocol-Version -> 400', async () => {
      const missing = await rawGet(`${sim.url}/account`, { 'user-agent': 'x', 'x-adm-auth-session': session });
      expect(missing).toEqual({ status: 400, body: 'PROTOCOL_VERSION_MISSING' });
      const bad = await rawGet(`${sim.url}/account`, {
        'user-agent': 'x',
        'x-server-protocol-version': 'three',
        'x-adm-auth-session': session,
      });
      expect(bad).toEqual({ status: 400, body: 'PROTOCOL_VERSION_INVALID' });
    });

    it('no, unknown or expired session -> 401', async () => {
      expect((await fetch(`${sim.url}/account`, { headers: appleHeaders() })).status).toBe(401);
      expect((await fetch(`${sim.url}/account`, { headers: appleHeaders('forged') })).status).toBe(401);
      expect((await fetch(`${sim.url}/account`, { headers: appleHeaders(session) })).status).toBe(200);
      clock.advance(5 * 60_000);
      expect((await fetch(`${sim.url}/account`, { headers: appleHeaders(session) })).status).toBe(401);
      const log = (await control.requests('/account')).requests.map((r) => r.session);
      expect(log).toEqual(['missing', 'invalid', 'valid', 'expired']);
    });

    it('a body that is not JSON -> 400 MALFORMED_REQUEST_BODY; wrong content type -> 415', async () => {
      const garbled = await fetch(`${sim.url}/server/devices`, { method: 'POST', headers: appleHeaders(session), body: '{nope' });
      expect([garbled.status, await garbled.text()]).toEqual([400, 'MALFORMED_REQUEST_BODY']);
      const text = await fetch(`${sim.url}/server/devices`, {
        method: 'POST',
        headers: appleHeaders(session, { 'content-type': 'text/plain' }),
        body: '{}',
      });
      expect(text.status).toBe(415);
    });
  });

  describe('GET /session (OAuth 1.0a)', () => {
    const now = () => clock.now().getTime();

    it('answers oauth_problem for each kind of bad request', async () => {
      const problem = async (response: Response) => [response.status, await response.text()];
      expect(await problem(await rawSessionResponse(sim.url, { ...credentials, consumerSecret: 'CS_x' }, now()))).toEqual([
        401,
        'oauth_problem=signature_invalid',
      ]);
      expect(await problem(await rawSessionResponse(sim.url, { ...credentials, accessToken: 'AT_x' }, now()))).toEqual([
        401,
        'oauth_problem=token_rejected',
      ]);
      expect(await problem(await rawSessionResponse(sim.url, credentials, now() - 11 * 60_000))).toEqual([
        401,
        'oauth_problem=timestamp_refused',
      ]);
      expect(await problem(await fetch(`${sim.url}/session`, { headers: appleHeaders() }))).toEqual([
        401,
        'oauth_problem=parameter_absent',
      ]);
      const hmacSha256 = await fetch(`${sim.url}/session`, {
        headers: appleHeaders(undefined, {
          authorization:
            'OAuth oauth_consumer_key="a", oauth_token="b", oauth_signature="c", oauth_timestamp="1", oauth_nonce="n", oauth_signature_method="HMAC-SHA256"',
        }),
      });
      expect(await problem(hmacSha256)).toEqual([401, 'oauth_problem=signature_method_rejected']);
    });

    it('refuses a replayed nonce', async () => {
      const first = await rawSessionResponse(sim.url, credentials, now(), { nonce: 'same-nonce' });
      expect(first.status).toBe(200);
      const replay = await rawSessionResponse(sim.url, credentials, now(), { nonce: 'same-nonce' });
      expect([replay.status, await replay.text()]).toEqual([401, 'oauth_problem=nonce_used']);
    });

    it('refuses an access token past its expiry by the simulator clock', async () => {
      const { credentials: short } = await control.createServer(vendor.certificatePem, {
        accessTokenExpiry: '2025-06-02T00:00:00Z',
      });
      expect((await rawSessionResponse(sim.url, short, now())).status).toBe(200);
      clock.set('2025-06-02T00:00:01Z');
      const late = await rawSessionResponse(sim.url, short, now());
      expect([late.status, await late.text()]).toEqual([401, 'oauth_problem=token_expired']);
    });
  });

  describe('devices', () => {
    it('creates 200,000 devices and serves a 1,000-device page from deep inside', async () => {
      const created = await control.call<{ created: number; total: number; serials: string[] }>(
        'POST',
        `/servers/${serverUuid}/devices`,
        { count: 200_000, serialPrefix: 'BULK' },
      );
      expect(created.created).toBe(200_000);
      expect(created.total).toBe(200_000);
      expect(new Set(created.serials).size).toBe(200_000);
      expect(created.serials.every((s) => /^BULK[0-9A-Z]{8}$/.test(s))).toBe(true);

      let cursor: string | undefined;
      let pages = 0;
      let devices = 0;
      for (;;) {
        const page = (await post('/server/devices', { cursor, limit: 1000 })).json();
        pages += 1;
        devices += page.devices.length;
        if (pages === 150) expect(page.devices[0].serial_number).toBe(created.serials[149_000]);
        cursor = page.cursor;
        if (!page.more_to_follow) break;
      }
      expect([pages, devices]).toEqual([200, 200_000]);
      const listed = await control.call<{ count: number }>('GET', `/servers/${serverUuid}/devices`);
      expect(listed.count).toBe(200_000);
    });

    it('a fetch pages through a snapshot; devices added meanwhile come through sync', async () => {
      await control.call('POST', `/servers/${serverUuid}/devices`, { count: 5 });
      const first = (await post('/server/devices', { limit: 2 })).json();
      await control.call('POST', `/servers/${serverUuid}/devices`, { devices: [{ serial_number: 'LATE00000001' }] });
      let cursor = first.cursor;
      const serials = first.devices.map((d) => d.serial_number);
      for (;;) {
        const page = (await post('/server/devices', { cursor, limit: 2 })).json();
        serials.push(...page.devices.map((d) => d.serial_number));
        cursor = page.cursor;
        if (!page.more_to_follow) break;
      }
      expect(serials).toHaveLength(5);
      expect(serials).not.toContain('LATE00000001');
      const sync = (await post('/devices/sync', { cursor })).json();
      expect(sync.devices.map((d) => [d.serial_number, d.op_type])).toEqual([['LATE00000001', 'added']]);
    });

    it('a sync cursor cannot page a fetch, and a limit that is not a number is refused', async () => {
      const fetched = (await post('/server/devices', {})).json();
      const synced = (await post('/devices/sync', { cursor: fetched.cursor })).json();
      expect((await post('/server/devices', { cursor: synced.cursor })).text).toBe('INVALID_CURSOR');
      expect((await post('/server/devices', { limit: '10' })).text).toBe('MALFORMED_REQUEST_BODY');
    });

    it('refuses a serial that another server already holds', async () => {
      await control.call('POST', `/servers/${serverUuid}/devices`, { devices: [{ serial_number: 'DUP000000001' }] });
      const other = await control.createServer(vendor.certificatePem);
      await expect(
        control.call('POST', `/servers/${other.serverUuid}/devices`, { devices: [{ serial_number: 'DUP000000001' }] }),
      ).rejects.toThrow(/409/);
    });

    it('device records carry mdm_migration_deadline from protocol 8 on: fetch, sync and details alike', async () => {
      const deadline = '2025-06-20T00:00:00.000Z';
      await control.call('POST', `/servers/${serverUuid}/devices`, { devices: [{ serial_number: 'MIGRSIM00001', mdm_migration_deadline: deadline }] });
      const at = (version: string) => appleHeaders(session, { 'x-server-protocol-version': version });
      for (const version of ['7', '8']) {
        const fetched = (await post('/server/devices', {}, at(version))).json();
        await control.call('PATCH', `/servers/${serverUuid}/devices`, { serials: ['MIGRSIM00001'], changes: { asset_tag: `V${version}` } });
        const synced = (await post('/devices/sync', { cursor: fetched.cursor }, at(version))).json();
        const details = JSON.parse((await post('/devices', { devices: ['MIGRSIM00001'] }, at(version))).text).devices.MIGRSIM00001;
        const expected = version === '8' ? deadline : undefined;
        expect([fetched.devices[0]?.mdm_migration_deadline, synced.devices[0]?.mdm_migration_deadline, details.mdm_migration_deadline]).toEqual([
          expected,
          expected,
          expected,
        ]);
        expect([synced.devices[0]?.asset_tag, details.response_status]).toEqual([`V${version}`, 'SUCCESS']);
      }
    });
  });

  describe('assignment', () => {
    it('older protocol versions get FAILED instead of THROTTLED and no retry_after_seconds', async () => {
      const { serials } = await control.call<{ serials: string[] }>('POST', `/servers/${serverUuid}/devices`, { count: 1 });
      await control.call('POST', `/servers/${serverUuid}/assignment-outcomes`, { [serials[0]]: 'THROTTLED' });
      const defined = await post('/profile', { profile_name: 'p', url: 'https://e.example/e' });
      const uuid = (JSON.parse(defined.text) as { profile_uuid: string }).profile_uuid;
      const v3 = await post('/profile/devices', { profile_uuid: uuid, devices: serials }, {
        ...appleHeaders(session),
        'x-server-protocol-version': '3',
      });
      expect(JSON.parse(v3.text)).toEqual({ profile_uuid: uuid, devices: { [serials[0]]: 'FAILED' } });
      const v10 = await post('/profile/devices', { profile_uuid: uuid, devices: serials });
      expect(JSON.parse(v10.text)).toEqual({
        profile_uuid: uuid,
        devices: { [serials[0]]: 'THROTTLED' },
        retry_after_seconds: 60,
      });
      // Clearing the override lets the assignment through.
      await control.call('POST', `/servers/${serverUuid}/assignment-outcomes`, { [serials[0]]: null });
      const ok = await post('/profile/devices', { profile_uuid: uuid, devices: serials });
      expect(JSON.parse(ok.text).devices).toEqual({ [serials[0]]: 'SUCCESS' });
    });

    it('validates the assignment request', async () => {
      expect((await post('/profile/devices', { devices: ['A'] })).text).toBe('PROFILE_UUID_REQUIRED');
      expect((await post('/profile/devices', { profile_uuid: 'X', devices: [] })).text).toBe('DEVICE_ID_REQUIRED');
      const unknown = await post('/profile/devices', { profile_uuid: 'X', devices: ['A'] });
      expect([unknown.status, unknown.text]).toEqual([404, 'PROFILE_NOT_FOUND']);
      const noUuid = await fetch(`${sim.url}/profile`, { headers: appleHeaders(session) });
      expect([noUuid.status, await noUuid.text()]).toEqual([400, 'PROFILE_UUID_REQUIRED']);
    });
  });

  describe('control API', () => {
    it('the request log never holds a secret', async () => {
      await fetch(`${sim.url}/account`, { headers: appleHeaders(session) });
      await post('/server/devices', {});
      const log = JSON.stringify(await control.requests());
      expect(log).toContain('/server/devices');
      for (const secret of [credentials.consumerSecret, credentials.accessSecret, credentials.accessToken, session]) {
        expect(log).not.toContain(secret);
      }
    });

    it('faults apply to the next N matching requests only', async () => {
      await control.fault({ status: 503, retryAfter: 7, count: 2, path: '/account' });
      const statuses: Array<[number, string | null]> = [];
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${sim.url}/account`, { headers: appleHeaders(session) });
        statuses.push([r.status, r.headers.get('retry-after')]);
      }
      expect(statuses).toEqual([
        [503, '7'],
        [503, '7'],
        [200, null],
      ]);
      expect((await control.call<{ faults: unknown[] }>('GET', '/faults')).faults).toEqual([]);
      await expect(control.fault({ count: 0, status: 500 })).rejects.toThrow(/400/);
    });

    it('moves the clock, and refuses to when the clock was injected as a plain Clock', async () => {
      await control.call('POST', '/clock', { advanceMs: 60_000 });
      expect(clock.now().toISOString()).toBe('2025-06-01T08:01:00.000Z');
      await control.call('POST', '/clock', { now: '2030-01-01T00:00:00Z' });
      expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');

      const fixed = await startSimulator({ clock: { now: () => systemClock.now() } });
      try {
        await expect(new SimControl(fixed.url).call('POST', '/clock', { advanceMs: 1 })).rejects.toThrow(/409/);
      } finally {
        await fixed.close();
      }
    });

    it('default clock (no clock given) is wall time that the control API can shift', async () => {
      const wall = await startSimulator();
      try {
        const ctl = new SimControl(wall.url);
        const before = new Date((await ctl.call<{ now: string }>('GET', '/clock')).now).getTime();
        expect(Math.abs(before - Date.now())).toBeLessThan(5000);
        await ctl.call('POST', '/clock', { advanceMs: 8 * 24 * 3600_000 });
        const after = new Date((await ctl.call<{ now: string }>('GET', '/clock')).now).getTime();
        expect(after - before).toBeGreaterThanOrEqual(8 * 24 * 3600_000);
      } finally {
        await wall.close();
      }
    });

    it('validates control input and 404s unknown servers', async () => {
      await expect(control.call('POST', '/servers', { certificatePem: 'nope' })).rejects.toThrow(/400/);
      await expect(control.call('POST', '/servers/unknown/terms', { signed: true })).rejects.toThrow(/404/);
      await expect(control.call('POST', `/servers/${serverUuid}/devices`, { count: -1 })).rejects.toThrow(/400/);
      await expect(
        control.call('PATCH', `/servers/${serverUuid}/devices`, { serials: ['A'], changes: { serial_number: 'B' } }),
      ).rejects.toThrow(/400/);
      await expect(
        control.call('POST', `/servers/${serverUuid}/assignment-outcomes`, { A: 'MAYBE' }),
      ).rejects.toThrow(/400/);
    });

    it('reset forgets servers, sessions and the log', async () => {
      await control.call('POST', '/reset');
      expect((await control.call<{ servers: unknown[] }>('GET', '/servers')).servers).toEqual([]);
      expect((await fetch(`${sim.url}/account`, { headers: appleHeaders(session) })).status).toBe(401);
      expect((await control.requests()).requests).toHaveLength(1); // just the 401 above
    });
  });
});
