/**
 * The simulator's DELETE /profile/devices and POST /devices as Apple documents them ("Remove a
 * Profile": afterwards the devices have no profile associated; "Get Device Details"): per-serial
 * answers, the device left with profile_status empty and a `modified` event, and the request log
 * counting the serials each request carried.
 */
import { ManualClock } from '../../../src/clock';
import type { DepDevice, DepDevicePage } from '../../../src/apple/dep.types';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { SimControl, appleHeaders, makeVendorIdentity, rawSession } from '../../support/sim-support';

const vendor = makeVendorIdentity();

describe('simulator: unassign and details', () => {
  let sim: RunningSimulator;
  let control: SimControl;
  let serverUuid: string;
  let session: string;

  beforeEach(async () => {
    const clock = new ManualClock('2026-06-01T08:00:00Z');
    sim = await startSimulator({ clock });
    control = new SimControl(sim.url);
    const created = await control.createServer(vendor.certificatePem);
    serverUuid = created.serverUuid;
    session = await rawSession(sim.url, created.credentials, clock.now().getTime());
  });
  afterEach(() => sim.close());

  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${sim.url}${path}`, { method, headers: appleHeaders(session), body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
  };

  it('DELETE /profile/devices clears the profile per serial: SUCCESS, NOT_ACCESSIBLE, FAILED for another profile', async () => {
    const { serials } = await control.call<{ serials: string[] }>('POST', `/servers/${serverUuid}/devices`, { count: 2 });
    const [held, other] = serials as [string, string];
    const uuid = (await call('POST', '/profile', { profile_name: 'p', url: 'https://e.example/e', devices: [held, other] })).json().profile_uuid;
    const start = (await call('POST', '/server/devices', {})).json() as DepDevicePage;

    const removed = await call('DELETE', '/profile/devices', { devices: [held, 'C02NOTHERE01', held] });
    expect(removed.status).toBe(200);
    expect(removed.json()).toEqual({ devices: { [held]: 'SUCCESS', C02NOTHERE01: 'NOT_ACCESSIBLE' } });
    const wrongProfile = await call('DELETE', '/profile/devices', { devices: [other], profile_uuid: 'SOME-OTHER-PROFILE' });
    expect(wrongProfile.json()).toEqual({ devices: { [other]: 'FAILED' } });

    const details = (await call('POST', '/devices', { devices: [held, other, 'C02NOTHERE01'] })).json().devices as Record<string, DepDevice & { response_status: string }>;
    expect(details[held]).toMatchObject({ serial_number: held, profile_status: 'empty', response_status: 'SUCCESS' });
    expect(details[held]!.profile_uuid).toBeUndefined();
    expect(details[held]!.profile_assign_time).toBeUndefined();
    expect(details[other]).toMatchObject({ profile_uuid: uuid, profile_status: 'assigned', response_status: 'SUCCESS' });
    expect(details.C02NOTHERE01).toEqual({ response_status: 'NOT_ACCESSIBLE' });

    const changes = (await call('POST', '/devices/sync', { cursor: start.cursor })).json() as DepDevicePage;
    expect(changes.devices.filter((d) => d.serial_number === held).map((d) => [d.op_type, d.profile_status])).toEqual([['modified', 'empty']]);

    const log = (await control.requests('/profile/devices')).requests.map((r: any) => [r.method, r.status, r.deviceCount]);
    expect(log).toEqual([
      ['DELETE', 200, 3],
      ['DELETE', 200, 1],
    ]);
  });

  it('DELETE /profile/devices and POST /devices refuse a missing or empty serial list', async () => {
    expect((await call('DELETE', '/profile/devices', { devices: [] })).text).toBe('DEVICE_ID_REQUIRED');
    expect((await call('POST', '/devices', {})).text).toBe('DEVICE_ID_REQUIRED');
  });
});
