/**
 * One HTTP exchange with an Apple service: a timeout that covers the body too (a stalled body is a
 * timeout), the caller's abort signals, and failures sorted into the three kinds both Apple
 * clients report: ABORTED (a caller's signal), TIMEOUT, UNAVAILABLE (the network). Each client maps
 * an ExchangeFailure onto its own typed error; statuses, bodies and retries stay the client's.
 * Every exchange (each retry too) is reported to the optional observer: /metrics counts Apple
 * calls by endpoint and status there (src/metrics), so 429s and 5xx show before they fail a sync.
 */

export interface HttpExchange {
  status: number;
  headers: Headers;
  text: string;
}

export type ExchangeFailureKind = 'ABORTED' | 'TIMEOUT' | 'UNAVAILABLE';

export class ExchangeFailure extends Error {
  constructor(
    readonly kind: ExchangeFailureKind,
    /** For UNAVAILABLE: the network error's own message and code (ECONNREFUSED...), never headers. */
    readonly networkDetail?: string,
  ) {
    super(networkDetail ? `${kind}: ${networkDetail}` : kind);
    this.name = 'ExchangeFailure';
  }
}

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** What an observer learns of one exchange: never a header, a body or a URL's query. */
export interface ExchangeOutcome {
  /** The client's name for the call, e.g. `POST /devices/sync` (method and path, no query). */
  endpoint: string;
  /** The HTTP status, when a response arrived. */
  status?: number;
  failure?: ExchangeFailureKind;
  seconds: number;
}

export type ExchangeObserver = (outcome: ExchangeOutcome) => void;

export interface ExchangeOptions {
  timeoutMs: number;
  signals: readonly AbortSignal[];
  /** The endpoint label reported to `observe`. */
  endpoint?: string;
  observe?: ExchangeObserver;
}

export async function exchange(fetchImpl: typeof fetch, url: string, request: ExchangeRequest, options: ExchangeOptions): Promise<HttpExchange> {
  const { observe } = options;
  if (!observe) return timedExchange(fetchImpl, url, request, options);
  const endpoint = options.endpoint ?? request.method;
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const response = await timedExchange(fetchImpl, url, request, options);
    observe({ endpoint, status: response.status, seconds: seconds() });
    return response;
  } catch (e) {
    if (e instanceof ExchangeFailure) observe({ endpoint, failure: e.kind, seconds: seconds() });
    throw e;
  }
}

async function timedExchange(fetchImpl: typeof fetch, url: string, request: ExchangeRequest, options: ExchangeOptions): Promise<HttpExchange> {
  const aborted = () => options.signals.some((s) => s.aborted);
  if (aborted()) throw new ExchangeFailure('ABORTED');
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = () => controller.abort();
  for (const s of options.signals) s.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(url, { ...request, signal: controller.signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (e) {
    if (aborted()) throw new ExchangeFailure('ABORTED');
    if (timedOut) throw new ExchangeFailure('TIMEOUT');
    throw new ExchangeFailure('UNAVAILABLE', e instanceof Error ? describeNetworkError(e) : undefined);
  } finally {
    clearTimeout(timer);
    for (const s of options.signals) s.removeEventListener('abort', onAbort);
  }
}

/** undici puts the system error code on `cause`: keep the message and that code, nothing else. */
export function describeNetworkError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  return code ? `${error.message} (${code})` : error.message;
}
