/** SyncRun.progress: a bar's value, never above 1, 1 only once the run succeeded, null with nothing to measure against. */
import { runProgress } from '../../../src/sync/sync-progress';

it('is the fetched share of the estimate, capped below 1 until the run succeeded', () => {
  expect(runProgress('RUNNING', 0, 2300)).toBe(0);
  expect(runProgress('RUNNING', 1000, 2300)).toBeCloseTo(0.4348, 4);
  expect(runProgress('RUNNING', 2300, 2300)).toBe(0.99);
  expect(runProgress('RUNNING', 5000, 2300)).toBe(0.99); // more devices than estimated, or a repeated page
  expect(runProgress('FAILED', 1000, 2000)).toBe(0.5); // where it stopped
  expect(runProgress('SUCCEEDED', 10, 2300)).toBe(1);
});

it('is null when there is no estimate (first sync, delta), unless the run succeeded', () => {
  expect(runProgress('RUNNING', 500, null)).toBeNull();
  expect(runProgress('QUEUED', 0, 0)).toBeNull();
  expect(runProgress('SUCCEEDED', 0, null)).toBe(1);
});
