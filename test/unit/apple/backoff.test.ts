import { backoffDelayMs, defaultSleep } from '../../../src/apple/backoff';

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

describe('defaultSleep', () => {
  it('resolves after the delay', async () => {
    const started = Date.now();
    await defaultSleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
  it('rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = defaultSleep(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(pending).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
