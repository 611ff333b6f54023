/** SyncRun.progress as a pure rule (the GraphQL type maps it; a unit test pins it). */

/**
 * The bar's value. Capped below 1 until the run has succeeded: after the fetch listed everything
 * it still syncs changes (and the estimate may be low), and a bar at 100 % that keeps running reads
 * as stuck.
 */
export function runProgress(status: string, devicesFetched: number, expectedDevices: number | null): number | null {
  if (status === 'SUCCEEDED') return 1;
  if (!expectedDevices || expectedDevices <= 0) return null;
  return Math.min(0.99, Math.max(0, devicesFetched / expectedDevices));
}
