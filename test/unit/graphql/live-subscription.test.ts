/**
 * liveSubscription: listens before it reads the current state, so an event published while the
 * state is being read is delivered after it (never lost in the gap); filters per event; ends its
 * sources when the client stops.
 */
import { createPubSub } from '@graphql-yoga/subscription';
import { liveSubscription } from '../../../src/graphql/live-subscription';

type Topics = { T: [{ n: number }] };

it('sends the current state first, then events, including one published while the state was read', async () => {
  const pubSub = createPubSub<Topics>();
  const stream = liveSubscription<{ n: number }>({
    sources: [pubSub.subscribe('T')],
    filter: (e) => e.n !== 2,
    initial: async () => {
      // Published after the stream listens and before the state is sent: must not be lost.
      pubSub.publish('T', { n: 1 });
      return [{ n: 0 }];
    },
  });
  const first = await stream.next();
  pubSub.publish('T', { n: 2 }); // filtered out
  pubSub.publish('T', { n: 3 });
  const got = [first.value, (await stream.next()).value, (await stream.next()).value];
  expect(got).toEqual([{ n: 0 }, { n: 1 }, { n: 3 }]);
  await stream.return?.();
  expect((await stream.next()).done).toBe(true);
});

it('without a current state, is the filtered event stream', async () => {
  const pubSub = createPubSub<Topics>();
  const stream = liveSubscription<{ n: number }>({ sources: [pubSub.subscribe('T')], filter: () => true });
  const next = stream.next();
  await new Promise((r) => setImmediate(r));
  pubSub.publish('T', { n: 7 });
  expect((await next).value).toEqual({ n: 7 });
  await stream.return?.();
});

it('a failing read costs one message, not the stream', async () => {
  const pubSub = createPubSub<Topics>();
  const failures: string[] = [];
  const stream = liveSubscription<{ n: number }>({
    sources: [pubSub.subscribe('T')],
    filter: (e) => {
      if (e.n === 1) throw new Error('database hiccup');
      return true;
    },
    initial: async () => {
      throw new Error('no state');
    },
    onError: (_error, stage) => failures.push(stage),
  });
  const next = stream.next();
  await new Promise((r) => setImmediate(r));
  pubSub.publish('T', { n: 1 });
  pubSub.publish('T', { n: 2 });
  expect((await next).value).toEqual({ n: 2 });
  expect(failures).toEqual(['initial', 'filter']);
  await stream.return?.();
});
