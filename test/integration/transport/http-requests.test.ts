/**
 * What a client sees for requests that never become a GraphQL operation: bodies express cannot
 * parse, bodies over the limit, anonymous bodies (refused before they are read), unknown paths and
 * subscriptions sent over HTTP. Every answer is the GraphQL error shape, never Express's HTML page.
 */
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import 'reflect-metadata';
import * as loadersModule from '../../../src/loaders';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const base = () => t.url.replace('/graphql', '');

async function post(body: string | Buffer, headers: Record<string, string> = {}, key: string | null = t.adminKey) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body,
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
}

/** The GraphQL error shape with one error of this code, and nothing of the server's insides. */
function expectGraphQLError(res: { contentType: string; text: string }, code: string): any {
  expect(res.contentType).toMatch(/^application\/json/);
  expect(res.text).not.toMatch(/<html|<pre|at \w+ \(|node_modules/i);
  expect(res.text).not.toContain(process.cwd());
  const body = JSON.parse(res.text);
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toEqual({ message: expect.any(String), extensions: expect.objectContaining({ code }) });
  return body.errors[0];
}

describe('bodies express cannot parse', () => {
  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await post('{"query": "{ viewer { role } }"');
    expect(res.status).toBe(400);
    expect(expectGraphQLError(res, 'BAD_REQUEST').message).toMatch(/JSON/);
  });

  it('answers a null body and a JSON string with 400 BAD_REQUEST', async () => {
    for (const body of ['null', '"{ viewer { role } }"']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expectGraphQLError(res, 'BAD_REQUEST');
    }
  });

  it('answers an unsupported charset with 415 BAD_REQUEST', async () => {
    const res = await post(Buffer.from('{"query":"{ viewer { role } }"}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16' });
    expect(res.status).toBe(415);
    expect(expectGraphQLError(res, 'BAD_REQUEST').message).toMatch(/charset/i);
  });

  it('answers an unknown Content-Encoding with 415 and a broken gzip body with 400', async () => {
    const unknown = await post('{"query":"{ viewer { role } }"}', { 'content-encoding': 'snappy' });
    expect(unknown.status).toBe(415);
    expect(expectGraphQLError(unknown, 'BAD_REQUEST').message).toMatch(/encoding/i);
    const broken = await post(gzipSync('{"query":"{ viewer { role } }"}').subarray(0, 12), { 'content-encoding': 'gzip' });
    expect(broken.status).toBe(400);
    expectGraphQLError(broken, 'BAD_REQUEST');
  });

  it('still runs a gzip-encoded operation', async () => {
    const res = await post(gzipSync('{"query":"{ viewer { role } }"}'), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ data: { viewer: { role: 'ADMIN' } } });
  });

  it('forbids caching every answer, operations and refusals alike (the data are per key)', async () => {
    expect((await post('{"query":"{ viewer { role } }"}')).headers.get('cache-control')).toBe('no-store');
    expect((await post('{"query":"{ viewer { role } }"}', {}, null)).headers.get('cache-control')).toBe('no-store');
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(expectGraphQLError(res, 'PAYLOAD_TOO_LARGE').extensions.requestId).toEqual(res.headers.get('x-request-id'));
  });
});

describe('anonymous bodies', () => {
  /** Sends only the request head of a large POST; resolves with the answer and whether the server hung up. */
  function headOnly(headers: string[]): Promise<{ answer: string; closed: boolean }> {
    const { port } = new URL(t.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ answer: answer || 'NO ANSWER', closed: false });
      }, 3000);
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('end', () => {
        clearTimeout(timer);
        resolve({ answer: answer || 'NO ANSWER', closed: true });
      });
      socket.on('error', reject);
      socket.write(['POST /graphql HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', 'Content-Length: 4000000', ...headers, '', ''].join('\r\n'));
    });
  }

  it('refuses a POST without a key with 401 before reading its body, and closes the connection', async () => {
    const { answer, closed } = await headOnly([]);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(closed).toBe(true);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a POST with a wrong key the same way', async () => {
    const { answer } = await headOnly(['Authorization: Bearer dg_not-a-real-key-at-all-0000000000']);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers a small anonymous operation with 401 in the GraphQL error shape', async () => {
    const res = await post('{"query":"{ viewer { role } }"}', {}, null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expectGraphQLError(res, 'UNAUTHENTICATED');
  });
});

