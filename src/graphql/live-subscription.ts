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

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A plain iterator rather than a Repeater: it runs per subscriber per event, and a Repeater's push
 * (plus Repeater.merge over a single source) cost several promises each at every delivery (issue
 * #15, fan-out). One source is read directly; several are merged with Repeater.merge.
 * `return()` reaches the sources at once, even while `next()` waits on them or on the state.
 */
export function liveSubscription<E>({ sources, filter, initial, onError }: LiveSubscriptionOptions<E>): AsyncIterableIterator<E> {
  const live: AsyncIterator<E> = sources.length === 1 ? sources[0][Symbol.asyncIterator]() : (Repeater.merge(sources) as AsyncIterator<E>);
  let started = false;
  let stopped = false;
  let current: E[] = [];
  // The live.next() asked for before the state was read (it starts the sources), not yet consumed.
  let upcoming: Promise<IteratorResult<E>> | undefined;

  const stop = async (): Promise<IteratorResult<E>> => {
    if (!stopped) {
      stopped = true;
      current = [];
      await live.return?.();
    }
    return DONE;
  };

  return {
    async next(): Promise<IteratorResult<E>> {
      if (!started) {
        started = true;
        // Asking for the first event starts every source: their listeners are attached from here on.
        upcoming = live.next();
        if (initial) current = await initial().catch((error: unknown) => (onError?.(error, 'initial'), [] as E[]));
      }
      for (;;) {
        if (stopped) return DONE;
        if (current.length > 0) return { done: false, value: current.shift()! };
        const result = await (upcoming ?? live.next());
        upcoming = undefined;
        if (result.done || stopped) return stop();
        let wanted: boolean;
        try {
          wanted = await filter(result.value);
        } catch (error) {
          onError?.(error, 'filter');
          wanted = false;
        }
        if (wanted && !stopped) return { done: false, value: result.value };
      }
    },
    return: stop,
    async throw(error: unknown) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The usual onError: one warning line naming the subscription and what failed (no stack, no data). */
export function logSkippedMessage(logger: Pick<Logger, 'warn'>, subscription: string): NonNullable<LiveSubscriptionOptions<unknown>['onError']> {
  return (error, stage) => logger.warn({ subscription, stage, err: { message: (error as Error)?.message } }, 'live subscription read failed; message skipped');
}
