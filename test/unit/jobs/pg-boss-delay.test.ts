/**
 * pg-boss's `delay`, as the job runner leaves it: it requires nothing when called (a late call
 * after a test file's teardown must not reach Jest's module registry), and keeps pg-boss's
 * contract: resolves after its time, rejects with the message given, resolves early on abort();
 * and its timer does not keep the process alive.
 */
import { readFileSync } from 'node:fs';
import '../../../src/jobs/job-runner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { delay } = require('pg-boss/src/tools') as { delay: (ms: number, error?: string) => Promise<void> & { abort(): void } };

it('is the job runner’s, which requires nothing when called', () => {
  expect(delay.toString()).not.toMatch(/require\(/);
});

it('does not keep the process alive while it waits (a loop turning after stop() must not hold a stopped process)', () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const waiting = delay(60_000);
  expect(timers()).toBe(before);
  waiting.abort();
});

it('resolves after its time, rejects with the message given, and resolves early on abort()', async () => {
  await expect(delay(5)).resolves.toBeUndefined();
  await expect(delay(5, 'too slow')).rejects.toThrow('too slow');
  const long = delay(60_000);
  const started = Date.now();
  long.abort();
  await expect(long).resolves.toBeUndefined();
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('is what pg-boss’s workers take (they destructure it when they load, after the replacement)', () => {
  expect(readFileSync(require.resolve('pg-boss/src/worker.js'), 'utf8')).toMatch(/const \{ delay \} = require\('\.\/tools'\)/);
});
