import { startTestApp, wsRequest, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const base = () => t.url.replace('/graphql', '');

describe('health and readiness', () => {
  it('/healthz answers while the process is alive', async () => {
    const res = await fetch(`${base()}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready when the database is reachable and migrated', async () => {
    const res = await fetch(`${base()}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});

describe('authentication over HTTP', () => {
  it('refuses a request without a key with UNAUTHENTICATED and 401', async () => {
    const res = await t.gql('{ viewer { role } }', undefined, null);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeUndefined();
  });

  it('refuses a wrong key with UNAUTHENTICATED', async () => {
    const res = await t.gql('{ viewer { role } }', undefined, 'dg_not-a-real-key-at-all-0000000000');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers the bootstrap ADMIN key and echoes a request id', async () => {
    const res = await t.gql('{ viewer { role unrestricted apiKey { name } } }');
    expect(res.data.viewer).toEqual({ role: 'ADMIN', unrestricted: true, apiKey: { name: 'bootstrap' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs each request as JSON with its request id', async () => {
    const res = await t.gql('{ viewer { role } }');
    const id = res.headers.get('x-request-id');
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
  });
});

describe('request errors', () => {
  it('returns validation errors with their code', async () => {
    const res = await t.gql('{ noSuchField }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses queries that are too deep (graphql-armor)', async () => {
    const deep = `{ viewer { ${'apiKey { scopeTags { '.repeat(0)}apiKey { scopeTags { name } } } }`;
    expect((await t.gql(deep)).errors).toBeUndefined();
    const nested = `{ node(id: "x") { id ${'... on ApiKey { scopeTags { id } } '.repeat(1)} } ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const res = await t.gql(nested);
    expect(res.errors?.[0].message).toMatch(/alias/i);
  });
});

describe('query cost (page-size aware, both transports)', () => {
  const nested = (tokens: number, profiles: number, devices: number) =>
    `{ depTokens(first: ${tokens}) { edges { node { name profiles(first: ${profiles}) { edges { node { name devices(first: ${devices}) { edges { node { serialNumber profileStatus } } } } } } } } } }`;

  it('runs an ordinary dashboard query with nested connections', async () => {
    const res = await t.gql(nested(20, 10, 50));
    expect(res.errors).toBeUndefined();
    expect(res.data.depTokens.edges).toEqual([]);
  });

  it('refuses a query that asks for too much at once with QUERY_TOO_COMPLEX and its estimate', async () => {
    const res = await t.gql(nested(100, 100, 500));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 250000 });
    expect(res.errors?.[0].extensions?.cost).toBeGreaterThan(250000);
  });

  it('counts page sizes given as variables', async () => {
    const query = `query ($n: Int) { depTokens(first: $n) { edges { node { profiles(first: $n) { edges { node { devices(first: $n) { edges { node { serialNumber } } } } } } } } } }`;
    expect((await t.gql(query, { n: 10 })).errors).toBeUndefined();
    expect((await t.gql(query, { n: 500 })).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('applies the same limit on the WebSocket transport', async () => {
    await expect(wsRequest(t.ws(), nested(100, 100, 500))).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) }),
    ]);
  });
});

describe('graphql-ws on the same path', () => {
  it('runs an operation with the key in connection_init', async () => {
    const result = await wsRequest(t.ws(), '{ viewer { role } }');
    expect(result.data).toEqual({ viewer: { role: 'ADMIN' } });
  });

  it('closes with 4401 when no key is sent', async () => {
    await expect(wsRequest(t.ws(null), '{ viewer { role } }')).rejects.toMatchObject({ code: 4401 });
  });

  it('closes a revoked key’s open subscriptions with 4403', async () => {
    const secret = await t.createKey('READER');
    const keyId = (await t.ok('{ viewer { apiKey { id } } }', undefined, secret)).viewer.apiKey.id;
    const client = t.ws(secret);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      client.subscribe({ query: 'subscription { alertRaised { id } }' }, { next: () => undefined, error: (e: any) => resolve(e), complete: () => undefined });
    });
    // The subscription is live once the server has acknowledged it: an operation on the same socket proves it.
    await wsRequest(client, '{ viewer { role } }');
    await t.ok('mutation ($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { revokedAt } } }', { id: keyId });
    await expect(closed).resolves.toMatchObject({ code: 4403, reason: 'API key revoked' });
  });

  it('closes with 4403 when the key is wrong', async () => {
    await expect(wsRequest(t.ws('dg_wrong-key-000000000000000000000'), '{ viewer { role } }')).rejects.toMatchObject({ code: 4403 });
  });
});
