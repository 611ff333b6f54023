/**
 * Client for Apple's device-assignment ("DEP") API (spec/apple-dep-api.md). It owns the OAuth 1.0a
 * session dance, the required headers, per-request timeouts, cancellation and bounded retries, and
 * turns every failure into an {@link AppleDepError}. It never logs and never puts a secret in an
 * error. Endpoint semantics (cursor handling, chunking, cooldowns) are the callers' job.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { exchange, ExchangeFailure, type ExchangeObserver, type HttpExchange } from './http-exchange';
import { systemSleep, type Sleep } from '../clock';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy } from './backoff';
import { secretValues, type DepOAuthCredentials } from './dep-credentials';
import { AppleDepError, errorFromResponse, parseRetryAfter } from './dep-errors';
import type {
  AssignProfileResponse,
  DefineProfileResponse,
  DepAccount,
  DepDevicePage,
  DepProfile,
  DepProfileWithUuid,
  DeviceDetailsResponse,
  DisownDevicesResponse,
  FetchDevicesRequest,
  RemoveProfileResponse,
  SessionResponse,
  SyncDevicesRequest,
} from './dep.types';
import { buildAuthorizationHeader } from './oauth1';

export const DEFAULT_DEP_BASE_URL = 'https://mdmenrollment.apple.com';
export const DEFAULT_USER_AGENT = 'depgate/0.1';
/**
 * Protocol 3 brings the org fields on `/account`, 9 the per-device `THROTTLED` assignment status and
 * 10 `retry_after_seconds` (spec §2). We send 10 because the assignment flow needs both to tell a
 * throttled device (retry later) from a failed one; with a lower version Apple folds THROTTLED
 * into FAILED and the cooldown rule cannot be applied correctly.
 */
export const DEFAULT_PROTOCOL_VERSION = 10;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Apple asks for at most 1000 serials per assignment request (spec §3). */
export const MAX_SERIALS_PER_ASSIGNMENT = 1000;
export const SESSION_HEADER = 'X-ADM-Auth-Session';
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF8';

export interface DepClientOptions {
  baseUrl: string;
  credentials: DepOAuthCredentials;
  userAgent?: string;
  /** Sent as `X-Server-Protocol-Version`; see {@link DEFAULT_PROTOCOL_VERSION}. */
  protocolVersion?: number;
  /** Per HTTP request, body included. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** OAuth timestamps and `Retry-After` dates are read from it. */
  clock?: Clock;
  /** Injectable so tests do not wait for real backoff. */
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Aborts every call of this client (e.g. the sync run's deadline). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Told of every HTTP exchange (metrics). */
  observe?: ExchangeObserver;
}

export interface DepCallOptions {
  /** Aborts this call, its outstanding HTTP request and any backoff wait. */
  signal?: AbortSignal;
}


/**
 * Per attempt: a 401 earns one re-authentication. A 401 that follows a successful one is
 * SESSION_REFUSED (retryable, with backoff); only `GET /session` refusing the credentials is
 * UNAUTHORIZED, the refusal that may change the token's status.
 */
interface CallState {
  reauthenticated: boolean;
}

export class DepClient {
  private readonly baseUrl: string;
  private readonly credentials: DepOAuthCredentials;
  private readonly userAgent: string;
  private readonly protocolVersion: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly signal?: AbortSignal;
  private readonly fetchImpl: typeof fetch;
  private readonly observe?: ExchangeObserver;
  /** Credentials' secrets: never in an error. */
  private readonly secrets: string[];
  /** Recent session tokens, bounded so a long-lived client does not grow. */
  private sessionSecrets: string[] = [];

  private sessionToken?: string;
  /** Shared by concurrent calls so a burst of requests opens one session, not many. */
  private sessionPromise?: Promise<string>;

