/**
 * The Apps and Books client against the simulator over loopback HTTP: bearer authentication,
 * Apple's error numbers as typed errors, retries of transient failures, paging, and no sToken in
 * any error.
 */
import { DAY_MS, ManualClock } from '../../../src/clock';
import { formatAppleVppDate, parseAppleVppDate, VppClient } from '../../../src/apple/vpp-client';
import { AppleVppError } from '../../../src/apple/vpp-errors';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';

let sim: RunningSimulator;
const clock = new ManualClock('2026-11-26T09:00:00Z');
beforeAll(async () => {
  sim = await startSimulator({ clock });
});
afterAll(() => sim.close());

async function control<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

const client = (sToken: string) =>
  new VppClient({ baseUrl: sim.vppUrl, sToken, clock, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined });

async function expectVppError(promise: Promise<unknown>): Promise<AppleVppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppleVppError);
  return error as AppleVppError;
}

it('reads the location and Company Portal licences with the token file as bearer', async () => {
  const expiresAt = new Date(clock.now().getTime() + 200 * DAY_MS);
  const loc = await control('POST', '/_sim/vpp/locations', {
    locationName: 'Head office',
    orgName: 'Example Corp',
    expiresAt: expiresAt.toISOString(),
    companyPortal: { totalCount: 50, assignedCount: 20 },
  });
  const file = JSON.parse(Buffer.from(loc.tokenFile, 'base64').toString('utf8'));
  expect(Object.keys(file).sort()).toEqual(['expDate', 'orgName', 'token']);
  expect(parseAppleVppDate(file.expDate)?.getTime()).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);

  const config = await client(loc.tokenFile).getClientConfig();
  expect(config).toMatchObject({ uId: loc.uId, locationName: 'Head office' });
  expect(parseAppleVppDate(config.tokenExpirationDate)?.toISOString()).toBe(new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString());

  const assets = await client(loc.tokenFile).getAllAssets({ adamId: '719171358' });
  expect(assets).toEqual([expect.objectContaining({ adamId: '719171358', totalCount: 50, assignedCount: 20, availableCount: 30 })]);
});

it('pages through every asset', async () => {
  const loc = await control('POST', '/_sim/vpp/locations', { companyPortal: null });
  for (let i = 0; i < 150; i++) await control('PUT', `/_sim/vpp/locations/${loc.uId}/assets/${100000 + i}`, { totalCount: 1 });
  expect(await client(loc.tokenFile).getAllAssets()).toHaveLength(150);
});

it("turns Apple's token errors into typed errors without the token in them", async () => {
  const loc = await control('POST', '/_sim/vpp/locations', {});
  const unknown = await expectVppError(client(Buffer.from('{"token":"nope"}').toString('base64')).getClientConfig());
  expect(unknown).toMatchObject({ kind: 'TOKEN_INVALID', errorNumber: 9622, status: 401, retryable: false });

  const renewed = await control('POST', `/_sim/vpp/locations/${loc.uId}/renew`, {});
  const revoked = await expectVppError(client(loc.tokenFile).getClientConfig());
  expect(revoked).toMatchObject({ kind: 'TOKEN_REVOKED', errorNumber: 9625 });
  expect(JSON.stringify(revoked)).not.toContain(loc.tokenFile);
  expect(revoked.message).not.toContain(loc.tokenFile.slice(0, 20));

  await control('POST', `/_sim/vpp/locations/${loc.uId}/expiry`, { expiresAt: new Date(clock.now().getTime() - 1000).toISOString() });
  const expired = await expectVppError(client(renewed.tokenFile).getClientConfig());
  expect(expired).toMatchObject({ kind: 'TOKEN_EXPIRED', errorNumber: 9621, tokenRefused: true });
});

it('retries 5xx a bounded number of times, then reports UNAVAILABLE', async () => {
  const loc = await control('POST', '/_sim/vpp/locations', {});
  await control('POST', '/_sim/vpp/faults', { status: 503, count: 2 });
  await expect(client(loc.tokenFile).getClientConfig()).resolves.toMatchObject({ uId: loc.uId });
  await control('POST', '/_sim/vpp/faults', { status: 503, count: 3 });
  expect(await expectVppError(client(loc.tokenFile).getClientConfig())).toMatchObject({ kind: 'UNAVAILABLE', status: 503 });
  const { requests } = await control('GET', '/_sim/vpp/requests');
  expect(requests.every((r: any) => r.hasAuthorization)).toBe(true);
  expect(JSON.stringify(requests)).not.toContain(loc.tokenFile);
});

it("parses and formats Apple's dates", () => {
  expect(parseAppleVppDate('2030-11-08T22:33:22+0000')?.toISOString()).toBe('2030-11-08T22:33:22.000Z');
  expect(parseAppleVppDate('2019-04-23T10:07:11-0700')?.toISOString()).toBe('2019-04-23T17:07:11.000Z');
  expect(parseAppleVppDate('2019-04-23T10:07:11Z')?.toISOString()).toBe('2019-04-23T10:07:11.000Z');
  expect(parseAppleVppDate('tomorrow')).toBeNull();
  expect(formatAppleVppDate(new Date('2030-11-08T22:33:22.123Z'))).toBe('2030-11-08T22:33:22+0000');
});
