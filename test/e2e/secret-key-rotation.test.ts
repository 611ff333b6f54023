/**
 * SECRET_KEY rotation, the way an operator does it (README, Production):
 * 1. secrets stored under the old key by an instance on SECRET_KEY=<old>;
 * 2. an instance on SECRET_KEY=<new> + SECRET_KEY_PREVIOUS=<old> reads them (VPP refresh, a
 *    profile defined at Apple, a token uploaded with an old key pair) while the old one still runs;
 * 3. `npm run rotate-secret-key` re-seals them: interrupted once, then run again, it finishes;
 * 4. every stored value now opens under the new key alone, the check mode says so (and fails
 *    with the old key), and an instance with SECRET_KEY_PREVIOUS dropped still reads everything.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { startApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secret-box';
import { rotateSealedColumns } from '../../src/crypto/secret-rotation';
import { SEALED_COLUMNS } from '../../src/database/sealed-columns';
import { createLogger } from '../../src/logger';
import { startTestApp, type TestApp } from '../support/test-app';
import { REFRESH_VPP, uploadDep, uploadVpp } from '../support/vpp-fixtures';
import { runScript } from './process-support';

const NEW_KEY = randomBytes(32).toString('hex');
const SCRIPT = 'scripts/rotate-secret-key.ts';
const SCRIPT_MS = 60_000;

let t: TestApp;
const apps: App[] = [];

beforeAll(async () => {
  t = await startTestApp({ simulator: true }); // the "old" instance: SECRET_KEY = t.secretKey
});
afterAll(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await t?.close();
});

/** Another instance on the same database and simulator, with its own keys. */
async function instance(keys: { SECRET_KEY: string; SECRET_KEY_PREVIOUS?: string }): Promise<App> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: t.db.url,
    BOOTSTRAP_API_KEY: t.adminKey,
    APPLE_DEP_API_URL: t.sim!.url,
    APPLE_VPP_API_URL: t.sim!.vppUrl,
    LOG_LEVEL: 'warn',
    ...keys,
  });
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const app = await startApp(config, {
    clock: t.clock,
    logger: createLogger('warn', sink),
    appleTuning: { timeoutMs: 2000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined },
    sync: { enabled: false },
  });
  apps.push(app);
  return app;
}

