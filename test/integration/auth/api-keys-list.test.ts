/**
 * `apiKeys(first, after)`: a console's key table. ADMIN only; a scoped admin sees only keys whose
 * scope tags are all its own (never unrestricted keys, never another scope's); oldest first in
 * keyset pages; revoked keys only when asked; no field returns a secret or its hash; `first` is
 * bounded like every list.
 */
import { buildDepgateSchema } from '../../../src/schema';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
const tags: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestApp();
  for (const name of ['keys-A', 'keys-B']) {
    tags[name] = (await t.ok(`mutation ($n: String!) { createScopeTag(input: {name: $n}) { scopeTag { id } } }`, { n: name })).createScopeTag.scopeTag.id;
  }
});
afterAll(() => t.close());

const LIST = `query ($first: Int, $after: String, $rev: Boolean) { apiKeys(first: $first, after: $after, includeRevoked: $rev) {
  totalCount edges { cursor node { id name role scopeTags { name } createdAt lastUsedAt revokedAt } } pageInfo { hasNextPage endCursor }
} }`;

async function create(name: string, role: string, scopeTagIds: string[] = [], key?: string): Promise<{ id: string; secret: string }> {
  const data = await t.ok(
    `mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } secret } }`,
    { i: { name, role, scopeTagIds } },
    key,
  );
  // The test clock stands still; keys made in the same millisecond tie on created_at (then id).
  t.clock.advance(1000);
  return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret };
}

async function all(key?: string, includeRevoked = false): Promise<any[]> {
  const nodes: any[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await t.ok(LIST, { first: 2, after, rev: includeRevoked }, key)).apiKeys;
    nodes.push(...page.edges.map((e: any) => e.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

it('lists keys oldest first in pages, scope-filtered, revoked ones on request, never a secret', async () => {
  const adminA = await create('admin A', 'ADMIN', [tags['keys-A']]);
  const readerA = await create('reader A', 'READER', [tags['keys-A']]);
  const readerAB = await create('reader AB', 'READER', [tags['keys-A'], tags['keys-B']]);
  const readerB = await create('reader B', 'READER', [tags['keys-B']]);
  const open = await create('unrestricted reader', 'READER');
  await t.ok(`{ viewer { role } }`, undefined, readerA.secret); // lastUsedAt set
  const revoked = await create('revoked A', 'READER', [tags['keys-A']]);
  await t.ok(`mutation ($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { id } } }`, { id: revoked.id });

  // Unrestricted admin: every key that is not revoked, in creation order, over pages of 2.
  const everything = await all();
  const ids = everything.map((k) => k.id);
  for (const k of [adminA, readerA, readerAB, readerB, open]) expect(ids).toContain(k.id);
  expect(ids).not.toContain(revoked.id);
  expect(ids.indexOf(adminA.id)).toBeLessThan(ids.indexOf(open.id));
  const times = everything.map((k) => Date.parse(k.createdAt));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  expect(everything.find((k) => k.id === readerA.id)).toMatchObject({ name: 'reader A', role: 'READER', scopeTags: [{ name: 'keys-A' }], lastUsedAt: expect.any(String), revokedAt: null });
  expect((await all(undefined, true)).find((k) => k.id === revoked.id)).toMatchObject({ revokedAt: expect.any(String) });

  // A scoped admin: only keys within its scope (not AB, not B, not unrestricted ones).
  const scoped = await all(adminA.secret, true);
  expect(scoped.map((k) => k.name).sort()).toEqual(['admin A', 'reader A', 'revoked A']);
  expect((await t.ok(LIST, { first: 1 }, adminA.secret)).apiKeys.totalCount).toBe(2);

  // Secrets are write-once: the type has no field that could carry one.
  const apiKeyType = buildDepgateSchema().getType('ApiKey') as any;
  expect(Object.keys(apiKeyType.getFields()).filter((f) => /secret|hash|prefix/i.test(f))).toEqual([]);
  expect(JSON.stringify(everything)).not.toContain(readerA.secret);
});

it('refuses non-admins and an unbounded page', async () => {
  const reader = await create('just a reader', 'READER');
  const refused = await t.gql(LIST, { first: 1 }, reader.secret);
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const tooMany = await t.gql(LIST, { first: 501 });
  expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});
