/**
 * A token's `profiles(first, after)` honours the page it asks for, under one token and under a page
 * of tokens (the batched loader path).
 */
import { uploadToken } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
});
afterAll(() => t.close());

it('pages through a token’s profiles with first and after', async () => {
  const token = await uploadToken(t, 'paging');
  for (const name of ['P1', 'P2', 'P3']) {
    t.clock.advance(1000); // distinct creation times: oldest first is the order
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId: token.id, name, userAffinity: 'WITHOUT_USER' },
    });
  }
  const page = (after?: string) =>
    t.ok(`query ($after: String) { depTokens { edges { node { profiles(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { name } } } } } } }`, { after });
  const first = (await page()).depTokens.edges[0].node.profiles;
  expect(first.edges.map((e: any) => e.node.name)).toEqual(['P1', 'P2']);
  expect(first.pageInfo.hasNextPage).toBe(true);
  const second = (await page(first.pageInfo.endCursor)).depTokens.edges[0].node.profiles;
  expect(second.edges.map((e: any) => e.node.name)).toEqual(['P3']);
  expect(second.pageInfo.hasNextPage).toBe(false);
});
