/**
 * The LISTEN/NOTIFY pub/sub against a real PostgreSQL: two independent instances on one database
 * stand in for two depgate processes behind a load balancer.
 */
import { Writable } from 'node:stream';
import { Client } from 'pg';
import type { PubSub as TypeGraphQLPubSub } from 'type-graphql';
import {
  createPostgresPubSub,
  EventPayloadTooLargeError,
  PubSubClosedError,
  Topic,
  type PostgresPubSub,
  type SyncRunChangedEvent,
} from '../../../src/events';
import { createLogger } from '../../../src/logger';
import { createTestDatabase, withAdminClient, type TestDatabase } from '../../support/database-server';
import { waitFor } from '../../support/wait-for';

let db: TestDatabase;
const logs: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  }),
);
const opened: PostgresPubSub[] = [];

async function instance(name: string): Promise<PostgresPubSub> {
  const events = createPostgresPubSub({
    connectionString: db.url,
    logger: logger.child({ instance: name }),
    applicationName: `depgate-events-${name}`,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
  });
  opened.push(events);
  await events.start();
  return events;
}

/** Polls instead of sleeping a fixed time. */
/**
 * Consumes a subscription in the background. yoga's iterator registers its listener on the first
 * next() call, which this does at once.
 */
function collect<T>(iterator: AsyncIterableIterator<T>) {
  const seen: T[] = [];
  let ended = false;
  const done = (async () => {
    for await (const value of iterator) seen.push(value);
    ended = true;
  })();
  return { seen, done, ended: () => ended };
}

const run = (n: number, extra: Partial<SyncRunChangedEvent> = {}): SyncRunChangedEvent => ({
  runId: `run-${n}`,
  tokenId: 'token-1',
  status: 'RUNNING',
  pagesFetched: n,
  devicesAdded: n * 10,
  devicesModified: 0,
  devicesDeleted: 0,
  ...extra,
});

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

afterAll(async () => {
  await db.drop();
});

it('is accepted as type-graphql pubSub (compile-time check)', async () => {
  const events = await instance('types');
  const forBuildSchema: TypeGraphQLPubSub = events.pubSub;
  expect(typeof forBuildSchema.subscribe).toBe('function');
});

it('delivers an event published on instance B to a subscriber on instance A', async () => {
  const a = await instance('a');
  const b = await instance('b');
  const sub = a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED);
  const next = sub.next();

  await b.publish(Topic.SYNC_RUN_CHANGED, run(1, { status: 'SUCCEEDED' }));

  await expect(next).resolves.toEqual({ done: false, value: run(1, { status: 'SUCCEEDED' }) });
  await sub.return();
});

it('keeps the order of 50 events sent through the fire-and-forget pubSub.publish', async () => {
  const a = await instance('a');
  const b = await instance('b');
  const got = collect(a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED));

  for (let i = 0; i < 50; i++) b.pubSub.publish(Topic.SYNC_RUN_CHANGED, run(i));

  await waitFor(() => got.seen.length >= 50, '50 events');
  expect(got.seen.map((e) => e.pagesFetched)).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

it('gives the publishing instance its own event exactly once (through NOTIFY, not also locally)', async () => {
  const a = await instance('a');
  const b = await instance('b');
  const onA = collect(a.pubSub.subscribe(Topic.ALERT_RAISED));
  const onB = collect(b.pubSub.subscribe(Topic.ALERT_RAISED));
  await new Promise((r) => setImmediate(r));

  b.pubSub.publish(Topic.ALERT_RAISED, { alertId: 'alert-1', kind: 'DEP_TOKEN_EXPIRING', tokenId: 't1' });
  // A marker sent afterwards: once it has arrived, any duplicate of the first would have too.
  await b.publish(Topic.ALERT_RAISED, { alertId: 'marker', kind: 'VPP_LICENSES_LOW' });
  await waitFor(() => onA.seen.length >= 2 && onB.seen.length >= 2, 'both events on both instances');
  await new Promise((r) => setTimeout(r, 100));

  expect(onB.seen.map((e) => e.alertId)).toEqual(['alert-1', 'marker']);
  expect(onA.seen.map((e) => e.alertId)).toEqual(['alert-1', 'marker']);
});

it('refuses a payload of 8000 bytes or more, in both publish paths, with a clear message', async () => {
  const a = await instance('a');
  const huge = run(1, { errorCode: 'x'.repeat(8000) });

  await expect(a.publish(Topic.SYNC_RUN_CHANGED, huge)).rejects.toBeInstanceOf(EventPayloadTooLargeError);
  await expect(a.publish(Topic.SYNC_RUN_CHANGED, huge)).rejects.toThrow(/send ids and counters, not rows/i);
  expect(() => a.pubSub.publish(Topic.SYNC_RUN_CHANGED, huge)).toThrow(EventPayloadTooLargeError);

  // Just under the limit still goes through.
  const got = collect(a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED));
  await new Promise((r) => setImmediate(r));
  await a.publish(Topic.SYNC_RUN_CHANGED, run(2, { errorCode: 'y'.repeat(7500) }));
  await waitFor(() => got.seen.length === 1, 'the large-but-allowed event');
});

