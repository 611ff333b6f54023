import { ManualClock, systemSleep } from '../../src/clock';

/** Lets every promise callback that is already due run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected'; reason: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let reason: unknown;
  promise.then(
    () => (state = 'resolved'),
    (e) => {
      state = 'rejected';
      reason = e;
    },
  );
  return { state: () => state, reason: () => reason };
}

describe('ManualClock.sleep', () => {
  it('ends only when the clock is moved far enough, never by itself', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const sleep = track(clock.sleep(5000));
    await settle();
    expect(sleep.state()).toBe('pending');
    expect(clock.pendingSleeps()).toEqual([5000]);

    clock.advance(4999);
    await settle();
    expect(sleep.state()).toBe('pending');
    expect(clock.pendingSleeps()).toEqual([1]);

    clock.advance(1);
    await settle();
    expect(sleep.state()).toBe('resolved');
    expect(clock.pendingSleeps()).toEqual([]);
  });

  it('wakes every sleep that set() moves past, and only those, soonest first in pendingSleeps', async () => {
    const clock = new ManualClock('2030-01-01T00:00:00Z');
    const { sleep } = clock; // usable unbound, as it is injected
    const long = track(sleep(60_000));
    const short = track(sleep(1000));
    expect(clock.pendingSleeps()).toEqual([1000, 60_000]);
    clock.set('2030-01-01T00:00:30Z');
    await settle();
    expect([short.state(), long.state()]).toEqual(['resolved', 'pending']);
    expect(clock.pendingSleeps()).toEqual([30_000]);
  });

  it('ends at once for a zero wait', async () => {
    const sleep = track(new ManualClock().sleep(0));
    await settle();
    expect(sleep.state()).toBe('resolved');
  });

  it('rejects with the reason as soon as the signal aborts, and forgets the sleep', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleep = track(clock.sleep(5000, controller.signal));
    controller.abort(new Error('stop'));
    await settle();
    expect(sleep.state()).toBe('rejected');
    expect((sleep.reason() as Error).message).toBe('stop');
    expect(clock.pendingSleeps()).toEqual([]);
  });

  it('rejects at once for a signal that has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(new ManualClock().sleep(5000, controller.signal)).rejects.toThrow('too late');
  });
});

describe('systemSleep (real timers, driven by jest fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay, not before', async () => {
    const sleep = track(systemSleep(20));
    await jest.advanceTimersByTimeAsync(19);
    expect(sleep.state()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(sleep.state()).toBe('resolved');
  });

  it('rejects as soon as the signal aborts, and clears its timer', async () => {
    const controller = new AbortController();
    const sleep = track(systemSleep(10_000, controller.signal));
    await jest.advanceTimersByTimeAsync(10);
    expect(sleep.state()).toBe('pending');
    controller.abort(new Error('stop'));
    await jest.advanceTimersByTimeAsync(0);
    expect(sleep.state()).toBe('rejected');
    expect((sleep.reason() as Error).message).toBe('stop');
    expect(jest.getTimerCount()).toBe(0);
  });
});
