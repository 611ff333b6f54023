/**
 * Subscriptions over graphql-ws: each event is executed once per distinct viewer and operation on
 * this instance, not once per subscriber.
 *
 * graphql-js executes the operation for every event of every subscription. 1,000 dashboards on one
 * sync (issue #15) thus ran the same resolvers over the same rows 1,000 times per page, and the last
 * subscriber heard of a page seconds after the first. Subscribers whose operation (query text,
 * operation name, variables) and viewer (API key, role, scope tags) are the same get the same result
 * for the same event, so the first of them executes it and the others share that result. The
 * pub/sub hands one event object to every subscriber of an instance: results are keyed by it and
 * dropped with it, so nothing is served for a later event. Events a subscription makes itself (the
 * current state a live subscription sends first) are objects of their own and execute alone.
 * Errors stay raw GraphQLErrors in the shared result; each subscriber masks them with its own
 * request id (ws-server.ts, onNext).
 */
import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { RequestContext } from '../context';

type Result = ExecutionResult | AsyncIterableIterator<ExecutionResult>;

/**
 * The subscribers of one shared result get it SENDS_PER_TURN per turn of the event loop: the first
 * batch at once, each further one a setImmediate after the previous. Without a bound, a fan-out to
 * N sockets runs as one microtask storm that holds the loop for all N sends, however large N is.
 * Why 1,000 and not fewer: a send is about 30 to 40 us of this process's CPU, three quarters of it
 * the kernel's write to the socket (profile of issue #15's bench, clients in another process), so
 * 1,000 sends hold the loop some 30 to 40 ms. With 100 per turn, every yield let the instance's
 * other ready work run in between (in the bench the sync's next page: parsing, building its
 * upsert), ten times per event, and that, not the sends, made the tail: one instance, clients
 * apart, p99 82 to 374 ms (median 164) at 100 per turn against 68 to 167 ms (median 89) at 1,000
 * (shared machine, runs alternated; README, Fan-out). The price: the loop is held 20 to 40 ms. Each subscriber still takes its events one at a time, in order.
 */
const SENDS_PER_TURN = 1000;

interface Shared {
  result: Promise<ExecutionResult>;
  taken: number;
  /** turns[i]: when batch i+1 may go (chained from the result). */
  turns: Promise<unknown>[];
}

const byEvent = new WeakMap<object, Map<string, Shared>>();

function viewerKey(context: RequestContext): string {
  const { apiKeyId, role, scopeTagIds } = context.principal;
  return `${apiKeyId}|${role}|${[...scopeTagIds].sort().join(',')}`;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function sharedExecution(event: unknown, key: string, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  if (event === null || typeof event !== 'object') return run();
  let results = byEvent.get(event);
  if (!results) byEvent.set(event, (results = new Map()));
  let shared = results.get(key);
  if (!shared) results.set(key, (shared = { result: run(), taken: 0, turns: [] }));
  const batch = Math.floor(shared.taken++ / SENDS_PER_TURN);
  if (batch === 0) return shared.result;
  while (shared.turns.length < batch) shared.turns.push((shared.turns.at(-1) ?? shared.result).then(nextTurn, nextTurn));
  await shared.turns[batch - 1];
  return shared.result;
}

/** Like graphql-js's mapAsyncIterator: return() reaches the source at once, even mid-wait. */
function mapEvents<T, U>(source: AsyncIterator<T>, map: (value: T) => Promise<U>): AsyncIterableIterator<U> {
  return {
    async next() {
      const next = await source.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: await map(next.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (source.throw) {
        const next = await source.throw(error);
        return next.done ? { done: true, value: undefined } : { done: false, value: await map(next.value) };
      }
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** graphql-ws's `subscribe`: graphql-js's own, with each event's execution shared as described above. */
export async function subscribeSharingEvents(args: ExecutionArgs): Promise<Result> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const key = [viewerKey(args.contextValue as RequestContext), args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), print(args.document)].join('\n');
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return mapEvents(source, (event) => sharedExecution(event, key, async () => execute({ ...args, rootValue: event })));
}
