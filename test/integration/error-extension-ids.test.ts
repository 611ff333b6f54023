/**
 * Every id an error carries in its extensions is a global id a client can load: each error that
 * names a row (TOKEN_ALREADY_REGISTERED, VPP_TOKEN_ALREADY_REGISTERED, SYNC_IN_PROGRESS) is
 * provoked through GraphQL and each id in its extensions is loaded with `node(id:)`. A source scan
 * makes sure no error with an id in its extensions is left out of this test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, MINUTE_MS } from '../../src/clock';
import { startTestApp, type TestApp } from '../support/test-app';
import { UPLOAD_VPP, uploadVpp } from '../support/vpp-fixtures';
import { SYNC, uploadToken, waitForIdle } from './sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const NODE = `query ($id: ID!) { node(id: $id) { __typename id } }`;
const UPLOAD_DEP = `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`;
const NEW_KEY_PAIR = `mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`;

/** Keys of extensions that held an id, over every error provoked below. */
const seenIdKeys = new Set<string>();

/** The refusal's extensions; each `…Id` in them must load with node(id:) as `typename`, the same id. */
async function expectLoadableIds(res: { data?: unknown; errors?: { extensions?: Record<string, any> }[] }, code: string, ids: Record<string, string>) {
  expect(res.errors).toHaveLength(1);
  const extensions = res.errors![0].extensions!;
  expect(extensions.code).toBe(code);
  const idKeys = Object.keys(extensions).filter((key) => /Ids?$/.test(key) && key !== 'requestId');
  expect(idKeys.sort()).toEqual(Object.keys(ids).sort());
  for (const key of idKeys) {
    seenIdKeys.add(key);
    const loaded = await t.ok(NODE, { id: extensions[key] });
    expect(loaded.node).toEqual({ __typename: ids[key], id: extensions[key] });
  }
  return extensions;
}

it('TOKEN_ALREADY_REGISTERED names the DEP token to renew by a global id', async () => {
  const first = await uploadToken(t, { devices: 1 });
  const keyPair = (await t.ok(NEW_KEY_PAIR)).createDepTokenKeyPair.keyPair;
  const renewed = await t.simControl('POST', `/_sim/servers/${first.serverUuid}/renew`, { certificatePem: keyPair.certificatePem });
  const res = await t.gql(UPLOAD_DEP, { input: { keyPairId: keyPair.id, tokenFile: renewed.tokenFile, appleId: 'admin@example.com' } });
  const extensions = await expectLoadableIds(res, 'TOKEN_ALREADY_REGISTERED', { tokenId: 'DepToken' });
  expect(extensions.tokenId).toBe(first.id);
  // The query the message points at (renew that token) takes the same id.
  expect((await t.ok(`query ($id: ID!) { depToken(id: $id) { id } }`, { id: extensions.tokenId })).depToken.id).toBe(first.id);
});

it('VPP_TOKEN_ALREADY_REGISTERED names the VPP token to renew by a global id', async () => {
  const { location, vppToken } = await uploadVpp(t);
  const renewed = await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/renew`, {});
  const res = await t.gql(UPLOAD_VPP, { input: { tokenFile: renewed.tokenFile } });
  const extensions = await expectLoadableIds(res, 'VPP_TOKEN_ALREADY_REGISTERED', { vppTokenId: 'VppToken' });
  expect(extensions.vppTokenId).toBe(vppToken.id);
});

it('SYNC_IN_PROGRESS names the queued or running sync run by a global id', async () => {
  const token = await uploadToken(t, { devices: 2 });
  // Apple answers the sync page slowly, so the run is still queued or running when asked again.
  await t.simControl('POST', '/_sim/faults', { delayMs: 1500, count: 1, path: '/devices/sync' });
  // Past the manual-sync limit before the run starts (advancing while it runs would pass its
  // SYNC_TIMEOUT_S deadline and the watchdog would end it): only the running sync refuses.
  t.clock.advance(20 * MINUTE_MS);
  const run = (await t.ok(SYNC, { input: { tokenId: token.id } })).syncDepToken.syncRun;
  const res = await t.gql(SYNC, { input: { tokenId: token.id } });
  const extensions = await expectLoadableIds(res, 'SYNC_IN_PROGRESS', { syncRunId: 'SyncRun' });
  expect(extensions.syncRunId).toBe(run.id);
  await waitForIdle(t, token.rowId);
  t.clock.advance(DAY_MS);
});

/** `new DomainError(...)` / `new ProfileRuleError(...)` calls in src/, with their arguments. */
function domainErrorCalls(): { file: string; call: string }[] {
  const root = join(__dirname, '../../src');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk(root);
  const calls: { file: string; call: string }[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/new (?:DomainError|ProfileRuleError)\(/g)) {
      let depth = 1;
      let i = match.index! + match[0].length;
      while (depth > 0 && i < source.length) {
        if (source[i] === '(') depth++;
        else if (source[i] === ')') depth--;
        i++;
      }
      calls.push({ file: file.slice(root.length + 1), call: source.slice(match.index!, i) });
    }
  }
  return calls;
}

it('covers every error that puts an id in its extensions (a source scan of src/)', () => {
  const idKeys = new Map<string, string>();
  for (const { file, call } of domainErrorCalls()) {
    // The extensions argument is an object literal after the message: keys like `tokenId:`.
    for (const [, key] of call.matchAll(/[{,]\s*([a-z][A-Za-z]*Ids?)\s*:/g)) idKeys.set(key, file);
  }
  expect(idKeys.size).toBeGreaterThan(0); // the scan finds the ones above, or it scans nothing
  for (const [key, file] of idKeys) {
    expect({ key, file, tested: seenIdKeys.has(key) }).toEqual({ key, file, tested: true });
  }
});