async function ok(app: App, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(app.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const CREATE_PROFILE = `mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { appleProfileUuid } } }`;
const createProfile = (app: App, tokenId: string) =>
  ok(app, CREATE_PROFILE, { input: { tokenId, name: `Profile ${randomUUID().slice(0, 6)}` } }).then((d) => d.createEnrollmentProfile.profile);
const refreshVpp = (app: App, vppTokenId: string) => ok(app, REFRESH_VPP, { id: vppTokenId }).then((d) => d.refreshVppTokenLicenses.vppToken);

/** Every sealed value in the database, with the context it opens under. */
async function sealedValues(): Promise<{ where: string; value: string; context: string }[]> {
  const all = [];
  for (const c of SEALED_COLUMNS) {
    const rows: { id: string; value: string }[] = await t.app.dataSource.query(`SELECT id::text AS id, ${c.column} AS value FROM ${c.table}`);
    all.push(...rows.map((r) => ({ where: `${c.table}.${c.column} ${r.id}`, value: r.value, context: c.context(r.id) })));
  }
  return all;
}

const opensUnder = (box: SecretBox) => async () =>
  (await sealedValues()).filter(({ value, context }) => {
    try {
      box.open(value, context);
      return true;
    } catch {
      return false;
    }
  }).length;

const rotationEnv = (keys: Record<string, string>) => ({ DATABASE_URL: t.db.url, ...keys });

it('lists every *_sealed column of every entity', () => {
  const columns = t.app.dataSource.entityMetadatas.flatMap((m) =>
    m.columns.filter((c) => c.databaseName.endsWith('_sealed')).map((c) => `${m.tableName}.${c.databaseName}`),
  );
  expect(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(columns.sort());
});

it('reads with the previous key, re-seals everything resumably, and the previous key can then be dropped', async () => {
  // 1. Under the old key: a DEP token (its key pair too), an unused key pair, a VPP token.
  const dep = await uploadDep(t, { name: 'Rotation DEP' });
  const spareKeyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
    .createDepTokenKeyPair.keyPair;
  const vpp = await uploadVpp(t, { name: 'Rotation VPP' });
  const total = (await sealedValues()).length;
  expect(total).toBe(4);
  const oldBox = new SecretBox(t.secretKey);
  const newBox = new SecretBox(NEW_KEY);
  expect(await opensUnder(oldBox)()).toBe(4);

  // 2. An instance with the new key and the previous one reads all three kinds of secret.
  const rotating = await instance({ SECRET_KEY: NEW_KEY, SECRET_KEY_PREVIOUS: t.secretKey });
  expect((await refreshVpp(rotating, vpp.vppToken.id)).lastRefreshError).toBeNull();
  expect((await createProfile(rotating, dep.token.id)).appleProfileUuid).toEqual(expect.any(String));
  const server = await t.simControl('POST', '/_sim/servers', { certificatePem: spareKeyPair.certificatePem, orgName: 'Example Corp', serverName: 'Rotation 2' });
  const uploaded = await ok(rotating, `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
    input: { keyPairId: spareKeyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name: 'Rotation DEP 2' },
  });
  const dep2Id: string = uploaded.uploadDepToken.token.id;
  // What it wrote is under the new key; what the old instance wrote is still under the old one.
  expect(await opensUnder(newBox)()).toBe(1);
  expect(await opensUnder(oldBox)()).toBe(4);

  // 3. The rotation, interrupted after its first row...
  const controller = new AbortController();
  const first = await rotateSealedColumns(t.app.dataSource, new SecretBox(NEW_KEY, { previous: t.secretKey }), SEALED_COLUMNS, {
    batchSize: 1,
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  expect(first.interrupted).toBe(true);
  expect(first.columns.reduce((n, c) => n + c.rotated, 0)).toBe(1);
  expect(await opensUnder(newBox)()).toBe(2);

  // ...then `npm run rotate-secret-key` finishes what is left.
  const rerun = runScript(SCRIPT, ['--batch-size', '1'], rotationEnv({ SECRET_KEY: NEW_KEY, SECRET_KEY_PREVIOUS: t.secretKey }));
  expect(await rerun.waitForExit(SCRIPT_MS)).toEqual({ code: 0, signal: null });
  expect(rerun.stdout()).toContain('dep_token_key_pairs.private_key_sealed: 1 re-sealed, 1 already under SECRET_KEY, 0 unreadable');
  expect(rerun.stdout()).toContain('dep_tokens.credentials_sealed: 1 re-sealed, 1 already under SECRET_KEY, 0 unreadable');
  expect(rerun.stdout()).toContain('vpp_tokens.token_sealed: 1 re-sealed, 0 already under SECRET_KEY, 0 unreadable');

  // 4. Everything opens under the new key alone, nothing under the old one.
  expect(await opensUnder(newBox)()).toBe(total + 1);
  expect(await opensUnder(oldBox)()).toBe(0);
  const checkNew = runScript(SCRIPT, [], rotationEnv({ SECRET_KEY: NEW_KEY }));
  expect(await checkNew.waitForExit(SCRIPT_MS)).toEqual({ code: 0, signal: null });
  expect(checkNew.stdout()).toContain('Every stored secret opens under SECRET_KEY.');
  const checkOld = runScript(SCRIPT, [], rotationEnv({ SECRET_KEY: t.secretKey }));
  expect(await checkOld.waitForExit(SCRIPT_MS)).toEqual({ code: 1, signal: null });
  expect(checkOld.stdout()).toContain('vpp_tokens.token_sealed: 0 re-sealed, 0 already under SECRET_KEY, 1 unreadable');
  expect(checkOld.stdout()).not.toContain(t.secretKey);

  // The previous key dropped: an instance with the new key only reads every secret.
  await rotating.stop();
  const rotated = await instance({ SECRET_KEY: NEW_KEY });
  expect((await refreshVpp(rotated, vpp.vppToken.id)).lastRefreshError).toBeNull();
  expect((await createProfile(rotated, dep.token.id)).appleProfileUuid).toEqual(expect.any(String));
  expect((await createProfile(rotated, dep2Id)).appleProfileUuid).toEqual(expect.any(String));
}, 240_000);
