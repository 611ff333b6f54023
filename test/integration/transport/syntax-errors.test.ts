/**
 * Syntax errors are the client's (found by the fuzz suite): graphql-armor's token limit parsed
 * each document again inside an Apollo plugin hook, where any syntax error (an invalid escape such
 * as "\ud800", a missing brace) became HTTP 500. Now HTTP answers 400 GRAPHQL_PARSE_FAILED, and
 * the WebSocket parses with the same token limit and the same code.
 */
import 'reflect-metadata';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function overWebSocket(query: string) {
  const client = t.ws();
  try {
    return await wsRequest(client, query);
  } catch (errors) {
    if (Array.isArray(errors)) return { data: undefined, errors };
    throw errors;
  } finally {
    await client.dispose();
  }
}

const tooManyTokens = `{ ${Array.from({ length: 2600 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
const cases: [string, string][] = [
  ['an unpaired surrogate escape', '{ depTokens(first: "\\ud800") { totalCount } }'],
  ['an unknown escape', '{ depTokens(first: "\\x") { totalCount } }'],
  ['a missing brace', '{ depTokens('],
  ['more than 5,000 tokens', tooManyTokens],
];

it.each(cases)('%s: 400 GRAPHQL_PARSE_FAILED over HTTP, the same code over WebSocket', async (_label, query) => {
  const http = await t.gql(query);
  expect(http.status).toBe(400);
  expect(http.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  const ws = await overWebSocket(query);
  expect(ws.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  expect(ws.errors?.[0].message).toBe(http.errors?.[0].message);
});

it('a document under the token limit still runs', async () => {
  const query = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
  expect((await t.ok(query)).a0).toBe('Query');
});
