/**
 * The simulator's time: every rule there (session lifetime, OAuth timestamp window, access-token
 * expiry, 7-day cursor expiry) reads this clock, and `POST /_sim/clock` moves it.
 */
import { ManualClock, systemClock, type Clock } from '../clock';

/** Wall-clock time plus an adjustable offset: a demo keeps real time yet can jump ahead. */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }

  set(to: Date | string | number): void {
    this.offsetMs = new Date(to).getTime() - this.base.now().getTime();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface ControllableClock extends Clock {
  set(to: Date | string | number): void;
  advance(ms: number): void;
}

/** A clock the control API may move, or null when the caller injected one it keeps to itself. */
export function asControllable(clock: Clock): ControllableClock | null {
  if (clock instanceof ManualClock || clock instanceof OffsetClock) return clock;
  return null;
}
