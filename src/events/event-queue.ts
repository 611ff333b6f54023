/**
 * One subscriber's stream of one topic: the events the instance's listener hands it, queued until
 * the subscriber asks for them.
 *
 * Why not yoga's Repeater (what createPubSub returns): a Repeater push builds about ten promises
 * (pending chains, a thenable per push), and a fan-out pays that per subscriber per event. With
 * 1,000 subscribers on one sync (issue #15) the Repeaters and the garbage they left were the largest
 * share of the profile. Here an event costs one array push, or one resolved promise for a subscriber
 * already waiting.
 *
 * Like a Repeater it starts listening at the first `next()` (a stream never read attaches nothing),
 * `return()` ends it at once even while a `next()` waits, and a subscriber more than
 * MAX_QUEUED_EVENTS behind loses events (the listener throws; the event target logs and drops it
 * for this subscriber only). Meant for one consumer asking for one event at a time (for await,
 * graphql-js); concurrent `next()` calls are still answered in order.
 */
export const MAX_QUEUED_EVENTS = 1024;

export class EventQueueOverflowError extends Error {
  constructor() {
    super(`No more than ${MAX_QUEUED_EVENTS} events may wait for one subscriber; event dropped`);
    this.name = 'EventQueueOverflowError';
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly queued: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private state: 'idle' | 'listening' | 'ended' = 'idle';
  private detach: (() => void) | undefined;

  /**
   * @param attach starts feeding `push` and returns what stops it
   * @param onEnd told once when the stream ends (by return(), or end())
   */
  constructor(
    private readonly attach: (push: (value: T) => void) => () => void,
    private readonly onEnd?: () => void,
  ) {}

  private readonly push = (value: T): void => {
    if (this.state !== 'listening') return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ done: false, value });
    else if (this.queued.length >= MAX_QUEUED_EVENTS) throw new EventQueueOverflowError();
    else this.queued.push(value);
  };

  next(): Promise<IteratorResult<T>> {
    if (this.state === 'idle') {
      this.state = 'listening';
      this.detach = this.attach(this.push);
    }
    if (this.queued.length > 0) return Promise.resolve({ done: false, value: this.queued.shift()! });
    if (this.state === 'ended') return Promise.resolve(DONE);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Stops listening; a waiting `next()` resolves done, events still queued are dropped. */
  end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.detach?.();
    this.queued.length = 0;
    for (const waiter of this.waiting.splice(0)) waiter(DONE);
    this.onEnd?.();
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
