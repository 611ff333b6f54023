/**
 * Variables of the wrong type are BAD_USER_INPUT on both transports (found by the fuzz suite):
 * over WebSocket, graphql-js's coercion errors carried no code and wrapped the scalar's own
 * error, so error-masking masked them as INTERNAL_SERVER_ERROR, while HTTP said BAD_USER_INPUT.
 */
import 'reflect-metadata';
import { startTestApp, wsRequest, type TestApp } from '../../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function overWebSocket(query: string, variables: Record<string, unknown>) {
  const client = t.ws();
  try {
    return await wsRequest(client, query, variables);
  } catch (errors) {
    if (Array.isArray(errors)) return { data: undefined, errors };
    throw errors;
  } finally {
    await client.dispose();
  }
}

const cases: [string, string, Record<string, unknown>][] = [
  ['a nested list for an Int', 'query ($n: Int) { depTokens(first: $n) { totalCount } }', { n: [[['x']]] }],
  ['a boolean for an ID', 'query ($id: ID!) { depToken(id: $id) { id } }', { id: true }],
  ['a string for an enum inside an input object', 'query ($o: DeviceOrder) { devices(orderBy: $o) { totalCount } }', { o: { field: 'NOPE' } }],
  ['an object for a String in a list', 'mutation ($i: AssignEnrollmentProfileInput!) { assignEnrollmentProfile(input: $i) { results { status } } }', { i: { profileId: 'x', serialNumbers: [{}] } }],
  ['a required variable not sent', 'query ($id: ID!) { depToken(id: $id) { id } }', {}],
];

it.each(cases)('%s: BAD_USER_INPUT over HTTP and WebSocket alike', async (_label, query, variables) => {
  const http = await t.gql(query, variables);
  expect(http.status).toBe(400);
  expect(http.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const ws = await overWebSocket(query, variables);
  expect(ws.data ?? null).toBeNull();
  expect(ws.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(ws.errors?.[0].message).toBe(http.errors?.[0].message);
});
