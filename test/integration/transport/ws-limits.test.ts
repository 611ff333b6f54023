/**
 * What one client may hold on the WebSocket transport: frames of at most 1 MiB (checked before
 * connection_init, so before authentication), WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations open on
 * one socket, WS_MAX_SOCKETS_PER_KEY sockets per API key on one instance.
 */
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '3', WS_MAX_SOCKETS_PER_KEY: '2' } });
});
afterAll(() => t.close());

const wsUrl = () => t.url.replace(/^http/, 'ws');

/** Subscribes and resolves with the first error the operation gets (or never, while it is live). */
function subscribe(client: Client, query = 'subscription { alertRaised { id } }') {
  let dispose = () => undefined as void;
  const failed = new Promise<any>((resolve) => {
    dispose = client.subscribe({ query }, { next: (r: any) => r.errors && resolve(r.errors), error: resolve, complete: () => undefined });
  });
  return { failed, dispose: () => dispose() };
}

it('closes a socket with 1009 when a frame is over 1 MiB, before any key is checked', async () => {
  const consoleError = jest.spyOn(console, 'error');
  const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
  expect(await closed).toBe(1009);
  // One log line, no stack trace on stderr.
  expect(t.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'WebSocket closed after a protocol error')).toEqual([
    expect.objectContaining({ level: 40, code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
  ]);
  expect(consoleError).not.toHaveBeenCalled();
  consoleError.mockRestore();
});

it('accepts a frame under the limit', async () => {
  const result = await wsRequest(t.ws(), '{ viewer { role } }', { pad: 'x'.repeat(512 * 1024) });
  expect(result).toEqual({ data: { viewer: { role: 'ADMIN' } } });
});

it('refuses operations beyond WS_MAX_SUBSCRIPTIONS_PER_SOCKET with SUBSCRIPTION_LIMIT_REACHED, and frees a place when one ends', async () => {
  const key = await t.createKey('READER');
  const client = t.ws(key);
  const open = [subscribe(client), subscribe(client), subscribe(client)];
  // Operations run in order on one socket: once this one answers, the three above are live.
  const fourth = await wsRequest(client, '{ viewer { role } }').catch((errors) => errors);
  expect(fourth).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT_REACHED', limit: 3 }) })]);

  // The client's complete reaches the server before the next operation: its place is free again.
  open[0].dispose();
  expect(await wsRequest(client, '{ viewer { role } }')).toEqual({ data: { viewer: { role: 'READER' } } });
  expect(await Promise.race([open[1].failed, open[2].failed, 'still live'])).toBe('still live');
  // Another socket of the same key has places of its own.
  expect(await wsRequest(t.ws(key), '{ viewer { role } }')).toEqual({ data: { viewer: { role: 'READER' } } });
});

it('closes a key’s socket beyond WS_MAX_SOCKETS_PER_KEY with 1008; other keys and freed places still connect', async () => {
  const key = await t.createKey('READER');
  const first = t.ws(key);
  const second = t.ws(key);
  // A lazy client keeps its socket only while an operation is open: a live subscription each.
  for (const client of [first, second]) {
    subscribe(client);
    await wsRequest(client, '{ viewer { role } }');
  }

  await expect(wsRequest(t.ws(key), '{ viewer { role } }')).rejects.toMatchObject({ code: 1008, reason: expect.stringMatching(/WS_MAX_SOCKETS_PER_KEY/) });
  expect(await wsRequest(t.ws(), '{ viewer { role } }')).toEqual({ data: { viewer: { role: 'ADMIN' } } });

  await first.dispose();
  const again = t.ws(key);
  // The server hears the close a moment after dispose() returns.
  let result: unknown;
  for (let attempt = 0; attempt < 50 && !result; attempt++) {
    result = await wsRequest(again, '{ viewer { role } }').catch(() => new Promise((r) => setTimeout(r, 50)));
  }
  expect(result).toEqual({ data: { viewer: { role: 'READER' } } });
});
