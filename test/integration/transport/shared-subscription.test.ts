/**
 * Subscribers of one viewer and operation share each event's execution
 * (src/graphql/shared-subscription-execution.ts), but not what they are told about a failure: the
 * shared result keeps the raw errors and each subscriber masks them with its own request id
 * (ws-server.ts, onNext). Two sockets of one key on the same `syncRunProgress`, fed events whose
 * resolution fails: an expected error keeps its code, an unexpected one is masked, and each
 * subscriber's copy carries its own request id, logged with the raw error under that id.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { Topic, type SyncRunChangedEvent } from '../../../src/events/topics';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const PROGRESS = `subscription { syncRunProgress { id status } }`;

function listen(client: Client) {
  const got = { errors: [] as any[], data: [] as unknown[], stop: () => undefined as void };
  got.stop = client.subscribe(
    { query: PROGRESS },
    { next: (r: any) => (r.errors ? got.errors.push(...r.errors) : got.data.push(r.data)), error: (e) => got.errors.push(e), complete: () => undefined },
  );
  return got;
}

const event = (runId: string): SyncRunChangedEvent => ({
  runId,
  tokenId: randomUUID(),
  status: 'RUNNING',
  pagesFetched: 0,
  devicesAdded: 0,
  devicesModified: 0,
  devicesDeleted: 0,
});

it('masks a shared event result per subscriber, each with its own request id', async () => {
  const a = listen(t.ws());
  const b = listen(t.ws());
  // Subscribing is asynchronous on the server: publish until both are live, then start afresh.
  await until(async () => {
    await t.app.services.events.publish(Topic.SYNC_RUN_CHANGED, event(randomUUID()));
    return a.errors.length > 0 && b.errors.length > 0;
  }, 'both subscriptions to be live');
  await until(async () => {
    const [na, nb] = [a.errors.length, b.errors.length];
    await new Promise((r) => setTimeout(r, 200));
    return na === a.errors.length && nb === b.errors.length;
  }, 'the warm-up events to have arrived');
  a.errors.length = 0;
  b.errors.length = 0;

  // A run that does not exist (the expected NOT_FOUND, as it is), then a run id PostgreSQL refuses
  // (an unexpected error, masked for both, logged in full per subscriber). Each subscriber gets
  // events in the order published, so a warm-up event still in flight on a loaded machine arrives
  // before these two: the NOT_FOUND is the error right before the masked one.
  await t.app.services.events.publish(Topic.SYNC_RUN_CHANGED, event(randomUUID()));
  await t.app.services.events.publish(Topic.SYNC_RUN_CHANGED, event('not-a-uuid'));
  const masked = (got: { errors: any[] }) => got.errors.findIndex((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  await until(() => masked(a) > 0 && masked(b) > 0, 'the NOT_FOUND and the masked errors');
  const [notFoundA, notFoundB] = [a.errors[masked(a) - 1], b.errors[masked(b) - 1]];
  expect(notFoundA).toMatchObject({ message: expect.stringMatching(/Sync run/), path: ['syncRunProgress'], extensions: { code: 'NOT_FOUND' } });
  expect(notFoundB).toMatchObject({ message: notFoundA.message, extensions: { code: 'NOT_FOUND' } });
  expect(notFoundA.extensions.requestId).toEqual(expect.any(String));
  expect(notFoundB.extensions.requestId).toEqual(expect.any(String));
  expect(notFoundA.extensions.requestId).not.toBe(notFoundB.extensions.requestId);

  const [internalA, internalB] = [a.errors[masked(a)], b.errors[masked(b)]];
  for (const e of [internalA, internalB]) {
    expect(e).toEqual({
      message: 'Internal server error',
      locations: expect.any(Array),
      path: ['syncRunProgress'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
    });
    expect(JSON.stringify(e)).not.toMatch(/uuid|not-a-uuid/i);
  }
  expect(internalA.extensions.requestId).not.toBe(internalB.extensions.requestId);
  // Each subscription keeps its request id for its whole life.
  expect(internalA.extensions.requestId).toBe(notFoundA.extensions.requestId);
  expect(internalB.extensions.requestId).toBe(notFoundB.extensions.requestId);
  const logged = t.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'unexpected error while executing a GraphQL operation');
  for (const e of [internalA, internalB]) {
    expect(logged.filter((l) => l.requestId === e.extensions.requestId)).toEqual([expect.objectContaining({ err: expect.objectContaining({ message: expect.stringMatching(/uuid/) }) })]);
  }
  expect(a.data).toEqual([]);
  a.stop();
  b.stop();
});
