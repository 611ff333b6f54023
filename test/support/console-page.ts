/**
 * Console test helpers: sign in through the form, and save a page's screenshot for review under
 * the ignored test-results/console/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApp } from './test-app';

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'console');

export async function signIn(page: Page, origin: string, key: string, route = '/'): Promise<void> {
  await page.goto(`${origin}${route}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A DEP token through the API (key pair, simulator server with `count` devices, upload), synced. */
export async function uploadTokenWithDevices(t: TestApp, count: number, name = 'Campus'): Promise<string> {
  const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`)).createDepTokenKeyPair.keyPair;
  const server = await t.simControl<{ serverUuid: string; tokenFile: string }>('POST', '/_sim/servers', { certificatePem: keyPair.certificatePem, orgName: 'Example Corp', serverName: `${name} MDM` });
  await t.simControl('POST', `/_sim/servers/${server.serverUuid}/devices`, { count, serialPrefix: 'CONS' });
  const token = (
    await t.ok(`mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
      input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name },
    })
  ).uploadDepToken.token;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { depToken } = await t.ok(`query ($id: ID!) { depToken(id: $id) { activeSyncRun { id } syncedDeviceCount } }`, { id: token.id });
    if (!depToken.activeSyncRun && depToken.syncedDeviceCount === count) return token.id;
    if (Date.now() > deadline) throw new Error('the first sync did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
}
