/**
 * Every environment variable depgate reads, parsed and validated in one place. A bad value stops
 * start-up with a message naming the variable (never echoing a secret's value).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApnsVendorCredentialsError, readApnsVendorCredentials, type ApnsVendorCredentials } from './apns/apns-vendor-credentials';

export interface Config {
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL under dataDir is started. */
  databaseUrl?: string;
  dataDir: string;
  publicUrl: string;
  appleDepApiUrl: string;
  appleVppApiUrl: string;
  /**
   * ENROLLMENT_URL: the MDM server's enrollment URL every profile sends devices to (a token's own
   * enrollmentUrl wins). Unset where Apple is real and none is configured: profiles of a token
   * without its own URL are refused (ENROLLMENT_URL_REQUIRED) and readiness reports it.
   */
  enrollmentUrl?: string;
  /** True when enrollmentUrl is the simulator-only placeholder `$PUBLIC_URL/mdm/enroll` (no MDM answers there). */
  enrollmentUrlIsPlaceholder: boolean;
  /**
   * Whether APPLE_DEP_API_URL is Apple's own service (a host under apple.com) rather than the
   * simulator or another stand-in: only then are devices real and an enrollment URL required.
   */
  appleIsReal: boolean;
  /**
   * WEBHOOK_ALLOW_PRIVATE_NETWORKS=true: webhook URLs may be http and resolve to loopback, link-local
   * or private addresses (tests, closed networks). Default false: https to public addresses only.
   */
  webhookAllowPrivateNetworks: boolean;
  /** Webhook retries: the first after this (then doubling), at most webhookRetryMaxMs apart. */
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  /** Consecutive failed deliveries after which a webhook is disabled (with a WEBHOOK_DISABLED alert). */
  webhookDisableAfterFailures: number;
  /** APPLE_BUSINESS_API_URL: the Apple Business API (organisation inventory, MDM servers, device activities). */
  appleBusinessApiUrl: string;
  /** APPLE_SCHOOL_API_URL: the Apple School Manager API (the same API for schools). */
  appleSchoolApiUrl: string;
  /** APPLE_OAUTH_TOKEN_URL: where both APIs' access tokens come from. */
  appleOauthTokenUrl: string;
  /**
   * APNS_VENDOR_CERTIFICATE / APNS_VENDOR_PRIVATE_KEY (/ APNS_VENDOR_PRIVATE_KEY_PASSWORD): the MDM
   * vendor's CSR signing certificate (its chain after it) and key. Set: createApnsCertificateRequest
   * returns the vendor-signed request Apple's Push Certificates Portal takes; unset: the bare CSR,
   * for a vendor to sign.
   */
  apnsVendor?: ApnsVendorCredentials;
  /** Unset only with the embedded database, where one is generated into dataDir. */
  secretKey?: string;
  /** SECRET_KEY_PREVIOUS: still opens stored secrets while `npm run rotate-secret-key` re-seals them. */
  secretKeyPrevious?: string;
  bootstrapApiKey?: string;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** METRICS_TOKEN_NAMES=true: DEP and VPP token names appear as metric labels (ids always do). */
  metricsTokenNames: boolean;
  manualSyncMinIntervalS: number;
  fullSyncMinIntervalS: number;
  autoSyncIntervalS: number;
  syncTimeoutS: number;
  maxProfilesPerToken: number;
  alertExpiryDays: number[];
  vppLicensesLow: number;
  /** Company Portal's App Store id (adamId): whose licences a VPP token's count is read for. */
  companyPortalAdamId: string;
  keyPairTtlS: number;
  tokenExpiringSoonDays: number;
  /** PostgreSQL statement_timeout of the pool requests use (0: none). */
  requestStatementTimeoutMs: number;
  /** Audit events older than this many days are pruned (daily job). */
  auditRetentionDays: number;
  /** Assignment attempts (Device.assignmentHistory) older than this many days are pruned (daily job). */
  assignmentHistoryRetentionDays: number;
  logLevel: string;
  /** Requests (HTTP) and operations (WebSocket) per API key and minute; 0: no limit. */
  rateLimitPerMinute: number;
  /** Operations open at once on one WebSocket (subscriptions, and queries while they run). */
  wsMaxSubscriptionsPerSocket: number;
  /** WebSockets one API key may hold open on one instance. */
  wsMaxSocketsPerKey: number;
  /**
   * CORS_ORIGINS: the browser origins (scheme://host[:port]) that may call the API from another
   * origin; `['*']` for any origin (allowed because depgate uses bearer keys, never cookies, so
   * responses are never credentialed). Empty (the default): same origin only.
   */
  corsOrigins: string[];
  /** GET /graphql from a browser shows GraphiQL: on by default, off when NODE_ENV=production unless GRAPHQL_EXPLORER=true. */
  graphqlExplorer: boolean;
  /** OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_SERVICE_NAME: tracing is on only when the endpoint is set. */
  telemetry: TelemetryConfig;
}

