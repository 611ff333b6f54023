/**
 * The hostile-input fuzz suite (issue #9), generated from the introspected schema: every argument
 * of every field (queries, mutations, subscriptions over WebSocket, and the fields of Node types
 * through node(id:)), down to every input field and list item, gets wrong types, null or nothing,
 * huge, empty, control-character, odd-unicode and SQL-looking values, numbers past the edges,
 * forged ids and ids of objects in another scope tag, inline or as variables, over HTTP or
 * WebSocket, from keys of each role scoped to one tag (and the unscoped bootstrap key).
 *
 * For every request: no INTERNAL_SERVER_ERROR, no 5xx, only documented codes, no stack trace or
 * filesystem path in the body, and when the request was refused, nothing changed: every table
 * of the database and the simulator's own records (state-snapshot.ts) are as before.
 * Accepted requests may change state, so the snapshot is taken around each case.
 *
 * fast-check generates the values: seeded and replayable (the seed and the failing case's path
 * are printed), with arbitraries for graphemes and raw UTF-16 (lone surrogates) that a hand-made
 * generator would miss, and shrinking to the smallest failing value. First a sweep gives every
 * position one case (the kind rotates), then FUZZ_RUNS random cases.
 *
 *   npm test                                   fixed seed, every position once plus 150 random cases
 *   FUZZ_RUNS=5000 FUZZ_SEED=7 npx jest test/integration/fuzz   the long run
 */
import 'reflect-metadata';
import fc from 'fast-check';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ErrorCode } from '../../../src/errors/error-codes';
import { createDevices, serials, uploadToken } from '../../support/dep-fixtures';
import { hostileValue, KINDS, type HostileContext, type Kind } from '../../support/fuzz/hostile-values';
import { argumentsWith, operationOf, sitesOf, type BaseValues, type Path, type Site } from '../../support/fuzz/operation-sites';
import { stateSnapshotter, type StateSnapshot } from '../../support/fuzz/state-snapshot';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadVpp } from '../../support/vpp-fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// About 30 s alone; a loaded CI machine (the whole suite in parallel) has taken four times that.
jest.setTimeout(Math.max(300_000, RUNS * 1_000));

