/**
 * A browser-side client against the running server, as a front-end team would write it: Apollo
 * Client 4 with an HttpLink (from another origin, through CORS) and a GraphQLWsLink over
 * graphql-ws, a normalised cache with relayStylePagination. It pages devices with fetchMore, runs
 * a mutation, watches a sync through a subscription, and meets syntax errors on both transports
 * (400 on HTTP; on the socket an error for that operation while the subscription keeps running).
 */
import { ApolloClient, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until, uploadToken, waitForIdle, type SyncedToken } from '../sync/sync-support';

const CONSOLE = 'https://console.example.com';

let t: TestApp;
let token: SyncedToken;
let wsClient: WsClient;
let client: ApolloClient;
/** Every HTTP exchange the client made: status and the CORS header it got back. */
const exchanges: { status: number; allowOrigin: string | null }[] = [];

/** The browser's fetch, as far as the server can tell: it sends Origin, like any cross-origin request. */
const browserFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('origin', CONSOLE);
  const res = await fetch(input, { ...init, headers });
  exchanges.push({ status: res.status, allowOrigin: res.headers.get('access-control-allow-origin') });
  return res;
};

function httpLink(print?: () => string): HttpLink {
  return new HttpLink({
    uri: t.url,
    headers: { authorization: `Bearer ${t.adminKey}` },
    fetch: browserFetch,
    ...(print ? { print } : {}),
  });
}

beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true, env: { CORS_ORIGINS: CONSOLE } });
  token = await uploadToken(t, { devices: 25 });
  wsClient = createClient({ url: t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${t.adminKey}` }, retryAttempts: 0 });
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(wsClient),
    httpLink(),
  );
  client = new ApolloClient({
    link,
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { devices: relayStylePagination(['filter', 'orderBy']) } } } }),
  });
});
afterAll(async () => {
  client?.stop();
  await wsClient?.dispose();
  await t?.close();
});

const DEVICES = gql`
  query Devices($filter: DeviceFilter, $first: Int, $after: String) {
    devices(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id serialNumber profileStatus } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

it('pages devices with fetchMore, merged by relayStylePagination in the normalised cache', async () => {
  const query = client.watchQuery({ query: DEVICES, variables: { filter: { tokenId: token.id }, first: 10 } });
  const results: any[] = [];
  const subscription = query.subscribe((result) => results.push(result));
  try {
    await until(() => results.some((r) => r.data?.devices), 'the first page');
    // What the component sees: the watched query's latest result, with the pages merged.
    const merged = (edges: number) => until(() => results.map((r) => r.data?.devices).find((d) => d?.edges.length === edges), `${edges} merged edges`, 5000);
    const first = await merged(10);
    await query.fetchMore({ variables: { after: first.pageInfo.endCursor } });
    const second = await merged(20);
    await query.fetchMore({ variables: { after: second.pageInfo.endCursor } });
    const all = { devices: await merged(25) };
    const serialNumbers = all.devices.edges.map((e: any) => e.node.serialNumber);
    expect(serialNumbers).toEqual([...token.serials].sort());
    expect(all.devices.pageInfo.hasNextPage).toBe(false);
    // Normalised by global id: one cache entry per device.
    expect(Object.keys(client.cache.extract() as object).filter((k) => k.startsWith('Device:'))).toHaveLength(25);
  } finally {
    subscription.unsubscribe();
  }
});

it('runs a mutation', async () => {
  const result = await client.mutate({
    mutation: gql`mutation CreateTag($input: CreateScopeTagInput!) { createScopeTag(input: $input) { scopeTag { id name } } }`,
    variables: { input: { name: 'Berlin office' } },
  });
  expect((result.data as any).createScopeTag.scopeTag).toEqual({ __typename: 'ScopeTag', id: expect.any(String), name: 'Berlin office' });
});

it('sends every request from the console origin through CORS: each response allows that origin', () => {
  expect(exchanges.length).toBeGreaterThan(3);
  expect(exchanges.filter((e) => e.allowOrigin !== CONSOLE)).toEqual([]);
});

describe('a subscription during a sync, and syntax errors beside it', () => {
  const PROGRESS = gql`subscription Progress($tokenId: ID) { syncRunProgress(tokenId: $tokenId) { id status devicesAdded devicesModified } }`;
  const events: any[] = [];
  const errors: unknown[] = [];
  let live: { unsubscribe(): void };

  /** Requests a sync through the client and waits until the subscription has seen it finish. */
  async function syncAndWatch(): Promise<string | undefined> {
    t.clock.advance(16 * MINUTE_MS); // past the manual sync interval
    const result = await client.mutate({
      mutation: gql`mutation Sync($input: SyncDepTokenInput!) { syncDepToken(input: $input) { syncRun { id status } } }`,
      variables: { input: { tokenId: token.id } },
    });
    const runId = (result.data as any).syncDepToken.syncRun.id as string;
    await waitForIdle(t, token.rowId);
    return until(() => events.some((e) => e.id === runId && e.status === 'SUCCEEDED') && runId, 'the final event', 3000).catch(() => undefined);
  }

  beforeAll(async () => {
    live = client.subscribe({ query: PROGRESS, variables: { tokenId: token.id } }).subscribe({
      next: (result) => (result.error ? errors.push(result.error) : events.push((result.data as any).syncRunProgress)),
      error: (error) => errors.push(error),
    });
    // The first sync whose events arrive proves the subscription is live.
    await until(syncAndWatch, 'the subscription to be live', 30_000);
  });
  afterAll(() => live?.unsubscribe());

  it('streams the run from queued to succeeded', async () => {
    const runId = await syncAndWatch();
    expect(runId).toBeDefined();
    const statuses = events.filter((e) => e.id === runId).map((e) => e.status);
    expect(statuses[0]).toBe('QUEUED');
    expect(statuses).toContain('RUNNING');
    expect(statuses[statuses.length - 1]).toBe('SUCCEEDED');
    expect(errors).toEqual([]);
  });

  it('gets a syntax error over HTTP as 400 GRAPHQL_PARSE_FAILED', async () => {
    // A hand-written query string with a typo, sent by Apollo Client's HttpLink as it is.
    const typo = new ApolloClient({ link: httpLink(() => '{ viewer { role }'), cache: new InMemoryCache() });
    const before = exchanges.length;
    const result = await typo.query({ query: gql`{ viewer { role } }`, errorPolicy: 'all' });
    expect(CombinedGraphQLErrors.is(result.error)).toBe(true);
    expect((result.error as CombinedGraphQLErrors).errors[0].extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
    expect(exchanges.slice(before)).toEqual([{ status: 400, allowOrigin: CONSOLE }]);
  });

  it('gets a syntax error on the socket for that operation only: the running subscription still delivers afterwards', async () => {
    // The same socket the GraphQLWsLink uses, with a raw operation string.
    const refusal = await new Promise<unknown>((resolve) => {
      wsClient.subscribe({ query: 'subscription { syncRunProgress(tokenId: "x") { id }' }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) });
    });
    expect(refusal).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) })]);
    const runId = await syncAndWatch();
    expect(runId).toBeDefined();
    expect(events.filter((e) => e.id === runId).map((e) => e.status)).toContain('SUCCEEDED');
    expect(errors).toEqual([]);
  });
});
