import { AppleDepError } from '../../../src/apple/dep-errors';
import { backoffDelayMs } from '../../../src/apple/backoff';
import { DepClient } from '../../../src/apple/dep-client';
import { caught, startHarness, type ClientHarness } from './client-support';

/**
 * How long the simulator holds a delayed answer in the tests below: longer than jest's test
 * timeout, so a client that waited for the answer instead of giving up fails the test.
 */
const NEVER_ANSWERED_MS = 120_000;

/** Polls `read` until `done` holds (max ~2 s), returning the last value either way. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  expect(done(value)).toBe(true);
  return value;
}

describe('DepClient typed errors and retries (against the simulator)', () => {
  let h: ClientHarness;
  /** Every error any test saw, checked for secrets at the end. */
  const seen: Error[] = [];
  const secretsSeen: string[] = [];

  beforeEach(async () => {
    h = await startHarness();
    secretsSeen.push(h.credentials.consumerSecret, h.credentials.accessSecret, h.credentials.accessToken);
  });
  afterEach(() => h.close());

  async function fails(fn: () => Promise<unknown>) {
    const error = await caught(fn);
    expect(error).toBeInstanceOf(AppleDepError);
    seen.push(error);
    return error as unknown as AppleDepError;
  }

  const count = async (path: string) => (await h.requests(path)).length;

  it('terms not signed -> TERMS_NOT_SIGNED, not retried; works once signed', async () => {
    await h.control.call('POST', `/servers/${h.serverUuid}/terms`, { signed: false });
    const client = h.client();
    const error = await fails(() => client.getAccount());
    expect(error).toMatchObject({ kind: 'TERMS_NOT_SIGNED', status: 403, appleCode: 'T_C_NOT_SIGNED', retryable: false });
    expect(await count('/account')).toBe(1);
    await h.control.call('POST', `/servers/${h.serverUuid}/terms`, { signed: true });
    await expect(client.getAccount()).resolves.toMatchObject({ server_uuid: h.serverUuid });
  });

  it('access denied -> ACCESS_DENIED, not retried', async () => {
    await h.control.call('POST', `/servers/${h.serverUuid}/access`, { denied: true });
    const error = await fails(() => h.client().fetchDevices());
    expect(error).toMatchObject({ kind: 'ACCESS_DENIED', status: 403, appleCode: 'ACCESS_DENIED' });
    expect(await count('/server/devices')).toBe(1);
  });

  it('cursor errors: invalid, required, exhausted, and expired after 8 days', async () => {
    await h.control.call('POST', `/servers/${h.serverUuid}/devices`, { count: 3 });
    const client = h.client();
    const page = await client.fetchDevices();

    expect(await fails(() => client.fetchDevices({ cursor: 'garbage' }))).toMatchObject({
      kind: 'CURSOR_INVALID',
      appleCode: 'INVALID_CURSOR',
    });
    // A real cursor with one character changed is refused too (cursors are tagged).
    const tampered = page.cursor.slice(0, -1) + (page.cursor.endsWith('A') ? 'B' : 'A');
    expect(await fails(() => client.syncDevices({ cursor: tampered }))).toMatchObject({ kind: 'CURSOR_INVALID' });
    expect(await fails(() => client.syncDevices({ cursor: '' }))).toMatchObject({
      kind: 'CURSOR_REQUIRED',
      appleCode: 'CURSOR_REQUIRED',
    });
    expect(await fails(() => client.fetchDevices({ cursor: page.cursor }))).toMatchObject({ kind: 'CURSOR_EXHAUSTED' });

    h.clock.advance(6 * 24 * 3600_000);
    const stillFresh = await client.syncDevices({ cursor: page.cursor });
    expect(stillFresh.devices).toEqual([]);
    h.clock.advance(2 * 24 * 3600_000); // 8 days after `page`, 2 after `stillFresh`
    expect(await fails(() => client.syncDevices({ cursor: page.cursor }))).toMatchObject({
      kind: 'CURSOR_EXPIRED',
      appleCode: 'EXPIRED_CURSOR',
      retryable: false,
    });
    await expect(client.syncDevices({ cursor: stillFresh.cursor })).resolves.toMatchObject({ devices: [] });
  });

  it('a cursor of another server is invalid', async () => {
    const other = await h.control.createServer(h.vendor.certificatePem);
    const otherClient = h.client({ credentials: other.credentials });
    const foreign = await otherClient.fetchDevices();
    expect(await fails(() => h.client().syncDevices({ cursor: foreign.cursor }))).toMatchObject({
      kind: 'CURSOR_INVALID',
    });
  });

  it('429 with Retry-After seconds: waits that long, then succeeds', async () => {
    await h.control.fault({ status: 429, retryAfter: 2, count: 1, path: '/account' });
    await h.client().getAccount();
    expect(h.sleeps).toEqual([2000]);
    expect(await count('/account')).toBe(2);
  });

  it('429 with Retry-After as an HTTP-date (relative to the clock)', async () => {
    const at = new Date(h.clock.now().getTime() + 3000).toUTCString();
    await h.control.fault({ status: 429, retryAfter: at, count: 1, path: '/account' });
    await h.client().getAccount();
    expect(h.sleeps).toEqual([3000]);
  });

  it('Retry-After beyond maxDelayMs is handed back as RATE_LIMITED instead of waited out', async () => {
    await h.control.fault({ status: 429, retryAfter: 3600, count: 1, path: '/account' });
    const error = await fails(() => h.client().getAccount());
    expect(error).toMatchObject({ kind: 'RATE_LIMITED', status: 429, retryAfterSeconds: 3600, retryable: true });
    expect(h.sleeps).toEqual([]);
    expect(await count('/account')).toBe(1);
  });

  it('503 twice then success, with exponential backoff', async () => {
    await h.control.fault({ status: 503, count: 2, path: '/server/devices' });
    const page = await h.client().fetchDevices();
    expect(page.more_to_follow).toBe(false);
    // base 100 ms, random 0.5 -> 75 ms then 150 ms (equal jitter)
    expect(h.sleeps).toEqual([75, 150]);
    expect((await h.requests('/server/devices')).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('retries are bounded: exhausted -> UNAVAILABLE after maxAttempts requests', async () => {
    await h.control.fault({ status: 500, count: 10, path: '/account' });
    const error = await fails(() => h.client({ retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 1000 } }).getAccount());
    expect(error).toMatchObject({ kind: 'UNAVAILABLE', status: 500, retryable: true });
    expect(await count('/account')).toBe(4);
    expect(h.sleeps).toHaveLength(3);
  });

  it('400, 403 and 404 are never retried', async () => {
    const client = h.client();
    for (const [status, body] of [
      [400, 'SOMETHING_ODD'],
      [403, 'ACCESS_DENIED'],
      [404, 'NOT_FOUND'],
    ] as const) {
      await h.control.call('DELETE', '/requests');
      await h.control.fault({ status, body, count: 5, path: '/account' });
      await fails(() => client.getAccount());
      expect(await count('/account')).toBe(1);
      await h.control.call('DELETE', '/faults');
    }
    expect(h.sleeps).toEqual([]);
  });

  it('400 with Apple\'s profile code -> BAD_REQUEST with appleCode', async () => {
    const client = h.client();
    const longName = await fails(() => client.defineProfile({ profile_name: 'x'.repeat(126), url: 'https://e.example/e' }));
    expect(longName).toMatchObject({ kind: 'BAD_REQUEST', status: 400, appleCode: 'CONFIG_NAME_INVALID' });
    const flags = await fails(() =>
      client.defineProfile({ profile_name: 'p', url: 'https://e.example/e', is_mdm_removable: false }),
    );
    expect(flags).toMatchObject({ kind: 'BAD_REQUEST', appleCode: 'FLAGS_INVALID' });
    expect(await count('/profile')).toBe(2);
  });

  it('reads Apple codes from JSON error bodies too', async () => {
    await h.control.fault({ status: 400, body: { code: 'EXPIRED_CURSOR', message: 'cursor too old' }, count: 1 });
    expect(await fails(() => h.client().syncDevices({ cursor: 'x' }))).toMatchObject({ kind: 'CURSOR_EXPIRED' });
  });

  it('timeout: a slow endpoint beyond timeoutMs -> TIMEOUT after bounded retries', async () => {
    await h.control.fault({ delayMs: NEVER_ANSWERED_MS, count: 5, path: '/account' });
    const retry = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 };
    const client = h.client({ timeoutMs: 100, retry });
    const error = await fails(() => client.getAccount());
    expect(error).toMatchObject({ kind: 'TIMEOUT', retryable: true });
    // One backoff between the two tries, on the injected sleep (the harness records, never waits).
    expect(h.sleeps).toEqual([backoffDelayMs(1, retry, () => 0.5)]);
    // The server sees the cancelled connections close shortly after the client gave up.
    const log = await eventually(() => h.requests('/account'), (l) => l.every((r) => r.aborted === true));
    expect(log).toHaveLength(2);
  });

  it('a slow but in-time response is fine', async () => {
    await h.control.fault({ delayMs: 50, count: 1, path: '/account' });
    await expect(h.client({ timeoutMs: 2000 }).getAccount()).resolves.toMatchObject({ server_uuid: h.serverUuid });
  });

  it('abort signal -> ABORTED at once, the outstanding request is cancelled and not retried', async () => {
    await h.control.fault({ delayMs: NEVER_ANSWERED_MS, count: 5, path: '/server/devices' });
    const controller = new AbortController();
    const client = h.client({ signal: controller.signal });
    await client.getAccount();
    const pending = fails(() => client.fetchDevices());
    // Abort while Apple holds the request: the answer would come only after the test's timeout.
    await eventually(() => h.requests('/server/devices'), (l) => l.length === 1);
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ kind: 'ABORTED', retryable: false });
    expect(h.sleeps).toEqual([]);
    const log = await eventually(() => h.requests('/server/devices'), (l) => l[0]?.aborted === true);
    expect(log).toHaveLength(1);
    // Every later call on an aborted client fails fast without touching the network.
    expect(await fails(() => client.getAccount())).toMatchObject({ kind: 'ABORTED' });
    expect(await count('/account')).toBe(1);
  });

  it('a per-call signal aborts the backoff wait between retries', async () => {
    await h.control.fault({ status: 503, retryAfter: 5, count: 5, path: '/account' });
    const controller = new AbortController();
    // Waits on the harness's ManualClock, which nobody moves: only the abort can end the wait.
    const client = h.client({ sleep: h.clock.sleep, retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 60_000 } });
    const pending = fails(() => client.getAccount({ signal: controller.signal }));
    await eventually(async () => h.clock.pendingSleeps(), (waits) => waits.length === 1);
    expect(h.clock.pendingSleeps()).toEqual([5000]); // Apple's Retry-After: 5
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'ABORTED' });
    expect(h.clock.pendingSleeps()).toEqual([]);
    expect(await count('/account')).toBe(1);
  });

  it('network failure (nothing listening) -> UNAVAILABLE after the bounded retries', async () => {
    const url = h.sim.url;
    await h.close();
    const client = new DepClient({
      baseUrl: url,
      credentials: h.credentials,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      sleep: async () => undefined,
    });
    const error = await fails(() => client.getAccount());
    expect(error).toMatchObject({ kind: 'UNAVAILABLE', retryable: true });
    h = await startHarness(); // afterEach closes it
  });

  it('a non-JSON success body is UNAVAILABLE (retryable), not a crash', async () => {
    await h.control.fault({ status: 200, body: '<html>proxy</html>', count: 5, path: '/account' });
    const error = await fails(() => h.client().getAccount());
    expect(error).toMatchObject({ kind: 'UNAVAILABLE', status: 200 });
    expect(await count('/account')).toBe(3);
  });

  it('no secret ever appears in an error message, its JSON form or its cause', async () => {
    // Bodies that echo every secret back, on every error path.
    const session = (await h.requests()).length; // nothing yet
    expect(session).toBe(0);
    const echo = `${h.credentials.consumerSecret} ${h.credentials.accessSecret} ${h.credentials.accessToken}`;
    for (const status of [400, 401, 403, 404, 429, 503]) {
      await h.control.call('DELETE', '/faults');
      await h.control.fault({ status, body: `ERROR_CODE ${echo}`, count: 10, path: '/account' });
      await fails(() => h.client({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }).getAccount());
    }
    // A secret that happens to look like an Apple code (upper-case words) must not be taken as
    // appleCode: the fault answers before any signature check, so the fake secret is never used.
    const codeLikeSecret = 'AS_LOOKS_LIKE_A_CODE';
    secretsSeen.push(codeLikeSecret);
    await h.control.call('DELETE', '/faults');
    await h.control.fault({ status: 400, body: `error ${codeLikeSecret}`, count: 1, path: '/session' });
    const codeLike = await fails(() =>
      h.client({ credentials: { ...h.credentials, accessSecret: codeLikeSecret } }).getAccount(),
    );
    expect(codeLike).toMatchObject({ kind: 'BAD_REQUEST', appleCode: undefined });

    expect(seen.length).toBeGreaterThanOrEqual(7); // this test's own; earlier tests add theirs
    for (const error of seen) {
      const texts = [error.message, JSON.stringify(error), String((error as { cause?: unknown }).cause ?? '')];
      for (const secret of secretsSeen) {
        for (const text of texts) expect(text.includes(secret)).toBe(false);
      }
    }
  });
});