export interface TelemetryConfig {
  /** OTLP/HTTP base URL (traces go to `<endpoint>/v1/traces`); unset: no tracing, no OTel module loaded. */
  otlpEndpoint?: string;
  serviceName: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, fallback: string | undefined, protocols = ['http:', 'https:']): string | undefined {
  const value = raw(env, name) ?? fallback;
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // Database URLs carry passwords: name the variable, never the value.
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use one of ${protocols.join(', ')}`);
  }
  return value.replace(/\/+$/, '');
}

function integerList(env: Env, name: string, fallback: number[]): number[] {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new ConfigError(name, `must be a comma-separated list of positive whole numbers, got "${value}"`);
  }
  return [...new Set(parts.map(Number))].sort((a, b) => b - a);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

/**
 * CORS_ORIGINS as exact origins. `*` stands alone: a wildcard cannot be combined with credentials,
 * and depgate never sends credentialed responses, so `*` means "any origin, no credentials".
 */
function origins(env: Env, name: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.includes('*')) {
    if (parts.length > 1) throw new ConfigError(name, 'may be * alone (any origin, no credentials) or a list of origins, not both');
    return ['*'];
  }
  return [
    ...new Set(
      parts.map((part) => {
        let parsed: URL;
        try {
          parsed = new URL(part);
        } catch {
          throw new ConfigError(name, `must be a comma-separated list of origins like https://console.example.com, got "${part.slice(0, 100)}"`);
        }
        if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== part.replace(/\/+$/, '')) {
          throw new ConfigError(name, `entries must be bare origins (scheme://host[:port], no path), got "${part.slice(0, 100)}"`);
        }
        return parsed.origin;
      }),
    ),
  ];
}

/**
 * A PEM value given as the text itself (`\n` escapes allowed, for one-line env files) or as the
 * path of a file holding it (a mounted secret). Messages never quote the value.
 */
function pemOrFile(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return fs.readFileSync(value, 'utf8');
  } catch {
    throw new ConfigError(name, 'must be PEM text or the path of a readable PEM file');
  }
}

