import { Repeater } from '@graphql-yoga/subscription';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { subscribeSharingEvents } from '../../../src/graphql/shared-subscription-execution';

/** A schema whose one subscription yields the given events and counts its executions. */
function counting(events: object[]) {
  const calls = { resolved: 0 };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: GraphQLString,
          args: { tag: { type: GraphQLString } },
          subscribe: async function* () {
            yield* events;
          },
          resolve: (event: { n: number }, args: { tag?: string }) => {
            calls.resolved++;
            return `${args.tag ?? ''}${event.n}`;
          },
        },
      },
    }),
  });
  return { schema, calls };
}

const principal = (apiKeyId: string, scopeTagIds: string[] = []) => ({ principal: { apiKeyId, name: 'k', role: 'READER', scopeTagIds } });

async function drain(schema: GraphQLSchema, query: string, contextValue: unknown): Promise<unknown[]> {
  const stream = (await subscribeSharingEvents({ schema, document: parse(query), contextValue })) as AsyncIterableIterator<{ data: unknown }>;
  const out: unknown[] = [];
  for await (const result of stream) out.push(result.data);
  return out;
}

describe('subscribeSharingEvents', () => {
  it('executes an event once for subscribers with the same viewer and operation, and each gets the result', async () => {
    const events = [{ n: 1 }, { n: 2 }];
    const { schema, calls } = counting(events);
    const results = await Promise.all([1, 2, 3].map(() => drain(schema, 'subscription { ticks }', principal('key-a'))));
    for (const r of results) expect(r).toEqual([{ ticks: '1' }, { ticks: '2' }]);
    expect(calls.resolved).toBe(2);
  });

  it('hands a shared result to 1,000 subscribers per turn of the event loop, all of them in the end', async () => {
    const { schema, calls } = counting([{ n: 1 }]);
    const streams = await Promise.all(
      Array.from({ length: 2500 }, async () => (await subscribeSharingEvents({ schema, document: parse('subscription { ticks }'), contextValue: principal('key-a') })) as AsyncIterableIterator<{ data: unknown }>),
    );
    const got: number[] = [];
    const nexts = streams.map((s, i) => s.next().then((r) => (got.push(i), r.value)));
    // An immediate queued now runs after the first batch got its result and before the second.
    const atNextTurn = await new Promise<number>((r) => setImmediate(() => r(got.length)));
    expect(atNextTurn).toBe(1000);
    expect(await Promise.all(nexts)).toEqual(Array(2500).fill({ data: { ticks: '1' } }));
    expect(calls.resolved).toBe(1);
  });

  it('executes again for another key, another scope or another operation', async () => {
    const { schema, calls } = counting([{ n: 1 }]);
    await drain(schema, 'subscription { ticks }', principal('key-a'));
    await drain(schema, 'subscription { ticks }', principal('key-b'));
    await drain(schema, 'subscription { ticks }', principal('key-a', ['tag-1']));
    const tagged = await drain(schema, 'subscription { ticks(tag: "t") }', principal('key-a'));
    expect(tagged).toEqual([{ ticks: 't1' }]);
    expect(calls.resolved).toBe(4);
  });

  it('never shares between distinct event objects', async () => {
    const { schema, calls } = counting([{ n: 1 }, { n: 1 }]);
    await drain(schema, 'subscription { ticks }', principal('key-a'));
    expect(calls.resolved).toBe(2);
  });

  it('passes return() to the source at once, even while a next() waits for an event (an unsubscribe stops listening)', async () => {
    let stopped = false;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          never: {
            type: GraphQLString,
            // Like liveSubscription: a Repeater whose events never come.
            subscribe: () =>
              new Repeater<object>(async (_push, stop) => {
                await stop;
                stopped = true;
              }),
            resolve: () => 'x',
          },
        },
      }),
    });
    const stream = (await subscribeSharingEvents({ schema, document: parse('subscription { never }'), contextValue: principal('key-a') })) as AsyncIterableIterator<unknown>;
    const waiting = stream.next();
    await expect(stream.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(stopped).toBe(true);
  });
});
