/**
 * EventQueue, one subscriber's stream of a topic: listens from the first next(), keeps order,
 * ends at once on return() even while a next() waits, and drops (throws to the event target) what
 * a subscriber too far behind would have queued.
 */
import { EventQueue, EventQueueOverflowError, MAX_QUEUED_EVENTS } from '../../../src/events/event-queue';

function fed() {
  const listeners = new Set<(n: number) => void>();
  let ended = 0;
  const queue = new EventQueue<number>(
    (push) => (listeners.add(push), () => listeners.delete(push)),
    () => ended++,
  );
  return { queue, send: (n: number) => [...listeners].forEach((l) => l(n)), listeners, ended: () => ended };
}

it('listens from the first next() and delivers in order, queued or awaited', async () => {
  const { queue, send, listeners } = fed();
  expect(listeners.size).toBe(0);
  const first = queue.next();
  expect(listeners.size).toBe(1);
  send(1);
  send(2);
  send(3);
  expect(await first).toEqual({ done: false, value: 1 });
  expect(await queue.next()).toEqual({ done: false, value: 2 });
  expect(await queue.next()).toEqual({ done: false, value: 3 });
});

it('return() ends a waiting next() at once and stops listening', async () => {
  const { queue, listeners, ended } = fed();
  const waiting = queue.next();
  await queue.return();
  expect(await waiting).toEqual({ done: true, value: undefined });
  expect(listeners.size).toBe(0);
  expect(ended()).toBe(1);
  expect(await queue.next()).toEqual({ done: true, value: undefined });
});

it(`refuses more than ${MAX_QUEUED_EVENTS} waiting events for one subscriber`, async () => {
  const { queue, send } = fed();
  void queue.next().then(() => undefined);
  send(0); // taken by the waiting next()
  for (let i = 1; i <= MAX_QUEUED_EVENTS; i++) send(i);
  expect(() => send(-1)).toThrow(EventQueueOverflowError);
  expect(await queue.next()).toEqual({ done: false, value: 1 });
});
