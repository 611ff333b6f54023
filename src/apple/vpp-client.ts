/**
 * Client for Apple's Apps and Books API v2 (VPP license management), the calls depgate needs:
 * `GET client/config` (which location a token belongs to, and until when) and `GET assets`
 * (licence counts per app). Bearer authentication with the sToken, per-request timeouts, bounded
 * retries of transient failures, typed {@link AppleVppError}s. It never logs and never puts the
 * sToken in an error.
 */
import { systemClock, type Clock } from '../clock';
import { systemSleep, type Sleep } from '../clock';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy } from './backoff';
import { parseRetryAfter } from './dep-errors';
import { exchange, ExchangeFailure, type ExchangeObserver, type HttpExchange } from './http-exchange';
import { AppleVppError, vppErrorFromResponse } from './vpp-errors';
import type { VppAsset, VppAssetsPage, VppAssetsQuery, VppClientConfig } from './vpp.types';

export const DEFAULT_VPP_BASE_URL = 'https://vpp.itunes.apple.com/mdm/v2';
export const DEFAULT_VPP_TIMEOUT_MS = 30_000;
const USER_AGENT = 'depgate/0.1';
/** A location with more pages of assets than this is cut short rather than paged forever. */
const MAX_ASSET_PAGES = 100;

export interface VppClientOptions {
  baseUrl: string;
  /** The `.vpptoken` file's content, exactly as Apple issued it. */
  sToken: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  /** Told of every HTTP exchange (metrics). */
  observe?: ExchangeObserver;
}

export interface VppCallOptions {
  signal?: AbortSignal;
}

export class VppClient {
  private readonly baseUrl: string;
  private readonly sToken: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly observe?: ExchangeObserver;

  constructor(options: VppClientOptions) {
    if (!options.sToken) throw new TypeError('VppClient: sToken is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.sToken = options.sToken;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_VPP_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
    this.observe = options.observe;
    if (this.retry.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  }

  async getClientConfig(options?: VppCallOptions): Promise<VppClientConfig> {
    const config = await this.call<VppClientConfig>('/client/config', options);
    if (typeof config.uId !== 'string' && typeof config.uId !== 'number') {
      throw new AppleVppError({ kind: 'UNAVAILABLE', operation: 'GET /client/config' });
    }
    return { ...config, uId: String(config.uId) };
  }

  /** One page of `GET assets`. */
  async getAssets(query: VppAssetsQuery = {}, options?: VppCallOptions): Promise<VppAssetsPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value));
    const qs = params.toString();
    const page = await this.call<VppAssetsPage>(`/assets${qs ? `?${qs}` : ''}`, options);
    return { ...page, assets: Array.isArray(page.assets) ? page.assets.map(normalizeAsset) : [] };
  }

  /** Every page of `GET assets` for the query. */
  async getAllAssets(query: Omit<VppAssetsQuery, 'pageIndex'> = {}, options?: VppCallOptions): Promise<VppAsset[]> {
    const assets: VppAsset[] = [];
    for (let pageIndex = 0; pageIndex < MAX_ASSET_PAGES; pageIndex++) {
      const page = await this.getAssets({ ...query, pageIndex }, options);
      assets.push(...page.assets);
      const totalPages = page.totalPages ?? 1;
      if (pageIndex + 1 >= totalPages || page.assets.length === 0) break;
    }
    return assets;
  }

  // ---------------------------------------------------------------------------------------------

  private async call<T>(path: string, options?: VppCallOptions): Promise<T> {
    const operation = `GET ${path.split('?')[0]}`;
    const signal = options?.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AppleVppError({ kind: 'ABORTED', operation });
      let error: AppleVppError;
      try {
        return await this.attempt<T>(path, operation, signal);
      } catch (e) {
        if (!(e instanceof AppleVppError)) throw e;
        error = e;
      }
      if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
      let waitMs = backoffDelayMs(attempt, this.retry, this.random);
      if (error.retryAfterSeconds !== undefined) {
        // Apple asked for a longer pause than we may block: the caller gets the error instead.
        if (error.retryAfterSeconds * 1000 > this.retry.maxDelayMs) throw error;
        waitMs = error.retryAfterSeconds * 1000;
      }
      try {
        await this.sleep(waitMs, signal);
      } catch {
        throw new AppleVppError({ kind: 'ABORTED', operation });
      }
    }
  }

  private async attempt<T>(path: string, operation: string, signal: AbortSignal | undefined): Promise<T> {
    let response: HttpExchange;
    try {
      response = await exchange(
        this.fetchImpl,
        `${this.baseUrl}${path}`,
        { method: 'GET', headers: { Authorization: `Bearer ${this.sToken}`, Accept: 'application/json', 'User-Agent': USER_AGENT } },
        { timeoutMs: this.timeoutMs, signals: signal ? [signal] : [], endpoint: operation, observe: this.observe },
      );
    } catch (e) {
      if (!(e instanceof ExchangeFailure)) throw e;
      throw new AppleVppError({ kind: e.kind, operation, cause: e.networkDetail ? new Error(e.networkDetail) : undefined });
    }
    const { status, text, headers } = response;
    if (status < 200 || status > 299) {
      throw vppErrorFromResponse({
        status,
        body: text,
        retryAfterSeconds: parseRetryAfter(headers.get('retry-after'), this.clock.now()),
        operation,
      });
    }
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object') {
        // Apple can answer 200 with an error body.
        const errorNumber = (value as { errorNumber?: unknown }).errorNumber;
        if (Number.isInteger(errorNumber)) throw vppErrorFromResponse({ status: 400, body: text, operation });
        return value as T;
      }
    } catch (e) {
      if (e instanceof AppleVppError) throw e;
    }
    throw new AppleVppError({ kind: 'UNAVAILABLE', status, operation });
  }
}

function normalizeAsset(raw: VppAsset): VppAsset {
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : 0);
  const total = count(raw.totalCount);
  const assigned = count(raw.assignedCount);
  return {
    ...raw,
    adamId: String(raw.adamId),
    totalCount: total,
    assignedCount: assigned,
    availableCount: typeof raw.availableCount === 'number' ? count(raw.availableCount) : Math.max(0, total - assigned),
  };
}


/**
 * Apple's dates in this API look like `2030-11-08T22:33:22+0000` (no colon in the offset), which
 * `Date.parse` does not promise to read. Also accepts ISO-8601 with `Z` or `+hh:mm`.
 */
export function parseAppleVppDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const fraction = m[3] ? m[3].slice(0, 4) : '';
  let zone = m[4] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Apple's own format, for the simulator and tests: `yyyy-MM-ddTHH:mm:ss+0000`. */
export function formatAppleVppDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}
