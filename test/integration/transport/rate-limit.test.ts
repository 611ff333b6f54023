/**
 * RATE_LIMIT_PER_MINUTE: one token bucket per API key in PostgreSQL, shared by every instance on
 * the database and by both transports (each WebSocket operation counts like an HTTP request).
 */
import { startApp, type App } from '../../../src/app';
import { createLogger } from '../../../src/logger';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const PER_MINUTE = 6;
let a: TestApp;
let b: App;
beforeAll(async () => {
  a = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } });
  // A second instance on the same database, as behind a load balancer.
  b = await startApp({ ...a.app.config, port: 0 }, { clock: a.clock, logger: createLogger('silent'), sync: { enabled: false } });
});
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

async function gqlOn(url: string, key: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{"query":"{ viewer { role } }"}' });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

function wsOn(url: string, key: string) {
  return createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: true });
}

it('limits a key across two instances and both transports, with 429 + Retry-After and RATE_LIMITED', async () => {
  const key = await a.createKey('READER');
  const wsA = wsOn(a.url, key);
  const wsB = wsOn(b.server.url, key);
  try {
    // Six requests in all, spread over both instances and both transports: all answered.
    expect((await gqlOn(a.url, key)).status).toBe(200);
    expect((await gqlOn(b.server.url, key)).status).toBe(200);
    expect((await gqlOn(a.url, key)).status).toBe(200);
    expect((await gqlOn(b.server.url, key)).status).toBe(200);
    expect(await wsRequest(wsA, '{ viewer { role } }')).toEqual({ data: { viewer: { role: 'READER' } } });
    expect(await wsRequest(wsB, '{ viewer { role } }')).toEqual({ data: { viewer: { role: 'READER' } } });

    // The seventh, on either instance and either transport, is refused: one request comes back every 10 s.
    const refused = await gqlOn(b.server.url, key);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('10');
    expect(refused.body.errors).toEqual([
      { message: expect.stringMatching(/rate limit/i), extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 10 }) },
    ]);
    expect((await gqlOn(a.url, key)).status).toBe(429);
    await expect(wsRequest(wsA, '{ viewer { role } }')).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 10 }) }),
    ]);

    // Another key has a bucket of its own.
    expect((await gqlOn(a.url, a.adminKey)).status).toBe(200);

    // Refused requests took nothing: after 10 s exactly one more is answered.
    a.clock.advance(10_000);
    expect((await gqlOn(b.server.url, key)).status).toBe(200);
    expect((await gqlOn(a.url, key)).status).toBe(429);
    a.clock.advance(5_000);
    expect((await gqlOn(a.url, key)).retryAfter).toBe('5');
  } finally {
    await Promise.all([wsA.dispose(), wsB.dispose()]);
  }
});
