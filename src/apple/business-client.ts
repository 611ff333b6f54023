/**
 * The Apple School and Business Manager API client: OAuth 2 client credentials with an ES256
 * client assertion (signed by `jose`, a maintained JOSE library, rather than hand-rolled DER to
 * R||S conversion), bearer-token calls with JSON:API bodies, one retry after a 401 or 403 with a
 * fresh access token (so a 401 or 403 that reaches the caller was Apple's answer to a new token,
 * not to a stale one), Retry-After on 429 and backoff on 5xx, and at most a few requests in flight
 * (Apple resets HTTP/2 streams beyond ~4). Every failure is an AppleBusinessError.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { backoffDelayMs, type RetryPolicy } from './backoff';
import { parseRetryAfter } from './dep-errors';
import { exchange, ExchangeFailure, type ExchangeObserver, type HttpExchange } from './http-exchange';
import type { Clock, Sleep } from '../clock';
import { Semaphore } from './semaphore';

export const ASSERTION_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';
export const ASSERTION_LIFETIME_S = 180 * 86_400 - 60;
/** Refresh the hour-long access token this long before Apple says it ends. */
const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000;
export const MAX_IN_FLIGHT = 4;
const TOKEN_ENDPOINT = 'POST /auth/oauth2/token';

export type BusinessScope = 'BUSINESS' | 'SCHOOL';
export const OAUTH_SCOPE: Record<BusinessScope, string> = { BUSINESS: 'business.api', SCHOOL: 'school.api' };

export type AppleBusinessErrorKind =
  | 'INVALID_CLIENT'
  | 'INVALID_SCOPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'BAD_RESPONSE';

export class AppleBusinessError extends Error {
  constructor(
    readonly kind: AppleBusinessErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
    /** Apple's `errors[0].code`, e.g. ENTITY_ERROR.ATTRIBUTE.INVALID. */
    readonly appleCode?: string,
    /** The call that failed, `METHOD /path` with ids as `{id}` (or `POST /auth/oauth2/token`). */
    readonly endpoint?: string,
  ) {
    super(message);
    this.name = 'AppleBusinessError';
  }
}

export interface BusinessAssertion {
  jwt: string;
  expiresAt: Date;
}

/** Makes the client assertion: Apple lets one be reused until it expires (spec §1). */
export async function signClientAssertion(input: { clientId: string; keyId: string; privateKey: KeyObject; now: Date }): Promise<BusinessAssertion> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const exp = iat + ASSERTION_LIFETIME_S;
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: input.keyId })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(ASSERTION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(input.privateKey);
  return { jwt, expiresAt: new Date(exp * 1000) };
}

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

export interface BusinessClientOptions {
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: BusinessScope;
  /** The cached (or a fresh) assertion; called again only when a token request needs one. */
  assertion: () => Promise<string>;
  /**
   * Told which assertion Apple just accepted (a token was issued for it): a renewed assertion is
   * stored only then, so a key Apple refuses never replaces one that worked.
   */
  assertionAccepted?: (assertion: string) => Promise<void>;
  clock: Clock;
  sleep: Sleep;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Shared by every client of one account so tokens and the in-flight limit are per account. */
  session: BusinessSession;
  fetchImpl?: typeof fetch;
  observe?: ExchangeObserver;
  random?: () => number;
}

/** Per-account state that outlives one client: the access token and the in-flight limit. */
export class BusinessSession {
  accessToken: AccessToken | null = null;
  /** The token request under way: concurrent calls share it, so a burst asks Apple once (like DepClient's session). */
  tokenRequest: Promise<AccessToken> | null = null;
  readonly inFlight = new Semaphore(MAX_IN_FLIGHT);
}

export interface JsonApiResource<A = Record<string, unknown>> {
  type: string;
  id: string;
  attributes?: A;
  relationships?: Record<string, { data?: { type: string; id: string } | null }>;
}

export interface JsonApiList<A> {
  data: Array<JsonApiResource<A>>;
  meta?: { paging?: { limit?: number; nextCursor?: string; total?: number } };
  links?: { next?: string };
}

