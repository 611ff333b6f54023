/**
 * A closed-loop load generator: `concurrency` clients, each sending its next request as soon as
 * the previous answered, for `durationMs`. Reports requests/s, p50/p99 latency, the CPU spent per
 * request, the SQL statements sent per request (pg's Client.query, counted) and the peak RSS: of
 * the target's own process when one is given (support/target-process.ts), else of this process
 * (server and client sharing it, so every target pays the same client cost).
 */
import { sqlStatementCount } from './sql-capture';
import type { TargetProcess } from './target-process';

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  sqlPerRequest: number;
  peakRss: number;
}

/** The p-th percentile of ascending values (nearest rank); NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runLoad(send: () => Promise<void>, concurrency: number, durationMs: number, target?: TargetProcess, label?: string): Promise<LoadResult> {
  // Warm up (JIT, caches, pool connections) before measuring: for a third of the measurement, at
  // least one round. A server with more code to compile (depgate) would otherwise pay its JIT in
  // its first window.
  const warmUntil = performance.now() + durationMs / 3;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      do await send();
      while (performance.now() < warmUntil);
    }),
  );
  if (target) {
    const { result, server } = await target.measure(() => measureLoad(send, concurrency, durationMs), label);
    const n = result.requests;
    return { ...result, cpuMsPerRequest: server.cpuMs / n, sqlPerRequest: server.statements / n, peakRss: server.peakRss };
  }
  return measureLoad(send, concurrency, durationMs);
}

/** The measured window alone (runLoad warms up first). */
async function measureLoad(send: () => Promise<void>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const sqlBefore = sqlStatementCount();
  const cpuBefore = process.cpuUsage();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 25);
  const started = performance.now();
  const deadline = started + durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await send();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return {
    requests: n,
    perSecond: (n / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / n,
    sqlPerRequest: (sqlStatementCount() - sqlBefore) / n,
    peakRss: Math.max(peakRss, process.memoryUsage.rss()),
  };
}
