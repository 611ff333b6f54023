// The sleep between retries (the clock's systemSleep) is tested in test/unit/clock.test.ts.
import { backoffDelayMs } from '../../../src/apple/backoff';

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per retry with equal jitter between half and the full delay', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(50);
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(100);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(300);
  });
  it('is capped by maxDelayMs', () => {
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1000);
  });
});
