/**
 * The audit trail as an ADMIN reads it: mutations over HTTP and WebSocket, their outcome and error
 * code, ids as global ids, where they came from; no secret in any stored column; scope tags
 * deciding who reads what; filters and paging; retention on the injected clock.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/clock';
import { AUDIT_PRUNE_QUEUE } from '../../../src/audit/audit.jobs';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';
import { until, uploadToken as uploadSyncedToken } from '../sync/sync-support';

let t: TestApp;
let adminKeyId: string;
const EVENT_FIELDS = `id occurredAt actorType actorKeyId actorName actorRole operation targetIds outcome errorCode requestId clientAddress transport`;
const AUDIT = `query ($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${EVENT_FIELDS} } } }
}`;

async function events(filter: Record<string, unknown>, key?: string): Promise<any[]> {
  return (await t.ok(AUDIT, { filter, first: 500 }, key)).auditEvents.edges.map((e: any) => e.node);
}

const createTag = async (name: string, key?: string) =>
  (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name }, key)).createScopeTag.scopeTag.id as string;

/** A token on a simulated MDM server (the test app runs no sync). */
const uploadToken = (name: string, scopeTagIds: string[]) => uploadSyncedToken(t, { name, scopeTagIds });

const keyIdOf = async (key: string) => (await t.ok(`{ viewer { apiKey { id } } }`, undefined, key)).viewer.apiKey.id as string;

beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  adminKeyId = await keyIdOf(t.adminKey);
});
afterAll(() => t.close());

