/**
 * A subscription that starts from the truth: it listens first, then sends the current state (when
 * the caller named one object), then every matching event. A dashboard opened mid-sync thus shows
 * the running run at once instead of waiting for its next page, and no event falls in the gap
 * between reading the state and listening (one published meanwhile arrives after the state, which
 * a client applies as an update of the same object).
 *
 * type-graphql applies its `filter` only with `topics`; a subscription with its own `subscribe`
 * (this one) filters here, per event and per subscriber, as `filter` would.
 */
import { Repeater } from '@graphql-yoga/subscription';
import type { Logger } from '../logger';

export interface LiveSubscriptionOptions<E> {
  /** The pub/sub streams to merge (one per topic). */
  sources: AsyncIterable<E>[];
  /** Per event: whether this subscriber gets it (the token asked for, visible to this key now). */
  filter: (event: E) => boolean | Promise<boolean>;
  /** The current state, as events, read once the sources listen. */
  initial?: () => Promise<E[]>;
  /**
   * A failing read (the state, or one event's filter) costs this subscriber that one message, not
   * the subscription: one database hiccup must not end a dashboard's stream. Told here (logged).
   */
  onError?: (error: unknown, stage: 'initial' | 'filter') => void;
}

export function liveSubscription<E>({ sources, filter, initial, onError }: LiveSubscriptionOptions<E>): AsyncIterableIterator<E> {
  return new Repeater<E>(async (push, stop) => {
    const live = Repeater.merge(sources);
    // Asking for the first event starts every source: their listeners are attached from here on.
    let next = live.next();
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    try {
      if (initial) {
        const current = await initial().catch((error: unknown) => (onError?.(error, 'initial'), [] as E[]));
        for (const event of current) await push(event);
      }
      for (;;) {
        const result = await Promise.race([next, stopped]);
        if (result.done) break;
        const event = result.value as E;
        const wanted = await Promise.resolve()
          .then(() => filter(event))
          .catch((error: unknown) => (onError?.(error, 'filter'), false));
        if (wanted) await push(event);
        next = live.next();
      }
    } finally {
      stop();
      await live.return();
    }
  });
}

/** The usual onError: one warning line naming the subscription and what failed (no stack, no data). */
export function logSkippedMessage(logger: Pick<Logger, 'warn'>, subscription: string): NonNullable<LiveSubscriptionOptions<unknown>['onError']> {
  return (error, stage) => logger.warn({ subscription, stage, err: { message: (error as Error)?.message } }, 'live subscription read failed; message skipped');
}
