import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { makeVendor } from '../support/apns-fixtures';

const SECRET_KEY = 'ab'.repeat(32);
const DB = 'postgres://depgate:db-password-123@db.internal:5432/depgate';

/** The ConfigError loadConfig throws for `env`; fails when it does not throw one. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('runs with an empty environment (embedded database, generated SECRET_KEY)', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('.data'),
      publicUrl: 'http://localhost:4000',
      appleDepApiUrl: 'https://mdmenrollment.apple.com',
      appleVppApiUrl: 'https://vpp.itunes.apple.com/mdm/v2',
      // Apple is real by default: no placeholder enrollment URL (a real device would fail on it).
      enrollmentUrl: undefined,
      enrollmentUrlIsPlaceholder: false,
      appleIsReal: true,
      webhookAllowPrivateNetworks: false,
      secretKey: undefined,
      bootstrapApiKey: undefined,
      manualSyncMinIntervalS: 900,
      fullSyncMinIntervalS: 604800,
      autoSyncIntervalS: 86400,
      syncTimeoutS: 900,
      maxProfilesPerToken: 100,
      alertExpiryDays: [30, 14, 7, 1],
      vppLicensesLow: 10,
      keyPairTtlS: 86400,
      tokenExpiringSoonDays: 30,
      logLevel: 'info',
      rateLimitPerMinute: 0,
      wsMaxSubscriptionsPerSocket: 100,
      wsMaxSocketsPerKey: 50,
    });
  });

  it('parses good values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: DB,
      SECRET_KEY,
      PUBLIC_URL: 'https://mdm.example.com/',
      ALERT_EXPIRY_DAYS: '7, 30,1,7',
      LOG_LEVEL: 'debug',
      RATE_LIMIT_PER_MINUTE: '600',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '20',
      WS_MAX_SOCKETS_PER_KEY: '5',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: DB,
      secretKey: SECRET_KEY,
      publicUrl: 'https://mdm.example.com',
      enrollmentUrl: undefined,
      alertExpiryDays: [30, 7, 1],
      logLevel: 'debug',
      rateLimitPerMinute: 600,
      wsMaxSubscriptionsPerSocket: 20,
      wsMaxSocketsPerKey: 5,
    });
  });

  it('reads the production settings: previous key, metrics token, token names', () => {
    const previous = 'cd'.repeat(32);
    expect(loadConfig({})).toMatchObject({ secretKeyPrevious: undefined, metricsToken: undefined, metricsTokenNames: false });
    expect(loadConfig({ SECRET_KEY, SECRET_KEY_PREVIOUS: previous, METRICS_TOKEN: 'm'.repeat(16), METRICS_TOKEN_NAMES: 'true' })).toMatchObject({
      secretKey: SECRET_KEY,
      secretKeyPrevious: previous,
      metricsToken: 'm'.repeat(16),
      metricsTokenNames: true,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: ' ', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });
});

describe('ENROLLMENT_URL', () => {
  it('has the $PUBLIC_URL/mdm/enroll placeholder only when APPLE_DEP_API_URL is not Apple (the simulator)', () => {
    expect(loadConfig({ APPLE_DEP_API_URL: 'http://127.0.0.1:4010', PORT: '4100' })).toMatchObject({
      appleIsReal: false,
      enrollmentUrl: 'http://localhost:4100/mdm/enroll',
      enrollmentUrlIsPlaceholder: true,
    });
    expect(loadConfig({ APPLE_DEP_API_URL: 'https://mdmenrollment.apple.com/' })).toMatchObject({ appleIsReal: true, enrollmentUrl: undefined });
    expect(loadConfig({ ENROLLMENT_URL: 'https://mdm.example.com/enroll/' })).toMatchObject({
      enrollmentUrl: 'https://mdm.example.com/enroll',
      enrollmentUrlIsPlaceholder: false,
    });
  });

  it('must be https where Apple is real; http is taken with the simulator', () => {
    expect(() => loadConfig({ ENROLLMENT_URL: 'http://mdm.example.com/enroll' })).toThrow(/ENROLLMENT_URL must be an https URL/);
    expect(loadConfig({ APPLE_DEP_API_URL: 'http://127.0.0.1:4010', ENROLLMENT_URL: 'http://mdm.test/enroll' }).enrollmentUrl).toBe('http://mdm.test/enroll');
  });
});

describe('WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  it('is off by default', () => {
    expect(loadConfig({}).webhookAllowPrivateNetworks).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhookAllowPrivateNetworks).toBe(true);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
  });
});

describe('REQUEST_STATEMENT_TIMEOUT_MS', () => {
  it('defaults to 10 seconds; 0 turns the limit off', () => {
    expect(loadConfig({}).requestStatementTimeoutMs).toBe(10_000);
    expect(loadConfig({ REQUEST_STATEMENT_TIMEOUT_MS: '2500' }).requestStatementTimeoutMs).toBe(2500);
    expect(loadConfig({ REQUEST_STATEMENT_TIMEOUT_MS: '0' }).requestStatementTimeoutMs).toBe(0);
  });

  it.each(['-1', '1.5', 'ten', '3600001'])('refuses %j', (value) => {
    expect(configError({ REQUEST_STATEMENT_TIMEOUT_MS: value }).variable).toBe('REQUEST_STATEMENT_TIMEOUT_MS');
  });
});

describe('loadConfig refuses bad values, naming the variable', () => {
  const cases: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'notaurl', SECRET_KEY }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@h/db', SECRET_KEY }],
    ['SECRET_KEY', { DATABASE_URL: DB }],
    ['SECRET_KEY', { SECRET_KEY: 'ab'.repeat(31) }],
    ['SECRET_KEY', { SECRET_KEY: Buffer.alloc(16).toString('base64') }],
    ['BOOTSTRAP_API_KEY', { BOOTSTRAP_API_KEY: 'short' }],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }],
    ['ALERT_EXPIRY_DAYS', { ALERT_EXPIRY_DAYS: 'x' }],
    ['ALERT_EXPIRY_DAYS', { ALERT_EXPIRY_DAYS: '30,0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['APPLE_DEP_API_URL', { APPLE_DEP_API_URL: 'ftp://example.com' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'example.com' }],
    ['AUTO_SYNC_INTERVAL_S', { AUTO_SYNC_INTERVAL_S: '10' }],
    ['SYNC_TIMEOUT_S', { SYNC_TIMEOUT_S: '-5' }],
    ['MAX_PROFILES_PER_TOKEN', { MAX_PROFILES_PER_TOKEN: '1.5' }],
    ['TOKEN_EXPIRING_SOON_DAYS', { TOKEN_EXPIRING_SOON_DAYS: '400' }],
    ['SECRET_KEY_PREVIOUS', { SECRET_KEY_PREVIOUS: SECRET_KEY }],
    ['SECRET_KEY_PREVIOUS', { SECRET_KEY, SECRET_KEY_PREVIOUS: 'ab'.repeat(31) }],
    ['SECRET_KEY_PREVIOUS', { SECRET_KEY, SECRET_KEY_PREVIOUS: SECRET_KEY }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['METRICS_TOKEN_NAMES', { METRICS_TOKEN_NAMES: 'maybe' }],
    ['RATE_LIMIT_PER_MINUTE', { RATE_LIMIT_PER_MINUTE: '-1' }],
    ['WS_MAX_SUBSCRIPTIONS_PER_SOCKET', { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '0' }],
    ['WS_MAX_SOCKETS_PER_KEY', { WS_MAX_SOCKETS_PER_KEY: 'many' }],
  ];

  it.each(cases)('%s in %j', (variable, env) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });
});

describe('secrets never appear in the message', () => {
  it('a malformed DATABASE_URL (it may carry a password)', () => {
    const value = 'postgres//depgate:hunter2-password@db:5432/x';
    expect(configError({ DATABASE_URL: value, SECRET_KEY }).message).not.toContain('hunter2');
  });

  it('a DATABASE_URL with the wrong scheme', () => {
    const value = 'mysql://depgate:hunter2-password@db:5432/x';
    expect(configError({ DATABASE_URL: value, SECRET_KEY }).message).not.toContain('hunter2');
  });

  it('a SECRET_KEY of the wrong length', () => {
    const value = 'c0ffee'.repeat(10);
    const message = configError({ SECRET_KEY: value }).message;
    expect(message).toContain('SECRET_KEY');
    expect(message).not.toContain(value);
    expect(message).not.toContain(value.slice(0, 12));
  });

  it('a BOOTSTRAP_API_KEY that is too short', () => {
    const value = 'dg_tooshort';
    expect(configError({ BOOTSTRAP_API_KEY: value }).message).not.toContain(value);
  });

  it('a SECRET_KEY_PREVIOUS of the wrong shape, or a short METRICS_TOKEN', () => {
    const value = 'c0ffee'.repeat(10);
    expect(configError({ SECRET_KEY, SECRET_KEY_PREVIOUS: value }).message).not.toContain(value.slice(0, 12));
    expect(configError({ METRICS_TOKEN: 'tooshort-token' }).message).not.toContain('tooshort-token');
  });

  it('SECRET_KEY missing with DATABASE_URL does not echo the database password', () => {
    expect(configError({ DATABASE_URL: DB }).message).not.toContain('db-password-123');
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME', () => {
  it('tracing is off by default, named depgate; the endpoint loses its trailing slash', () => {
    expect(loadConfig({}).telemetry).toEqual({ otlpEndpoint: undefined, serviceName: 'depgate' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/', OTEL_SERVICE_NAME: 'depgate-eu' }).telemetry).toEqual({
      otlpEndpoint: 'http://otel:4318',
      serviceName: 'depgate-eu',
    });
  });
});

describe('README.md', () => {
  const root = path.resolve(__dirname, '..', '..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const source = fs.readFileSync(path.join(root, 'src', 'config.ts'), 'utf8');
  const variables = [...new Set(source.match(/(?<=\(env, ')[A-Z][A-Z0-9_]*(?=')/g) ?? [])];

  it('documents every variable src/config.ts reads in its configuration table', () => {
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'SECRET_KEY', 'LOG_LEVEL']));
    const undocumented = variables.filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(undocumented).toEqual([]); // add a row to the Configuration table in README.md
  });

  it('gives the start and test commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('AUDIT_RETENTION_DAYS', () => {
  it('defaults to 365 days and takes 1 to 36500', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(365);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    expect(configError({ AUDIT_RETENTION_DAYS: '0' }).message).toContain('AUDIT_RETENTION_DAYS');
    expect(configError({ AUDIT_RETENTION_DAYS: 'a year' }).message).toContain('AUDIT_RETENTION_DAYS');
  });
});

describe('CORS_ORIGINS', () => {
  it('defaults to same origin only and takes a comma-separated list of bare origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://console.example.com, http://localhost:5173/' }).corsOrigins).toEqual([
      'https://console.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });

  it('refuses * beside origins, paths, other schemes and non-URLs, naming the variable', () => {
    for (const value of ['*, https://console.example.com', 'https://console.example.com/app', 'ftp://files.example.com', 'console.example.com']) {
      expect(configError({ CORS_ORIGINS: value }).message).toContain('CORS_ORIGINS');
    }
  });
});

describe('GRAPHQL_EXPLORER', () => {
  it('is on by default, off when NODE_ENV=production unless GRAPHQL_EXPLORER=true', () => {
    expect(loadConfig({}).graphqlExplorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlExplorer).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'true' }).graphqlExplorer).toBe(true);
    expect(loadConfig({ GRAPHQL_EXPLORER: 'false' }).graphqlExplorer).toBe(false);
    expect(configError({ GRAPHQL_EXPLORER: 'maybe' }).message).toContain('GRAPHQL_EXPLORER');
  });
});

describe('APNS_VENDOR_CERTIFICATE, APNS_VENDOR_PRIVATE_KEY, APNS_VENDOR_PRIVATE_KEY_PASSWORD', () => {
  const vendor = makeVendor({ notBefore: new Date('2026-01-01T00:00:00Z'), days: 365 });
  const other = makeVendor({ notBefore: new Date('2026-01-01T00:00:00Z'), days: 365, chain: 'vendor' });
  const vendorEnv = (env: Record<string, string> = {}) => ({ APNS_VENDOR_CERTIFICATE: vendor.certificatePem, APNS_VENDOR_PRIVATE_KEY: vendor.privateKeyPem, ...env });
  const encryptedKey = createPrivateKey(vendor.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'vendor-pass' }).toString();

  it('is unset by default: requests are the bare CSR', () => {
    expect(loadConfig({}).apnsVendor).toBeUndefined();
  });

  it('reads the PEM texts (one-line with \\n escapes too): the vendor certificate, its chain, a root at the end', () => {
    for (const env of [vendorEnv(), vendorEnv({ APNS_VENDOR_CERTIFICATE: vendor.certificatePem.replace(/\n/g, '\\n'), APNS_VENDOR_PRIVATE_KEY: vendor.privateKeyPem.replace(/\n/g, '\\n') })]) {
      const credentials = loadConfig(env).apnsVendor!;
      expect(credentials).toMatchObject({ subject: vendor.vendorSubject, chainComplete: true, notAfter: new Date('2027-01-01T00:00:00Z') });
      expect(credentials.chainPem.map((p) => new X509Certificate(p).fingerprint256)).toEqual(
        [vendor.vendorCertificatePem, vendor.intermediatePem, vendor.rootPem].map((p) => new X509Certificate(p).fingerprint256),
      );
      expect(JSON.stringify(credentials)).not.toMatch(/PRIVATE KEY/);
    }
    expect(loadConfig({ APNS_VENDOR_CERTIFICATE: other.certificatePem, APNS_VENDOR_PRIVATE_KEY: other.privateKeyPem }).apnsVendor!.chainComplete).toBe(false);
  });

  it('reads files, and a key encrypted under APNS_VENDOR_PRIVATE_KEY_PASSWORD', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-vendor-'));
    try {
      fs.writeFileSync(path.join(dir, 'vendor.pem'), vendor.certificatePem);
      fs.writeFileSync(path.join(dir, 'vendor.key'), encryptedKey);
      const credentials = loadConfig({
        APNS_VENDOR_CERTIFICATE: path.join(dir, 'vendor.pem'),
        APNS_VENDOR_PRIVATE_KEY: path.join(dir, 'vendor.key'),
        APNS_VENDOR_PRIVATE_KEY_PASSWORD: 'vendor-pass',
      }).apnsVendor!;
      expect(credentials.subject).toBe(vendor.vendorSubject);
      expect(configError({ APNS_VENDOR_CERTIFICATE: path.join(dir, 'missing.pem'), APNS_VENDOR_PRIVATE_KEY: path.join(dir, 'vendor.key') }).variable).toBe('APNS_VENDOR_CERTIFICATE');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const misordered = vendor.vendorCertificatePem + vendor.rootPem + vendor.intermediatePem;
  const cases: [string, string, Record<string, string>][] = [
    ['a certificate without its key', 'APNS_VENDOR_PRIVATE_KEY', { APNS_VENDOR_CERTIFICATE: vendor.certificatePem }],
    ['a key without its certificate', 'APNS_VENDOR_CERTIFICATE', { APNS_VENDOR_PRIVATE_KEY: vendor.privateKeyPem }],
    ['a password alone', 'APNS_VENDOR_PRIVATE_KEY_PASSWORD', { APNS_VENDOR_PRIVATE_KEY_PASSWORD: 'vendor-pass' }],
    ['no certificate in the certificate variable', 'APNS_VENDOR_CERTIFICATE', vendorEnv({ APNS_VENDOR_CERTIFICATE: '-----BEGIN nothing' })],
    ['a key in the certificate variable', 'APNS_VENDOR_CERTIFICATE', vendorEnv({ APNS_VENDOR_CERTIFICATE: vendor.certificatePem + vendor.privateKeyPem })],
    ['a damaged certificate', 'APNS_VENDOR_CERTIFICATE', vendorEnv({ APNS_VENDOR_CERTIFICATE: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })],
    ['a misordered chain', 'APNS_VENDOR_CERTIFICATE', vendorEnv({ APNS_VENDOR_CERTIFICATE: misordered })],
    ['the key of another certificate', 'APNS_VENDOR_PRIVATE_KEY', vendorEnv({ APNS_VENDOR_PRIVATE_KEY: other.privateKeyPem })],
    ['a damaged key', 'APNS_VENDOR_PRIVATE_KEY', vendorEnv({ APNS_VENDOR_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })],
    ['an EC key', 'APNS_VENDOR_PRIVATE_KEY', vendorEnv({ APNS_VENDOR_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })],
    ['an encrypted key without the password', 'APNS_VENDOR_PRIVATE_KEY_PASSWORD', vendorEnv({ APNS_VENDOR_PRIVATE_KEY: encryptedKey })],
    ['an encrypted key with a wrong password', 'APNS_VENDOR_PRIVATE_KEY_PASSWORD', vendorEnv({ APNS_VENDOR_PRIVATE_KEY: encryptedKey, APNS_VENDOR_PRIVATE_KEY_PASSWORD: 'wrong-pass' })],
  ];

  it.each(cases)('refuses %s, naming %s and quoting no key', (_what, variable, env) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toMatch(/PRIVATE KEY-----|vendor-pass|wrong-pass/);
    for (const value of Object.values(env).filter((v) => v.length > 80)) expect(error.message).not.toContain(value.slice(40, 80));
  });
});