describe('mutations over HTTP', () => {
  it('records who, what, on which ids, the outcome, the request id and the client address', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}`, 'x-request-id': 'audit-test-request-1' },
      body: JSON.stringify({ query: `mutation { createScopeTag(input: {name: "audited"}) { scopeTag { id } } }` }),
    });
    const tagId = ((await res.json()) as any).data.createScopeTag.scopeTag.id;

    const [event] = await events({ targetId: tagId });
    expect(event).toMatchObject({
      actorType: 'API_KEY',
      actorKeyId: adminKeyId,
      actorRole: 'ADMIN',
      operation: 'createScopeTag',
      targetIds: [tagId],
      outcome: 'SUCCEEDED',
      errorCode: null,
      requestId: 'audit-test-request-1',
      transport: 'HTTP',
      occurredAt: t.clock.now().toISOString(),
    });
    expect(event.actorName).toEqual(expect.any(String));
    expect(event.clientAddress).toMatch(/127\.0\.0\.1$/);
    // The event is a node like any other, for an ADMIN.
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { ... on AuditEvent { operation } } }`, { id: event.id })).node).toEqual({ operation: 'createScopeTag' });
  });

  it('records input ids and the ids the payload returned', async () => {
    const tagId = await createTag('for-a-key');
    const created = await t.ok(
      `mutation ($t: [ID!]!) { createApiKey(input: {name: "audited-key", role: READER, scopeTagIds: $t}) { apiKey { id } } }`,
      { t: [tagId] },
    );
    const keyId = created.createApiKey.apiKey.id;
    const [event] = await events({ operation: 'createApiKey', targetId: keyId });
    expect(event.targetIds.sort()).toEqual([tagId, keyId].sort());
    const deleted = await t.ok(`mutation { createScopeTag(input: {name: "short-lived"}) { scopeTag { id } } }`);
    const shortLived = deleted.createScopeTag.scopeTag.id;
    await t.ok(`mutation ($id: ID!) { deleteScopeTag(input: {scopeTagId: $id}) { deletedScopeTagId } }`, { id: shortLived });
    expect((await events({ targetId: shortLived })).map((e) => e.operation)).toEqual(['createScopeTag', 'deleteScopeTag']);
  });

  it('records a refused mutation as FAILED with the code the client saw, FORBIDDEN included', async () => {
    const NIL = 'RGVwVG9rZW46MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw';
    const res = await t.gql(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id: NIL });
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await events({ targetId: NIL, operation: 'deleteDepToken' })).toEqual([
      expect.objectContaining({ outcome: 'FAILED', errorCode: 'NOT_FOUND', targetIds: [NIL] }),
    ]);

    const reader = await t.createKey('READER');
    const readerId = await keyIdOf(reader);
    expect((await t.gql(`mutation { createScopeTag(input: {name: "not-mine"}) { scopeTag { id } } }`, undefined, reader)).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect(await events({ actorKeyId: readerId })).toEqual([
      expect.objectContaining({ operation: 'createScopeTag', actorRole: 'READER', outcome: 'FAILED', errorCode: 'FORBIDDEN', targetIds: [] }),
    ]);
    // The trail itself is an ADMIN's.
    expect((await t.gql(`{ auditEvents { totalCount } }`, undefined, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('mutations over WebSocket', () => {
  it('are recorded the same way, with the WEBSOCKET transport', async () => {
    const result = await wsRequest(t.ws(), `mutation { createScopeTag(input: {name: "over-ws"}) { scopeTag { id } } }`);
    const tagId = result.data.createScopeTag.scopeTag.id;
    const [event] = await events({ targetId: tagId });
    expect(event).toMatchObject({ operation: 'createScopeTag', actorKeyId: adminKeyId, outcome: 'SUCCEEDED', transport: 'WEBSOCKET', targetIds: [tagId] });
    expect(event.requestId).toEqual(expect.any(String));
    expect(event.clientAddress).toMatch(/127\.0\.0\.1$/);

    const refused = await wsRequest(t.ws(), `mutation { revokeApiKey(input: {apiKeyId: "not-an-id"}) { apiKey { id } } }`);
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await events({ operation: 'revokeApiKey', outcome: 'FAILED' })).toEqual([
      expect.objectContaining({ transport: 'WEBSOCKET', errorCode: 'BAD_USER_INPUT', targetIds: [] }),
    ]);
  });
});

describe('secrets', () => {
  it('no stored column holds an API key secret, a token file, a private key or a non-id input value', async () => {
    const secret = (await t.ok(`mutation { createApiKey(input: {name: "secretive", role: ADMIN}) { secret } }`)).createApiKey.secret as string;
    const uploaded = await uploadToken('secret-check', []);
    const [tokenId, tokenFile] = [uploaded.id, uploaded.tokenFile!];
    // A secret where an id belongs, and a token file: refused, recorded, neither kept.
    const smuggled = `dg_${'s'.repeat(40)}`;
    await t.gql(
      `mutation ($input: RenewDepTokenInput!) { renewDepToken(input: $input) { token { id } } }`,
      { input: { tokenId: smuggled, tokenFile, appleId: 'admin@example.com' } },
      secret,
    );
    await t.gql(
      `mutation ($input: RenewDepTokenInput!) { renewDepToken(input: $input) { token { id } } }`,
      { input: { tokenId, tokenFile: `${tokenFile}garbage`, appleId: 'admin@example.com' } },
      secret,
    );
    const [sealed] = await t.app.dataSource.query(`SELECT * FROM dep_token_key_pairs LIMIT 1`);
    const rows: { row: string }[] = await t.app.dataSource.query(`SELECT row_to_json(e)::text AS row FROM audit_events e`);
    const stored = rows.map((r) => r.row).join('\n');
    expect(rows.length).toBeGreaterThan(5);
    expect(stored).toContain('renewDepToken');
    for (const forbidden of [secret, t.adminKey, smuggled, 'admin@example.com', '-----BEGIN', 'PRIVATE KEY', 'Content-Type']) {
      expect(stored).not.toContain(forbidden);
    }
    const fileBody = tokenFile.replace(/\s+/g, '');
    for (let i = 0; i + 32 <= fileBody.length; i += 256) expect(stored).not.toContain(fileBody.slice(i, i + 32));
    for (const value of Object.values(sealed)) {
      if (typeof value === 'string' && value.length > 40) expect(stored).not.toContain(value.slice(0, 40));
    }
  });
});

describe('scope tags', () => {
  let tags: Record<'A' | 'B', string>;
  let keys: Record<'A' | 'B', string>;
  let tokens: Record<'A' | 'B', string>;
  beforeAll(async () => {
    tags = { A: await createTag('audit-A'), B: await createTag('audit-B') };
    keys = { A: await t.createKey('ADMIN', [tags.A]), B: await t.createKey('ADMIN', [tags.B]) };
    tokens = { A: (await uploadToken('audit-token-A', [tags.A])).id, B: (await uploadToken('audit-token-B', [tags.B])).id };
    for (const id of [tokens.A, tokens.B]) {
      await t.ok(`mutation ($id: ID!) { updateDepToken(input: {tokenId: $id, name: "renamed"}) { token { id } } }`, { id });
    }
  });

  it('a scoped ADMIN sees the events about its tokens, not about other scopes’ tokens', async () => {
    const seenByA = (await events({ operation: 'updateDepToken' }, keys.A)).map((e) => e.targetIds);
    expect(seenByA).toEqual([[tokens.A]]);
    const seenByB = (await events({ operation: 'updateDepToken' }, keys.B)).map((e) => e.targetIds);
    expect(seenByB).toEqual([[tokens.B]]);
    const all = (await events({ operation: 'updateDepToken' })).map((e) => e.targetIds[0]);
    expect(all).toEqual(expect.arrayContaining([tokens.A, tokens.B]));
    const [eventAboutB] = await events({ operation: 'updateDepToken', targetId: tokens.B });
    expect((await t.ok(`query ($id: ID!) { node(id: $id) { id } }`, { id: eventAboutB.id }, keys.A)).node).toBeNull();
  });

  it('a scoped ADMIN sees its own events, even about nothing in its scope', async () => {
    const keyIdA = await keyIdOf(keys.A);
    await t.gql(`mutation ($id: ID!) { updateDepToken(input: {tokenId: $id, name: "poke"}) { token { id } } }`, { id: tokens.B }, keys.A);
    const own = await events({ actorKeyId: keyIdA }, keys.A);
    expect(own.map((e) => [e.operation, e.outcome, e.errorCode])).toEqual([['updateDepToken', 'FAILED', 'NOT_FOUND']]);
    // B's admins see the attempt on their token; unrelated key-pair creation by A stays A's.
    expect((await events({ actorKeyId: keyIdA }, keys.B)).map((e) => e.operation)).toEqual(['updateDepToken']);
    await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id } } }`, undefined, keys.A);
    expect((await events({ actorKeyId: keyIdA, operation: 'createDepTokenKeyPair' }, keys.A))).toHaveLength(1);
    expect((await events({ actorKeyId: keyIdA, operation: 'createDepTokenKeyPair' }, keys.B))).toHaveLength(0);
  });

  it('keeps a deleted token’s events visible to its scope (tags are read before the deletion)', async () => {
    const { id } = await uploadToken('audit-token-A2', [tags.A]);
    await t.ok(`mutation ($id: ID!) { deleteDepToken(input: {tokenId: $id}) { deletedDepTokenId } }`, { id });
    expect((await events({ targetId: id }, keys.A)).map((e) => e.operation)).toEqual(['uploadDepToken', 'deleteDepToken']);
    expect(await events({ targetId: id }, keys.B)).toEqual([]);
  });
});

describe('filters and paging', () => {
  it('pages oldest first with no overlap, and filters by time and outcome', async () => {
    const first = await t.ok(AUDIT, { first: 3 });
    expect(first.auditEvents.pageInfo.hasNextPage).toBe(true);
    const next = await t.ok(AUDIT, { first: 3, after: first.auditEvents.pageInfo.endCursor });
    const ids = [...first.auditEvents.edges, ...next.auditEvents.edges].map((e: any) => e.node.id);
    expect(new Set(ids).size).toBe(6);
    const times = [...first.auditEvents.edges, ...next.auditEvents.edges].map((e: any) => e.node.occurredAt);
    expect([...times].sort()).toEqual(times);

    const before = t.clock.now();
    t.clock.advance(HOUR_MS);
    const tagId = await createTag('later');
    const later = await events({ from: new Date(before.getTime() + 30 * MINUTE_MS).toISOString() });
    expect(later.map((e) => e.targetIds)).toEqual([[tagId]]);
    const earlier = await events({ to: new Date(before.getTime() + 30 * MINUTE_MS).toISOString() });
    expect(earlier.map((e) => e.targetIds)).not.toContainEqual([tagId]);
    expect((await events({ outcome: 'FAILED' })).every((e) => e.outcome === 'FAILED' && e.errorCode)).toBe(true);
  });

  it('refuses a targetId that is not a global id and an actorKeyId that is not an ApiKey', async () => {
    expect((await t.gql(AUDIT, { filter: { targetId: 'nope' } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targetId' });
    const notAKey = 'RGVwVG9rZW46MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw';
    expect((await t.gql(AUDIT, { filter: { actorKeyId: notAKey } })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'actorKeyId' });
  });
});

describe('retention (last: it moves the clock a year)', () => {
  const count = async () => Number((await t.app.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n);

  it('the prune job deletes events older than AUDIT_RETENTION_DAYS (365) on the injected clock', async () => {
    const before = await count();
    expect(before).toBeGreaterThan(0);
    t.clock.advance(364 * DAY_MS);
    expect(await t.app.services.audit.prune()).toBe(0);
    t.clock.advance(2 * DAY_MS);
    const keptId = await createTag('after-a-year');

    await t.app.services.jobs.send(AUDIT_PRUNE_QUEUE, {}, { singletonKey: 'test' });
    await until(async () => (await count()) === 1, 'the prune job to delete the old events');
    expect((await events({})).map((e) => e.targetIds)).toEqual([[keptId]]);
  });
});