const CODES = new Set<string>(Object.values(ErrorCode));
/** A stack frame, a source file, an install path: none may reach a client. */
const LEAKS = [/\bat [^"]*\(\S*[\/\\]\S*:\d+:\d+\)/, /\bat \/\S+:\d+:\d+/, /\\n\s+at /, /node_modules/, /\.[jt]s:\d+/, /"stack(?:trace)?"\s*:/i, new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))];

let t: TestApp;
let schema: GraphQLSchema;
let sites: Site[];
let snapshot: () => Promise<StateSnapshot>;
let base: BaseValues;
let context: HostileContext;
const keys: Record<string, string> = {};

/** Waits until no sync run is queued or running: an accepted syncDepToken (or upload) goes on in the background. */
async function settle(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await t.app.dataSource.query(`SELECT count(*)::int AS n FROM sync_runs WHERE status IN ('QUEUED', 'RUNNING')`);
    if (n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('sync runs did not settle');
}

async function createScopeTag(name: string): Promise<string> {
  return (await t.ok(`mutation ($i: CreateScopeTagInput!) { createScopeTag(input: $i) { scopeTag { id } } }`, { i: { name } })).createScopeTag.scopeTag.id;
}
async function createKey(role: string, scopeTagIds: string[]): Promise<{ id: string; secret: string }> {
  const res = await t.ok(`mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } secret } }`, { i: { name: `fuzz-${role}-${scopeTagIds.length}`, role, scopeTagIds } });
  return { id: res.createApiKey.apiKey.id, secret: res.createApiKey.secret };
}
async function createProfile(tokenId: string, name: string): Promise<string> {
  const res = await t.ok(`mutation ($i: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $i) { profile { id } } }`, { i: { tokenId, name } });
  return res.createEnrollmentProfile.profile.id;
}
async function firstDevice(tokenId: string): Promise<string> {
  return (await t.ok(`query ($f: DeviceFilter) { devices(filter: $f, first: 1) { edges { node { id } } } }`, { f: { tokenId } })).devices.edges[0].node.id;
}

beforeAll(async () => {
  // The sync engine runs (syncDepToken needs its queue); settle() waits for the runs it starts.
  t = await startTestApp({ simulator: true, sync: true });
  // Scope A is the fuzzing keys' own; scope B's objects are "another scope's ids".
  const [tagA, tagB] = [await createScopeTag('fuzz-a'), await createScopeTag('fuzz-b')];
  const own: Record<string, string> = { ScopeTag: tagA };
  const other: Record<string, string> = { ScopeTag: tagB };
  for (const [ids, tag, prefix] of [[own, tagA, 'FZA'], [other, tagB, 'FZB']] as const) {
    const token = await uploadToken(t, `fuzz-${prefix}`, [tag]);
    await createDevices(t, token, serials(prefix, 3));
    ids.DepToken = token.id;
    ids.Device = await firstDevice(token.id);
    ids.EnrollmentProfile = await createProfile(token.id, `profile ${prefix}`);
    ids.VppToken = (await uploadVpp(t, { scopeTagIds: [tag], name: `vpp ${prefix}` })).vppToken.id;
    await settle();
    ids.SyncRun = (await t.ok(`query ($id: ID!) { depToken(id: $id) { syncRuns(first: 1) { edges { node { id } } } } }`, { id: token.id })).depToken.syncRuns.edges[0].node.id;
  }
  // A key of scope A the fuzz may revoke; the fuzzing keys' own ids are never in a pool.
  own.ApiKey = (await createKey('READER', [tagA])).id;
  other.ApiKey = (await createKey('READER', [tagB])).id;
  for (const role of ['READER', 'OPERATOR', 'ADMIN']) keys[role] = (await createKey(role, [tagA])).secret;
  keys.BOOTSTRAP = t.adminKey;
  const keyPairId = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id } } }`)).createDepTokenKeyPair.keyPair.id;

  const byArgument: [RegExp, string][] = [
    [/^(depTokenId|tokenId)$/, own.DepToken!],
    [/profileId/i, own.EnrollmentProfile!],
    [/deviceId/i, own.Device!],
    [/scopeTagIds?$/, tagA],
    [/vppTokenId/i, own.VppToken!],
    [/keyPairId/, keyPairId],
    [/(apiKeyId|actorKeyId)$/, own.ApiKey!],
    [/syncRunId/, own.SyncRun!],
    [/(subjectId|targetId)$/, own.DepToken!],
  ];
  const byField: Record<string, string> = { depToken: own.DepToken!, vppToken: own.VppToken!, syncRun: own.SyncRun!, node: own.DepToken!, nodes: own.Device! };
  base = {
    id: (name, fieldName) => byArgument.find(([pattern]) => pattern.test(name))?.[1] ?? byField[fieldName] ?? Buffer.from('Nope:x').toString('base64url'),
    string: (name) =>
      ({ appleId: 'admin@example.com', search: 'FZA0', serialNumberPrefix: 'FZA', serialNumbers: serials('FZA', 1)[0]!, csv: `serial\n${serials('FZA', 1, 7)[0]}\n` })[name] ??
      `fuzz ${name}`,
    now: t.clock.now().toISOString(),
  };
  context = { otherScopeIds: Object.values(other), ownIds: Object.values(own) };

  const introspection = await t.ok(getIntrospectionQuery());
  schema = buildClientSchema(introspection);
  sites = sitesOf(schema, (type) => own[type]);
  snapshot = stateSnapshotter(t);
});
afterAll(() => t?.close());

interface Case {
  site: Site;
  position: Path;
  kind: Kind;
  value: unknown;
  inline: boolean;
  key: string;
  /** Queries and mutations over WebSocket too; subscriptions only there. */
  ws: boolean;
}

interface Outcome {
  status?: number;
  body: string;
  errors: { message?: string; extensions?: Record<string, unknown> }[];
  /** The site answered with a value (accepted, so state may have changed). */
  answered: boolean;
}

function answeredAt(site: Site, data: any): boolean {
  if (!data) return false;
  if (site.through) return data.node?.[site.field.name] !== undefined && data.node?.[site.field.name] !== null;
  return data[site.field.name] !== undefined && data[site.field.name] !== null;
}

async function overHttp(c: Case, operation: { query: string; variables?: Record<string, unknown> }): Promise<Outcome> {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[c.key]}` },
    body: JSON.stringify(operation),
  });
  const body = await res.text();
  let parsed: any = {};
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = { errors: [{ message: 'not JSON' }] };
  }
  return { status: res.status, body, errors: parsed.errors ?? [], answered: answeredAt(c.site, parsed.data) };
}

