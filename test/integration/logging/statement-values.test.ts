/**
 * A failed statement is logged without the values it was sent: the SQL text and SQLSTATE help an
 * operator, the parameters (an API key's hash, a name that looks like a secret) must not reach the
 * log. The INSERT is made to fail by a constraint the application does not know about.
 */
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.dataSource.query(`ALTER TABLE api_keys ADD CONSTRAINT test_refuses_live_keys CHECK (name NOT LIKE 'sk_live_%')`);
});
afterAll(() => t.close());

it('logs a failing INSERT as its statement, with no parameter value, row detail or hash bytes', async () => {
  const secretLooking = `sk_live_${randomBytes(12).toString('hex')}`;
  const res = await t.gql(`mutation ($name: String!) { createApiKey(input: {name: $name, role: READER, scopeTagIds: []}) { secret } }`, {
    name: secretLooking,
  });
  expect(res.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  const requestId = res.errors?.[0].extensions?.requestId;

  const line = t.logs.find((l) => l.includes(requestId) && l.includes('unexpected error'));
  expect(line).toBeDefined();
  const logged = JSON.parse(line!);
  // What helps an operator stays: the statement with placeholders and the SQLSTATE.
  expect(logged.err.query).toMatch(/INSERT INTO "api_keys"/);
  expect(logged.err.query).toMatch(/\$1/);
  expect(logged.err.code ?? logged.err.driverError?.code).toBe('23514');
  // What was sent does not.
  expect(t.logs.join('\n')).not.toContain(secretLooking);
  expect(line).not.toMatch(/"parameters"|"detail"|Failing row|"type":"Buffer"/);
});