  constructor(options: DepClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.protocolVersion = options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.random = options.random ?? Math.random;
    this.signal = options.signal;
    this.fetchImpl = options.fetch ?? fetch;
    this.observe = options.observe;
    this.secrets = secretValues(options.credentials);
    if (this.retry.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  }

  getAccount(options?: DepCallOptions): Promise<DepAccount> {
    return this.call<DepAccount>('GET', '/account', undefined, options);
  }

  /** `POST /server/devices`: one page of the full device list. Omit `cursor` to start. */
  async fetchDevices(request: FetchDevicesRequest = {}, options?: DepCallOptions): Promise<DepDevicePage> {
    const page = await this.call<DepDevicePage>('POST', '/server/devices', compact(request), options);
    return normalizePage(page);
  }

  /** `POST /devices/sync`: changes since `cursor` (from a fetch or a previous sync). */
  async syncDevices(request: SyncDevicesRequest, options?: DepCallOptions): Promise<DepDevicePage> {
    const page = await this.call<DepDevicePage>('POST', '/devices/sync', compact(request), options);
    return normalizePage(page);
  }

  getDeviceDetails(serials: string[], options?: DepCallOptions): Promise<DeviceDetailsResponse> {
    return this.call<DeviceDetailsResponse>('POST', '/devices', { devices: serials }, options);
  }

  /** Permanent in Apple's system: the devices leave the organisation. */
  disownDevices(serials: string[], options?: DepCallOptions): Promise<DisownDevicesResponse> {
    return this.call<DisownDevicesResponse>('POST', '/devices/disown', { devices: serials }, options);
  }

  /**
   * `POST /profile`. A retried define (after a timeout) may leave an unused duplicate at Apple;
   * that is harmless because only the returned uuid is ever assigned.
   */
  defineProfile(profile: DepProfile, options?: DepCallOptions): Promise<DefineProfileResponse> {
    return this.call<DefineProfileResponse>('POST', '/profile', profile, options);
  }

  getProfile(profileUuid: string, options?: DepCallOptions): Promise<DepProfileWithUuid> {
    const path = `/profile?profile_uuid=${encodeURIComponent(profileUuid)}`;
    return this.call<DepProfileWithUuid>('GET', path, undefined, options);
  }

  /** At most {@link MAX_SERIALS_PER_ASSIGNMENT} serials: splitting a larger set is the caller's job. */
  assignProfile(profileUuid: string, serials: string[], options?: DepCallOptions): Promise<AssignProfileResponse> {
    if (serials.length > MAX_SERIALS_PER_ASSIGNMENT) {
      throw new RangeError(
        `assignProfile takes at most ${MAX_SERIALS_PER_ASSIGNMENT} serials per request, got ${serials.length}`,
      );
    }
    return this.call<AssignProfileResponse>(
      'POST',
      '/profile/devices',
      { profile_uuid: profileUuid, devices: serials },
      options,
    );
  }

  removeProfile(serials: string[], profileUuid?: string, options?: DepCallOptions): Promise<RemoveProfileResponse> {
    const body = profileUuid === undefined ? { devices: serials } : { devices: serials, profile_uuid: profileUuid };
    return this.call<RemoveProfileResponse>('DELETE', '/profile/devices', body, options);
  }

  /** Drops the session so the next call authenticates again (e.g. after credentials were renewed). */
  resetSession(): void {
    this.sessionToken = undefined;
    this.sessionPromise = undefined;
  }

  // ---------------------------------------------------------------------------------------------

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    options: DepCallOptions | undefined,
  ): Promise<T> {
    const operation = `${method} ${path.split('?')[0]}`;
    const signals = [this.signal, options?.signal].filter((s): s is AbortSignal => s !== undefined);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signals, operation);
      const state: CallState = { reauthenticated: false };
      let error: AppleDepError;
      try {
        return await this.attempt<T>(method, path, body, signals, operation, state);
      } catch (e) {
        if (!(e instanceof AppleDepError)) throw e;
        error = e;
      }
      if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
      const waitMs = this.retryDelayMs(error, attempt);
      // Apple asked for a longer pause than we are allowed to block: hand the wait to the caller
      // (the error carries retryAfterSeconds) instead of hammering Apple early.
      if (waitMs === undefined) throw error;
      await this.pause(waitMs, signals, operation);
    }
  }

  private retryDelayMs(error: AppleDepError, attempt: number): number | undefined {
    if (error.retryAfterSeconds !== undefined) {
      const ms = error.retryAfterSeconds * 1000;
      return ms > this.retry.maxDelayMs ? undefined : ms;
    }
    return backoffDelayMs(attempt, this.retry, this.random);
  }

  private async pause(ms: number, signals: AbortSignal[], operation: string): Promise<void> {
    const combined = anySignal(signals);
    try {
      await this.sleep(ms, combined.signal);
    } catch (e) {
      throwIfAborted(signals, operation);
      throw e;
    } finally {
      combined.dispose();
    }
    // An injected sleep may ignore the signal: check again before the next request.
    throwIfAborted(signals, operation);
  }

  private async attempt<T>(
    method: string,
    path: string,
    body: unknown,
    signals: AbortSignal[],
    operation: string,
    state: CallState,
  ): Promise<T> {
    let token = await this.session(signals);
    let response = await this.send(method, path, body, { session: token }, signals, operation);
    if (response.status === 401) {
      this.dropSession(token);
      if (state.reauthenticated) throw this.sessionRefused(operation);
      state.reauthenticated = true;
      // A refusal here (GET /session answering 401 or 403) is the token's own: thrown as it is.
      token = await this.session(signals);
      response = await this.send(method, path, body, { session: token }, signals, operation);
      if (response.status === 401) {
        this.dropSession(token);
        throw this.sessionRefused(operation);
      }
    }
    if (response.status < 200 || response.status > 299) throw this.httpError(operation, response);
    return this.parseJson<T>(response, operation);
  }

  /** The current session token, authenticating first when there is none. */
  private session(signals: AbortSignal[]): Promise<string> {
    if (this.sessionToken) return Promise.resolve(this.sessionToken);
    if (!this.sessionPromise) {
      // Only the client-wide signal may cancel the shared authentication; a caller's own signal
      // just stops that caller from waiting for it.
      const shared = this.authenticate(this.signal ? [this.signal] : []);
      this.sessionPromise = shared;
      shared.then(
        (token) => {
          if (this.sessionPromise === shared) {
            this.sessionToken = token;
            this.sessionPromise = undefined;
          }
        },
        () => {
          if (this.sessionPromise === shared) this.sessionPromise = undefined;
        },
      );
    }
    return raceAbort(this.sessionPromise, signals, 'GET /session');
  }

  private dropSession(token: string): void {
    // A concurrent call may already hold a fresher token: only forget the one that failed.
    if (this.sessionToken === token) this.sessionToken = undefined;
  }

  private async authenticate(signals: AbortSignal[]): Promise<string> {
    const url = `${this.baseUrl}/session`;
    const authorization = buildAuthorizationHeader({
      method: 'GET',
      url,
      credentials: this.credentials,
      timestamp: Math.floor(this.clock.now().getTime() / 1000),
      nonce: randomBytes(16).toString('hex'),
    });
    const response = await this.send('GET', '/session', undefined, { authorization }, signals, 'GET /session');
    if (response.status < 200 || response.status > 299) throw this.httpError('GET /session', response);
    const parsed = this.parseJson<SessionResponse>(response, 'GET /session');
    if (typeof parsed.auth_session_token !== 'string' || parsed.auth_session_token === '') {
      throw new AppleDepError({ kind: 'UNAVAILABLE', status: response.status, operation: 'GET /session' });
    }
    this.rememberSessionSecret(parsed.auth_session_token);
    return parsed.auth_session_token;
  }

  /** One HTTP exchange with a timeout; network failures become typed errors. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    auth: { session?: string; authorization?: string },
    signals: AbortSignal[],
    operation: string,
  ): Promise<HttpExchange> {
    throwIfAborted(signals, operation);
    const headers: Record<string, string> = {
      'User-Agent': this.userAgent,
      'X-Server-Protocol-Version': String(this.protocolVersion),
      'Content-Type': JSON_CONTENT_TYPE,
      Accept: 'application/json',
    };
    if (auth.session) headers[SESSION_HEADER] = auth.session;
    if (auth.authorization) headers.Authorization = auth.authorization;

    let response: HttpExchange;
    try {
      response = await exchange(
        this.fetchImpl,
        `${this.baseUrl}${path}`,
        { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
        { timeoutMs: this.timeoutMs, signals, endpoint: operation, observe: this.observe },
      );
    } catch (e) {
      if (!(e instanceof ExchangeFailure)) throw e;
      // Only the network error's own message (undici's cause carries no request headers), redacted all the same.
      const cause = e.networkDetail ? new Error(this.redact(e.networkDetail)) : undefined;
      throw new AppleDepError({ kind: e.kind, operation, cause });
    }
    if (response.status !== 401) this.captureRotatedSession(response.headers);
    return response;
  }

  private captureRotatedSession(headers: Headers): void {
    const fresh = headers.get(SESSION_HEADER);
    if (fresh && fresh !== this.sessionToken) {
      this.sessionToken = fresh;
      this.rememberSessionSecret(fresh);
    }
  }

  private httpError(operation: string, response: HttpExchange): AppleDepError {
    const error = errorFromResponse({
      status: response.status,
      body: response.text,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), this.clock.now()),
      operation,
    });
    if (error.appleCode && this.looksSecret(error.appleCode)) {
      return new AppleDepError({
        kind: error.kind,
        status: error.status,
        retryAfterSeconds: error.retryAfterSeconds,
        operation,
      });
    }
    return error;
  }

  /** A 401 with a session Apple issued just now: transient, not a verdict on the credentials. */
  private sessionRefused(operation: string): AppleDepError {
    return new AppleDepError({ kind: 'SESSION_REFUSED', status: 401, operation });
  }

  private parseJson<T>(response: HttpExchange, operation: string): T {
    try {
      const value: unknown = JSON.parse(response.text);
      if (value !== null && typeof value === 'object') return value as T;
    } catch {
      // fall through
    }
    // A truncated or non-JSON success is most likely a proxy or a transient fault: retryable.
    throw new AppleDepError({ kind: 'UNAVAILABLE', status: response.status, operation });
  }

  private rememberSessionSecret(token: string): void {
    this.sessionSecrets = [token, ...this.sessionSecrets.filter((t) => t !== token)].slice(0, 4);
  }

  private allSecrets(): string[] {
    return [...this.secrets, ...this.sessionSecrets];
  }

  private looksSecret(text: string): boolean {
    return this.allSecrets().some((secret) => secret.includes(text) || text.includes(secret));
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.allSecrets()) out = out.split(secret).join('[redacted]');
    return out;
  }
}

