import type { DepDevice } from '../../../src/apple/dep.types';
import { caught, startHarness, type ClientHarness } from './client-support';
import { appleHeaders, rawSession } from '../../support/sim-support';

describe('DepClient endpoints round-trip (against the simulator)', () => {
  let h: ClientHarness;
  beforeEach(async () => {
    h = await startHarness({ orgName: 'Acme Schools', serverName: 'acme-mdm', orgType: 'edu' });
  });
  afterEach(() => h.close());

  const addDevices = (body: Record<string, unknown>) =>
    h.control.call<{ serials: string[] }>('POST', `/servers/${h.serverUuid}/devices`, body);

  it('getAccount returns the server and org fields with the advertised page limits', async () => {
    const account = await h.client().getAccount();
    expect(account).toMatchObject({
      server_uuid: h.serverUuid,
      server_name: 'acme-mdm',
      org_name: 'Acme Schools',
      org_type: 'edu',
    });
    expect(typeof account.admin_id).toBe('string');
    const fetchUrl = account.urls.find((u) => u.uri === '/server/devices');
    expect(fetchUrl?.limit).toEqual({ default: 100, maximum: 1000 });
  });

  it('fetches 2,500 devices in 3 pages of at most 1,000, then the cursor is exhausted', async () => {
    const { serials } = await addDevices({ count: 2500 });
    const client = h.client();
    const seen: string[] = [];
    const pages: Array<{ count: number; more: boolean }> = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await client.fetchDevices({ cursor, limit: 1000 });
      pages.push({ count: page.devices.length, more: page.more_to_follow });
      seen.push(...page.devices.map((d) => d.serial_number));
      cursor = page.cursor;
      if (!page.more_to_follow) break;
    }
    expect(pages).toEqual([
      { count: 1000, more: true },
      { count: 1000, more: true },
      { count: 500, more: false },
    ]);
    expect(seen).toEqual(serials);
    const error = await caught(() => client.fetchDevices({ cursor, limit: 1000 }));
    expect(error).toMatchObject({ kind: 'CURSOR_EXHAUSTED', appleCode: 'EXHAUSTED_CURSOR', retryable: false });
  });

  it('caps the page at 1,000 and defaults to 100', async () => {
    await addDevices({ count: 1200 });
    const client = h.client();
    expect((await client.fetchDevices({ limit: 5000 })).devices).toHaveLength(1000);
    expect((await client.fetchDevices()).devices).toHaveLength(100);
  });

  it('sync after changes returns added, modified and deleted in order with op_date', async () => {
    const { serials } = await addDevices({ count: 3 });
    const client = h.client();
    const full = await client.fetchDevices({ limit: 1000 });
    expect(full.more_to_follow).toBe(false);

    h.clock.advance(60_000);
    const { serials: added } = await addDevices({ devices: [{ serial_number: 'NEWMAC000001', device_family: 'Mac' }] });
    await h.control.call('PATCH', `/servers/${h.serverUuid}/devices`, {
      serials: [serials[0]],
      changes: { asset_tag: 'TAG-1', color: 'SILVER' },
    });
    await h.control.call('DELETE', `/servers/${h.serverUuid}/devices`, { serials: [serials[1]] });

    const sync = await client.syncDevices({ cursor: full.cursor });
    expect(sync.devices.map((d) => [d.serial_number, d.op_type])).toEqual([
      [added[0], 'added'],
      [serials[0], 'modified'],
      [serials[1], 'deleted'],
    ]);
    expect(sync.devices[0]).toMatchObject({ device_family: 'Mac', os: 'OSX' });
    expect(sync.devices[1]).toMatchObject({ asset_tag: 'TAG-1', color: 'SILVER' });
    for (const d of sync.devices) expect(d.op_date).toBe('2025-06-01T08:01:00.000Z');
    expect(sync.more_to_follow).toBe(false);

    const again = await client.syncDevices({ cursor: sync.cursor });
    expect(again.devices).toEqual([]);
  });

  it('sync pages through a long change log with more_to_follow', async () => {
    const client = h.client();
    const start = await client.fetchDevices();
    await addDevices({ count: 250 });
    const first = await client.syncDevices({ cursor: start.cursor, limit: 200 });
    expect([first.devices.length, first.more_to_follow]).toEqual([200, true]);
    const second = await client.syncDevices({ cursor: first.cursor, limit: 200 });
    expect([second.devices.length, second.more_to_follow]).toEqual([50, false]);
  });

  it('device details and disown report per-serial status', async () => {
    const { serials } = await addDevices({ count: 2 });
    const client = h.client();
    const details = await client.getDeviceDetails([serials[0], 'NOTMINE00001']);
    expect(details.devices[serials[0]]).toMatchObject({ serial_number: serials[0], response_status: 'SUCCESS' });
    expect(details.devices.NOTMINE00001).toEqual({ response_status: 'NOT_ACCESSIBLE' });

    const disowned = await client.disownDevices([serials[1], 'NOTMINE00001']);
    expect(disowned.devices).toEqual({ [serials[1]]: 'SUCCESS', NOTMINE00001: 'NOT_ACCESSIBLE' });
    const current = await h.control.call<{ devices: DepDevice[] }>('GET', `/servers/${h.serverUuid}/devices`);
    expect(current.devices.map((d) => d.serial_number)).toEqual([serials[0]]);
  });

  it('defines a profile, reads it back, and the simulator kept the exact JSON', async () => {
    const client = h.client();
    const profile = {
      profile_name: 'Staff iPads',
      url: 'https://mdm.example.com/enroll',
      is_supervised: true,
      is_mdm_removable: false,
      allow_pairing: false,
      department: 'IT',
      support_phone_number: '+1 555 0100',
      skip_setup_items: ['Location', 'Siri'],
      language: 'en',
      region: 'US',
    };
    const defined = await client.defineProfile(profile);
    expect(defined.profile_uuid).toMatch(/^[0-9A-F]{32}$/);
    expect(defined.devices).toEqual({});

    const fetched = await client.getProfile(defined.profile_uuid);
    expect(fetched).toEqual({ ...profile, profile_uuid: defined.profile_uuid });

    const stored = await h.control.call<{ profiles: Array<{ profileUuid: string; profile: unknown }> }>(
      'GET',
      `/servers/${h.serverUuid}/profiles`,
    );
    expect(stored.profiles).toEqual([
      expect.objectContaining({ profileUuid: defined.profile_uuid, profile }),
    ]);
    const missing = await caught(() => client.getProfile('0000'));
    expect(missing).toMatchObject({ kind: 'NOT_FOUND', status: 404, appleCode: 'PROFILE_NOT_FOUND' });
  });

  it('assigns with per-serial outcomes, records modified events, and removes', async () => {
    const { serials } = await addDevices({ count: 4 });
    const [ok, failed, throttled, denied] = serials;
    await h.control.call('POST', `/servers/${h.serverUuid}/assignment-outcomes`, {
      [failed]: 'FAILED',
      [throttled]: 'THROTTLED',
      [denied]: 'NOT_ACCESSIBLE',
    });
    const client = h.client();
    const start = await client.fetchDevices();
    const { profile_uuid: uuid } = await client.defineProfile({ profile_name: 'p', url: 'https://mdm.example.com/e' });

    const result = await client.assignProfile(uuid, [...serials, 'NOTMINE00001']);
    expect(result).toEqual({
      profile_uuid: uuid,
      devices: { [ok]: 'SUCCESS', [failed]: 'FAILED', [throttled]: 'THROTTLED', [denied]: 'NOT_ACCESSIBLE', NOTMINE00001: 'NOT_ACCESSIBLE' },
      retry_after_seconds: 60,
    });
    const current = await h.control.call<{ devices: DepDevice[] }>('GET', `/servers/${h.serverUuid}/devices`);
    expect(current.devices.find((d) => d.serial_number === ok)).toEqual({
      serial_number: ok,
      profile_uuid: uuid,
      profile_status: 'assigned',
    });
    expect(current.devices.find((d) => d.serial_number === failed)?.profile_status).toBe('empty');

    const sync = await client.syncDevices({ cursor: start.cursor });
    expect(sync.devices.map((d) => [d.serial_number, d.op_type, d.profile_uuid])).toEqual([[ok, 'modified', uuid]]);

    const removed = await client.removeProfile([ok, failed], uuid);
    expect(removed.devices).toEqual({ [ok]: 'SUCCESS', [failed]: 'FAILED' });
    const after = await client.getDeviceDetails([ok]);
    expect(after.devices[ok]).toMatchObject({ profile_status: 'empty' });
    expect(after.devices[ok].profile_uuid).toBeUndefined();
  });

  it('define with devices assigns them at once', async () => {
    const { serials } = await addDevices({ count: 2 });
    const defined = await h.client().defineProfile({ profile_name: 'p', url: 'https://x.example/e', devices: serials });
    expect(defined.devices).toEqual({ [serials[0]]: 'SUCCESS', [serials[1]]: 'SUCCESS' });
  });

  it('refuses more than 1,000 serials per assignment before sending anything', async () => {
    const serials = Array.from({ length: 1001 }, (_, i) => `S${i}`);
    expect(() => h.client().assignProfile('X', serials)).toThrow(RangeError);
    expect(await h.requests()).toHaveLength(0);
  });

  it('uses PUT-compatible assignment and the 1,000 limit is enforced by the simulator too', async () => {
    const client = h.client();
    const { profile_uuid: uuid } = await client.defineProfile({ profile_name: 'p', url: 'https://x.example/e' });
    const response = await fetch(`${h.sim.url}/profile/devices`, {
      method: 'PUT',
      headers: appleHeaders(await rawSession(h.sim.url, h.credentials, h.clock.now().getTime())),
      body: JSON.stringify({ profile_uuid: uuid, devices: Array.from({ length: 1001 }, (_, i) => `S${i}`) }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('DEVICE_LIMIT_EXCEEDED');
  });
});