async function overWebSocket(c: Case, operation: { query: string; variables?: Record<string, unknown> }): Promise<Outcome> {
  const client = createClient({ url: t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${keys[c.key]}` }, retryAttempts: 0, lazy: true });
  try {
    return await new Promise<Outcome>((resolve) => {
      const results: any[] = [];
      // A subscription that was accepted stays open without an event: stop listening after a moment.
      const timer = setTimeout(() => resolve({ body: JSON.stringify(results), errors: results.flatMap((r) => r.errors ?? []), answered: true }), c.site.operation === 'subscription' ? 150 : 5_000);
      client.subscribe(operation, {
        next: (value) => results.push(value),
        error: (error: any) => {
          clearTimeout(timer);
          if (Array.isArray(error)) resolve({ body: JSON.stringify(error), errors: error, answered: false });
          // A closed socket (a frame over maxPayload: 1009) is a refusal; 1011 would be a server fault.
          else resolve({ body: JSON.stringify({ code: error?.code, reason: error?.reason }), errors: error?.code === 1011 ? [{ extensions: { code: 'CLOSED_1011' } }] : [{ extensions: { code: ErrorCode.BAD_REQUEST } }], answered: false });
        },
        complete: () => {
          clearTimeout(timer);
          resolve({ body: JSON.stringify(results), errors: results.flatMap((r) => r.errors ?? []), answered: results.some((r) => answeredAt(c.site, r.data)) });
        },
      });
    });
  } finally {
    await client.dispose();
  }
}

const describeCase = (c: Case, operation: { query: string; variables?: Record<string, unknown> }) =>
  `${c.site.label} at ${c.position.join('.')} (${c.kind}, ${c.inline ? 'inline' : 'variables'}, ${c.ws ? 'WebSocket' : 'HTTP'}, ${c.key}): ${operation.query.slice(0, 300)} ${JSON.stringify(operation.variables ?? {}).slice(0, 300)}`;

/** Runs one case; the problems it shows (empty when the server behaved). */
async function runCase(c: Case): Promise<string[]> {
  const args = argumentsWith(c.site, base, c.position, c.value);
  const operation = operationOf(c.site, args, c.inline);
  await settle();
  const before = await snapshot();
  const outcome = c.ws || c.site.operation === 'subscription' ? await overWebSocket(c, operation) : await overHttp(c, operation);
  const problems: string[] = [];
  if (outcome.status !== undefined && outcome.status >= 500) problems.push(`HTTP ${outcome.status}`);
  for (const error of outcome.errors) {
    const code = String(error.extensions?.code ?? '');
    if (code === ErrorCode.INTERNAL_SERVER_ERROR || !CODES.has(code)) problems.push(`error code ${code || '(none)'}: ${error.message}`);
  }
  for (const leak of LEAKS) if (leak.test(outcome.body)) problems.push(`body matches ${leak}: ${outcome.body.slice(0, 300)}`);
  if (outcome.errors.length && !outcome.answered) {
    const after = await snapshot();
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[name] !== after[name]) problems.push(`refused, yet ${name} changed`);
    }
  }
  return problems.map((p) => `${p}\n    in ${describeCase(c, operation)}`);
}

const keyArbitrary = fc.constantFrom('READER', 'OPERATOR', 'ADMIN', 'ADMIN', 'BOOTSTRAP');

it('covers every argument of every field the schema has', () => {
  const labels = new Set(sites.map((s) => s.label));
  for (const root of [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!]) {
    for (const field of Object.values(root.getFields())) if (field.args.length) expect(labels).toContain(`${root.name}.${field.name}`);
  }
  for (const nested of ['DepToken.profiles', 'DepToken.devices', 'EnrollmentProfile.devices']) expect(labels).toContain(nested);
  expect(sites.reduce((n, s) => n + s.positions.length, 0)).toBeGreaterThan(100);
});

it('gives every position one hostile value (the kind rotates): no 500, no leak, no change on refusal', async () => {
  const problems: string[] = [];
  let i = 0;
  for (const site of sites) {
    for (const position of site.positions) {
      const kind = KINDS[(i + SEED) % KINDS.length]!;
      const [value, inline, key, ws] = fc.sample(fc.tuple(hostileValue(kind, context), fc.boolean(), keyArbitrary, fc.integer({ min: 0, max: 4 })), { seed: SEED + i, numRuns: 1 })[0]!;
      problems.push(...(await runCase({ site, position, kind, value, inline, key, ws: ws === 0 })));
      i++;
    }
  }
  expect(problems).toEqual([]);
});

it(`survives ${RUNS} random cases (seed ${SEED})`, async () => {
  const caseArbitrary = fc
    .record({ site: fc.constantFrom(...sites), kind: fc.constantFrom(...KINDS), inline: fc.boolean(), key: keyArbitrary, ws: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) })
    .chain((c) => fc.record({ position: fc.constantFrom(...c.site.positions), value: hostileValue(c.kind, context) }).map((rest) => ({ ...c, ...rest })));
  await fc.assert(
    fc.asyncProperty(caseArbitrary, async (c) => {
      const problems = await runCase(c);
      if (problems.length) throw new Error(problems.join('\n'));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