export class BusinessClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: BusinessClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  /** The cached access token, or a new one when it is within 5 minutes of its end. */
  async accessToken(force = false): Promise<string> {
    const session = this.options.session;
    const cached = session.accessToken;
    if (!force && cached && cached.expiresAt.getTime() - ACCESS_TOKEN_MARGIN_MS > this.options.clock.now().getTime()) return cached.token;
    if (!session.tokenRequest) {
      const request = this.requestToken();
      session.tokenRequest = request;
      request.then(
        (token) => {
          if (session.tokenRequest === request) {
            session.accessToken = token;
            session.tokenRequest = null;
          }
        },
        () => {
          if (session.tokenRequest === request) session.tokenRequest = null;
        },
      );
    }
    return (await session.tokenRequest).token;
  }

  private async requestToken(): Promise<AccessToken> {
    const assertion = await this.options.assertion();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: OAUTH_SCOPE[this.options.scope],
    }).toString();
    const response = await this.send(this.options.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, TOKEN_ENDPOINT);
    const json = parseJson(response.text) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (response.status === 200 && json && typeof json.access_token === 'string') {
      const ttl = typeof json.expires_in === 'number' ? json.expires_in : 3600;
      const token = { token: json.access_token, expiresAt: new Date(this.options.clock.now().getTime() + ttl * 1000) };
      await this.options.assertionAccepted?.(assertion);
      return token;
    }
    const error = json && typeof json.error === 'string' ? json.error : undefined;
    if (error === 'invalid_scope') throw new AppleBusinessError('INVALID_SCOPE', 'Apple refused the scope for this API account', response.status, undefined, undefined, TOKEN_ENDPOINT);
    if (error === 'invalid_client' || response.status === 400 || response.status === 401) {
      throw new AppleBusinessError('INVALID_CLIENT', 'Apple refused the API account (invalid_client): check the client ID, key ID and private key', response.status, undefined, undefined, TOKEN_ENDPOINT);
    }
    throw this.failure(response, TOKEN_ENDPOINT);
  }

  /** One API call; `path` starts with /v1. Retries 429/5xx within the policy and a 401 or 403 once. */
  async call<T>(method: string, path: string, body?: unknown, endpoint?: string): Promise<T> {
    const label = endpoint ?? `${method} ${path.split('?')[0]}`;
    let retriedUnauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken(false);
      const response = await this.options.session.inFlight.run(() =>
        this.send(
          `${this.options.apiUrl}${path}`,
          {
            method,
            headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body),
          },
          label,
        ),
      );
      // Apple: a new token "whenever [the APIs] return a '401'". A 403 gets the same one retry: a
      // token issued before the account's rights changed must not pass for the account's answer.
      if ((response.status === 401 || response.status === 403) && !retriedUnauthorized) {
        retriedUnauthorized = true;
        // A concurrent call may already hold a fresher token: only forget the one Apple refused.
        if (this.options.session.accessToken?.token === token) this.options.session.accessToken = null;
        attempt--;
        continue;
      }
      if (response.status >= 200 && response.status < 300) return (response.text ? parseJson(response.text) : undefined) as T;
      const retryable = response.status === 429 || response.status === 502 || response.status === 503 || response.status === 504;
      if (retryable && attempt < this.options.retry.maxAttempts) {
        const retryAfter = this.retryAfterSeconds(response);
        const wait = retryAfter !== undefined ? Math.min(retryAfter * 1000, this.options.retry.maxDelayMs) : backoffDelayMs(attempt, this.options.retry, this.options.random ?? Math.random);
        await this.options.sleep(wait);
        continue;
      }
      throw this.failure(response, label);
    }
  }

  /** A presigned download (the activity log): no bearer token. */
  async download(url: string): Promise<string> {
    const response = await this.send(url, { method: 'GET', headers: {} }, 'GET activity log');
    if (response.status !== 200) throw this.failure(response, 'activity log');
    return response.text;
  }

  private async send(url: string, request: { method: string; headers: Record<string, string>; body?: string }, endpoint: string): Promise<HttpExchange> {
    try {
      return await exchange(this.fetchImpl, url, request, { timeoutMs: this.options.timeoutMs, signals: [], endpoint, observe: this.options.observe });
    } catch (e) {
      if (e instanceof ExchangeFailure) throw new AppleBusinessError('UNAVAILABLE', `Apple could not be reached (${e.kind})`);
      throw e;
    }
  }

  /** Seconds or an HTTP date, read as the DEP and VPP clients read it. */
  private retryAfterSeconds(response: HttpExchange): number | undefined {
    return parseRetryAfter(response.headers.get('retry-after'), this.options.clock.now());
  }

  private failure(response: HttpExchange, what: string): AppleBusinessError {
    const json = parseJson(response.text) as { errors?: Array<{ code?: unknown; detail?: unknown }> } | undefined;
    const first = Array.isArray(json?.errors) ? json!.errors[0] : undefined;
    const appleCode = typeof first?.code === 'string' ? first.code : undefined;
    const detail = typeof first?.detail === 'string' ? first.detail.slice(0, 300) : `HTTP ${response.status}`;
    const status = response.status;
    const kind: AppleBusinessErrorKind =
      status === 401 ? 'UNAUTHORIZED'
      : status === 403 ? 'FORBIDDEN'
      : status === 404 ? 'NOT_FOUND'
      : status === 409 || status === 422 ? 'CONFLICT'
      : status === 429 ? 'RATE_LIMITED'
      : status >= 500 ? 'UNAVAILABLE'
      : status >= 400 ? 'BAD_REQUEST'
      : 'BAD_RESPONSE';
    return new AppleBusinessError(kind, `Apple answered ${status} to ${what}: ${detail}`, status, this.retryAfterSeconds(response), appleCode, what);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