export function createDepClient(
  baseUrl: string,
  credentials: DepOAuthCredentials,
  options: Omit<DepClientOptions, 'baseUrl' | 'credentials'> = {},
): DepClient {
  return new DepClient({ ...options, baseUrl, credentials });
}

// -------------------------------------------------------------------------------------------------

function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function normalizePage(page: DepDevicePage): DepDevicePage {
  // Apple leaves `devices` out of an empty page.
  return { ...page, devices: Array.isArray(page.devices) ? page.devices : [] };
}

function throwIfAborted(signals: AbortSignal[], operation: string): void {
  if (signals.some((s) => s.aborted)) throw new AppleDepError({ kind: 'ABORTED', operation });
}


function anySignal(signals: AbortSignal[]): { signal?: AbortSignal; dispose(): void } {
  if (signals.length === 0) return { signal: undefined, dispose: () => undefined };
  if (signals.length === 1) return { signal: signals[0], dispose: () => undefined };
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  for (const s of signals) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => signals.forEach((s) => s.removeEventListener('abort', onAbort)),
  };
}

/** Waits for `promise` unless one of `signals` aborts first. */
function raceAbort<T>(promise: Promise<T>, signals: AbortSignal[], operation: string): Promise<T> {
  if (signals.length === 0) return promise;
  throwIfAborted(signals, operation);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cleanup();
      reject(new AppleDepError({ kind: 'ABORTED', operation }));
    };
    const cleanup = () => signals.forEach((s) => s.removeEventListener('abort', onAbort));
    signals.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