it('sends an event published on a transaction only when that transaction commits', async () => {
  const a = await instance('a');
  const got = collect(a.pubSub.subscribe(Topic.ALERT_RAISED));
  await new Promise((r) => setImmediate(r));
  const tx = new Client({ connectionString: db.url });
  await tx.connect();
  try {
    await tx.query('BEGIN');
    await a.publish(Topic.ALERT_RAISED, { alertId: 'rolled-back', kind: 'DEP_SYNC_FAILING' }, { executor: tx });
    await tx.query('ROLLBACK');

    await tx.query('BEGIN');
    await a.publish(Topic.ALERT_RAISED, { alertId: 'committed', kind: 'DEP_SYNC_FAILING' }, { executor: tx });
    // Identical events in one transaction are not folded into one (each envelope has its own id).
    await a.publish(Topic.ALERT_RAISED, { alertId: 'committed', kind: 'DEP_SYNC_FAILING' }, { executor: tx });
    await new Promise((r) => setTimeout(r, 100));
    expect(got.seen).toEqual([]);
    await tx.query('COMMIT');
  } finally {
    await tx.end();
  }

  await waitFor(() => got.seen.length === 2, 'the committed events');
  expect(got.seen.map((e) => e.alertId)).toEqual(['committed', 'committed']);
});

it('close() ends open subscriptions cleanly and refuses later use', async () => {
  const a = await instance('a');
  const pending = a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED);
  const next = pending.next();
  const looping = collect(a.pubSub.subscribe(Topic.ALERT_RAISED));
  await new Promise((r) => setImmediate(r));

  await a.close();

  await expect(next).resolves.toEqual({ done: true, value: undefined });
  await looping.done;
  expect(looping.ended()).toBe(true);
  await expect(a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED).next()).resolves.toMatchObject({ done: true });
  await expect(a.publish(Topic.ALERT_RAISED, { alertId: 'late', kind: 'DEP_TOKEN_EXPIRED' })).rejects.toBeInstanceOf(PubSubClosedError);
  expect(() => a.pubSub.publish(Topic.ALERT_RAISED, { alertId: 'late', kind: 'DEP_TOKEN_EXPIRED' })).toThrow(PubSubClosedError);
  expect(a.isListening()).toBe(false);
  await a.close(); // idempotent
});

it('reconnects its LISTEN connection after the server kills it, and later events still arrive', async () => {
  const a = await instance('reconnecting');
  const b = await instance('b');
  const got = collect(a.pubSub.subscribe(Topic.SYNC_RUN_CHANGED));
  await new Promise((r) => setImmediate(r));

  const listenerPid = () =>
    withAdminClient(async (c) => {
      const { rows } = await c.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND query ILIKE 'LISTEN%'`,
        [db.name, 'depgate-events-reconnecting'],
      );
      return rows[0]?.pid;
    });
  const before = await listenerPid();
  expect(before).toEqual(expect.any(Number));

  await withAdminClient((c) => c.query('SELECT pg_terminate_backend($1)', [before]));

  let after: number | undefined;
  await waitFor(async () => {
    after = await listenerPid();
    return after !== undefined && after !== before && a.isListening();
  }, 'a new LISTEN backend');
  expect(logs.some((l) => l.includes('events listener lost its connection'))).toBe(true);
  expect(logs.some((l) => l.includes('events listener reconnected'))).toBe(true);
  // The connection string (and its password) never reaches the logs.
  expect(logs.some((l) => l.includes(db.url))).toBe(false);

  await b.publish(Topic.SYNC_RUN_CHANGED, run(7, { status: 'SUCCEEDED' }));
  await waitFor(() => got.seen.length === 1, 'an event after the reconnect');
  expect(got.seen[0]).toEqual(run(7, { status: 'SUCCEEDED' }));
});