/** The MDM vendor's signing certificate and key: both or neither, the key matching the certificate. */
function apnsVendor(env: Env): ApnsVendorCredentials | undefined {
  const certificate = pemOrFile(env, 'APNS_VENDOR_CERTIFICATE');
  const privateKey = pemOrFile(env, 'APNS_VENDOR_PRIVATE_KEY');
  const password = raw(env, 'APNS_VENDOR_PRIVATE_KEY_PASSWORD');
  if (certificate === undefined && privateKey === undefined) {
    if (password !== undefined) throw new ConfigError('APNS_VENDOR_PRIVATE_KEY_PASSWORD', 'is set without APNS_VENDOR_PRIVATE_KEY');
    return undefined;
  }
  if (certificate === undefined) throw new ConfigError('APNS_VENDOR_CERTIFICATE', 'is required with APNS_VENDOR_PRIVATE_KEY');
  if (privateKey === undefined) throw new ConfigError('APNS_VENDOR_PRIVATE_KEY', 'is required with APNS_VENDOR_CERTIFICATE');
  try {
    return readApnsVendorCredentials({ certificate, privateKey, password });
  } catch (error) {
    if (error instanceof ApnsVendorCredentialsError) throw new ConfigError(error.variable, error.message);
    throw error;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = raw(env, 'HOST') ?? '0.0.0.0';
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`)!;
  const databaseUrl = url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']);
  const secretKey = raw(env, 'SECRET_KEY');
  if (databaseUrl && !secretKey) {
    throw new ConfigError('SECRET_KEY', 'is required when DATABASE_URL is set (it encrypts private keys and Apple secrets at rest)');
  }
  if (secretKey && !isSecretKeyShape(secretKey)) {
    throw new ConfigError('SECRET_KEY', 'must be 32 bytes as 64 hex characters or base64');
  }
  const secretKeyPrevious = raw(env, 'SECRET_KEY_PREVIOUS');
  if (secretKeyPrevious !== undefined) {
    if (!secretKey) throw new ConfigError('SECRET_KEY_PREVIOUS', 'needs SECRET_KEY (the new key) to be set as well');
    if (!isSecretKeyShape(secretKeyPrevious)) throw new ConfigError('SECRET_KEY_PREVIOUS', 'must be 32 bytes as 64 hex characters or base64');
    if (secretKeyPrevious === secretKey) throw new ConfigError('SECRET_KEY_PREVIOUS', 'must differ from SECRET_KEY');
  }
  const metricsToken = raw(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  }
  const bootstrapApiKey = raw(env, 'BOOTSTRAP_API_KEY');
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 24) {
    throw new ConfigError('BOOTSTRAP_API_KEY', 'must be at least 24 characters');
  }
  const appleDepApiUrl = url(env, 'APPLE_DEP_API_URL', 'https://mdmenrollment.apple.com')!;
  const appleIsReal = isAppleHost(appleDepApiUrl);
  const configuredEnrollmentUrl = url(env, 'ENROLLMENT_URL', undefined);
  if (configuredEnrollmentUrl && appleIsReal && !configuredEnrollmentUrl.startsWith('https:')) {
    throw new ConfigError('ENROLLMENT_URL', 'must be an https URL when APPLE_DEP_API_URL is Apple (devices enroll only over https)');
  }
  const logLevel = raw(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  return {
    port,
    host,
    databaseUrl,
    dataDir: path.resolve(raw(env, 'DATA_DIR') ?? '.data'),
    publicUrl,
    appleDepApiUrl,
    appleVppApiUrl: url(env, 'APPLE_VPP_API_URL', 'https://vpp.itunes.apple.com/mdm/v2')!,
    // The placeholder only with a stand-in for Apple: a real device would fail Setup Assistant on it.
    enrollmentUrl: configuredEnrollmentUrl ?? (appleIsReal ? undefined : `${publicUrl}/mdm/enroll`),
    enrollmentUrlIsPlaceholder: !configuredEnrollmentUrl && !appleIsReal,
    appleIsReal,
    webhookAllowPrivateNetworks: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1000, 10, 3_600_000),
    webhookRetryMaxMs: integer(env, 'WEBHOOK_RETRY_MAX_MS', 600_000, 10, 86_400_000),
    webhookDisableAfterFailures: integer(env, 'WEBHOOK_DISABLE_AFTER_FAILURES', 30, 1, 10_000),
    appleBusinessApiUrl: url(env, 'APPLE_BUSINESS_API_URL', 'https://api-business.apple.com')!,
    appleSchoolApiUrl: url(env, 'APPLE_SCHOOL_API_URL', 'https://api-school.apple.com')!,
    appleOauthTokenUrl: url(env, 'APPLE_OAUTH_TOKEN_URL', 'https://account.apple.com/auth/oauth2/token')!,
    apnsVendor: apnsVendor(env),
    secretKey,
    secretKeyPrevious,
    bootstrapApiKey,
    metricsToken,
    metricsTokenNames: boolean(env, 'METRICS_TOKEN_NAMES', false),
    manualSyncMinIntervalS: integer(env, 'MANUAL_SYNC_MIN_INTERVAL_S', 900, 0),
    fullSyncMinIntervalS: integer(env, 'FULL_SYNC_MIN_INTERVAL_S', 604800, 0),
    autoSyncIntervalS: integer(env, 'AUTO_SYNC_INTERVAL_S', 86400, 60),
    syncTimeoutS: integer(env, 'SYNC_TIMEOUT_S', 900, 1),
    maxProfilesPerToken: integer(env, 'MAX_PROFILES_PER_TOKEN', 100, 1, 10000),
    alertExpiryDays: integerList(env, 'ALERT_EXPIRY_DAYS', [30, 14, 7, 1]),
    vppLicensesLow: integer(env, 'VPP_LICENSES_LOW', 10, 0),
    companyPortalAdamId: String(integer(env, 'COMPANY_PORTAL_ADAM_ID', 719171358, 1)),
    keyPairTtlS: integer(env, 'KEY_PAIR_TTL_S', 86400, 60),
    tokenExpiringSoonDays: integer(env, 'TOKEN_EXPIRING_SOON_DAYS', 30, 1, 365),
    requestStatementTimeoutMs: integer(env, 'REQUEST_STATEMENT_TIMEOUT_MS', 10_000, 0, 3_600_000),
    auditRetentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 365, 1, 36_500),
    assignmentHistoryRetentionDays: integer(env, 'ASSIGNMENT_HISTORY_RETENTION_DAYS', 90, 1, 36_500),
    logLevel,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
    wsMaxSubscriptionsPerSocket: integer(env, 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
    wsMaxSocketsPerKey: integer(env, 'WS_MAX_SOCKETS_PER_KEY', 50, 1, 100_000),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    graphqlExplorer: boolean(env, 'GRAPHQL_EXPLORER', env.NODE_ENV !== 'production'),
    telemetry: loadTelemetryConfig(env),
  };
}

/**
 * Only the tracing variables: src/telemetry/preload.ts reads them before anything else loads (the
 * instrumentations must patch http, pg, ... first), without validating the rest of the config.
 */
export function loadTelemetryConfig(env: Env = process.env): TelemetryConfig {
  return {
    otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', undefined),
    serviceName: raw(env, 'OTEL_SERVICE_NAME') ?? 'depgate',
  };
}

function isAppleHost(value: string): boolean {
  const host = new URL(value).hostname.toLowerCase();
  return host === 'apple.com' || host.endsWith('.apple.com');
}

function isSecretKeyShape(value: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return true;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}
