/**
 * `syncRuns` under a page of tokens: every token's newest runs come from one statement (and the
 * counts from one more), whatever the number of tokens, in the same order as a single token's.
 */
import { countStatements } from '../../support/dep-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { requestSync, uploadToken, waitForIdle, waitForRun } from './sync-support';
import { MINUTE_MS } from '../../../src/clock';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const SYNC_RUNS = /sync_runs/;
const QUERY = `{ depTokens(first: 50) { edges { node { id syncRuns(first: 2) { totalCount edges { node { trigger status } } } } } } }`;

it('costs the same statements for two tokens as for three, newest run first', async () => {
  const a = await uploadToken(t, { devices: 2 });
  const b = await uploadToken(t, { devices: 2 });
  await waitForIdle(t, a.rowId);
  await waitForIdle(t, b.rowId);
  t.clock.advance(16 * MINUTE_MS);
  await waitForRun(t, await requestSync(t, a));

  const two = await countStatements(() => t.ok(QUERY), SYNC_RUNS);
  const byName = new Map<string, any>(two.result.depTokens.edges.map((e: any) => [e.node.id, e.node.syncRuns]));
  expect(byName.get(a.id)).toMatchObject({ totalCount: 2, edges: [{ node: { trigger: 'MANUAL' } }, { node: { trigger: 'TOKEN_UPLOAD' } }] });
  expect(byName.get(b.id)).toMatchObject({ totalCount: 1, edges: [{ node: { trigger: 'TOKEN_UPLOAD' } }] });

  const c = await uploadToken(t, { devices: 1 });
  await waitForIdle(t, c.rowId);
  const three = await countStatements(() => t.ok(QUERY), SYNC_RUNS);
  expect(three.result.depTokens.edges).toHaveLength(3);
  expect(three.statements).toHaveLength(two.statements.length);
  expect(two.statements.length).toBeLessThanOrEqual(2 + 1); // page + counts (+ the token's active-run lookup if it names sync_runs)
});