describe('paths and operations that are not served', () => {
  it('answers an unknown path with a JSON 404', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${base()}/no/such/path`, { method, headers: { accept: 'text/html' } });
      expect(res.status).toBe(404);
      expectGraphQLError({ contentType: res.headers.get('content-type') ?? '', text: await res.text() }, 'NOT_FOUND');
    }
  });

  it('refuses a subscription over HTTP with 400 SUBSCRIPTION_OVER_HTTP, pointing at the WebSocket', async () => {
    const res = await t.gql('subscription { syncRunProgress { id } }');
    expect(res.status).toBe(400);
    expect(res.errors).toEqual([
      { message: expect.stringMatching(/WebSocket/), extensions: expect.objectContaining({ code: 'SUBSCRIPTION_OVER_HTTP' }) },
    ]);
    expect(res.data).toBeUndefined();
  });
});

describe('the request id of a refusal', () => {
  // Each layer that can refuse knows the request it answers without an async-context store: the
  // express handlers read it from the response header, Apollo's error formatting from the context
  // the error belongs to, a GET without a key from the refusal itself.
  it('is the X-Request-Id of the request, whichever layer refused it', async () => {
    const get = async (headers: Record<string, string>) => {
      const res = await fetch(`${t.url}?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: { accept: 'application/json', ...headers } });
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
    };
    const cases: { name: string; send: (id: string) => Promise<{ status: number; contentType: string; text: string; headers: Headers }>; code: string }[] = [
      { name: 'unparseable body (express)', send: (id) => post('{"query":', { 'x-request-id': id }), code: 'BAD_REQUEST' },
      { name: 'no key (before the body)', send: (id) => post('{"query":"{ viewer { role } }"}', { 'x-request-id': id }, null), code: 'UNAUTHENTICATED' },
      { name: 'GET without a key (Apollo context)', send: (id) => get({ 'x-request-id': id, 'apollo-require-preflight': 'true' }), code: 'UNAUTHENTICATED' },
      { name: 'GET that is not preflighted (Apollo CSRF)', send: (id) => get({ 'x-request-id': id }), code: 'BAD_REQUEST' },
      { name: 'validation', send: (id) => post('{"query":"{ noSuchField }"}', { 'x-request-id': id }), code: 'GRAPHQL_VALIDATION_FAILED' },
      { name: 'a resolver’s domain error', send: (id) => post(JSON.stringify({ query: '{ devices(first: 1, after: "forged") { totalCount } }' }), { 'x-request-id': id }), code: 'BAD_USER_INPUT' },
    ];
    for (const [i, c] of cases.entries()) {
      const id = `refusal-layer-${i}-0000`;
      const res = await c.send(id);
      expect({ name: c.name, header: res.headers.get('x-request-id') }).toEqual({ name: c.name, header: id });
      const [error] = JSON.parse(res.text).errors;
      expect({ name: c.name, code: error.extensions.code, requestId: error.extensions.requestId }).toEqual({ name: c.name, code: c.code, requestId: id });
    }
  });

  it('masks a fault while the request context is made, and logs it with the request id', async () => {
    // Fault injection: making the context's loaders throws once; nothing else of the app changes.
    const fault = jest.spyOn(loadersModule, 'createLoaders').mockImplementationOnce(() => {
      throw new Error('injected context fault');
    });
    try {
      const id = 'context-fault-0000';
      const res = await post('{"query":"{ viewer { role } }"}', { 'x-request-id': id });
      expect(fault).toHaveBeenCalledTimes(1);
      const [error] = JSON.parse(res.text).errors;
      expect(error.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId: id });
      expect(res.text).not.toContain('injected context fault');
      const logged = t.logs.map((l) => JSON.parse(l)).find((l) => l.err?.message?.includes('injected context fault'));
      expect(logged).toMatchObject({ requestId: id });
    } finally {
      fault.mockRestore();
    }
  });
});
