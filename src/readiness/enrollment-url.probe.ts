/**
 * Whether an enrollment URL answers at all: devices fetch it during Setup Assistant, so a URL that
 * cannot be reached (DNS, refused connection, TLS failure, timeout, 5xx) stops every enrollment.
 * Any answer below 500 counts as reachable: MDM servers answer a bare GET with 401, 405 or a profile.
 * Results are kept for a minute (on the injected clock) so a dashboard polling readiness does not
 * hammer the MDM server; only the outcome and status are kept, never the body.
 */
import type { Clock } from '../clock';

export interface ProbeResult {
  reachable: boolean;
  /** The HTTP status when it answered. */
  status: number | null;
  /** Why it could not be reached (a short, safe description). */
  problem: string | null;
}

export interface EnrollmentUrlProbeOptions {
  timeoutMs?: number;
  cacheMs?: number;
}

export class EnrollmentUrlProbe {
  private readonly cache = new Map<string, { at: number; result: Promise<ProbeResult> }>();
  private readonly timeoutMs: number;
  private readonly cacheMs: number;

  constructor(
    private readonly clock: Clock,
    options: EnrollmentUrlProbeOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.cacheMs = options.cacheMs ?? 60_000;
  }

  check(url: string): Promise<ProbeResult> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(url);
    if (cached && now - cached.at < this.cacheMs) return cached.result;
    if (this.cache.size > 1000) this.cache.clear();
    const result = this.probe(url);
    this.cache.set(url, { at: now, result });
    return result;
  }

  private async probe(url: string): Promise<ProbeResult> {
    try {
      const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      await res.body?.cancel();
      return res.status < 500
        ? { reachable: true, status: res.status, problem: null }
        : { reachable: false, status: res.status, problem: `it answered HTTP ${res.status}` };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string } };
      const problem = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : (err.cause?.code ?? 'the connection failed');
      return { reachable: false, status: null, problem };
    }
  }
}
