/**
 * Every time rule in depgate reads the time through a Clock so that tests can move time
 * instead of sleeping (key-pair expiry, sync intervals, alert thresholds, cursor age).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Waits `ms`; rejects with the signal's reason as soon as `signal` aborts. Injected wherever code
 * waits (retry backoff, grace periods) so that tests move a ManualClock instead of sleeping.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise that rejects as soon as `signal` aborts. */
export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

interface Sleeper {
  until: number;
  wake(): void;
}

/** A clock that stands still until told to move; for tests and the simulator's control API. */
export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();

  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string | number): void {
    this.current = new Date(to).getTime();
    this.wakeDue();
  }

  advance(ms: number): void {
    this.current += ms;
    this.wakeDue();
  }

  /**
   * A Sleep on this clock: it ends when `set`/`advance` move the clock `ms` or more past the call
   * (or at once for `ms <= 0`), never by itself. A property, so it can be passed around unbound.
   */
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        until: this.current + ms,
        wake: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (ms <= 0) {
        resolve();
        return;
      }
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** What each pending sleep still has to go, in ms, soonest first: lets a test move time only once something waits. */
  pendingSleeps(): number[] {
    return [...this.sleepers].map((s) => s.until - this.current).sort((a, b) => a - b);
  }

  private wakeDue(): void {
    for (const sleeper of [...this.sleepers]) if (sleeper.until <= this.current) sleeper.wake();
  }
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
