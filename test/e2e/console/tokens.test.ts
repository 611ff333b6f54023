/**
 * The console against a real depgate, the Apple simulator and chromium: sign in and out, the role
 * and scope shown, actions a READER may not take not offered; the Add token wizard end to end (the
 * simulator issues the token for the .pem the console downloads, the console uploads the .p7m);
 * the first sync watched live to Succeeded; Sync now then disabled with its reason.
 */
import fs from 'node:fs';
import { ManualClock } from '../../../src/clock';
import { browserDescribe, launchBrowser, type Browser } from '../../support/browser';
import { ensureConsoleBuilt } from '../../support/console-build';
import { screenshot, signIn } from '../../support/console-page';
import { startTestApp, type TestApp } from '../../support/test-app';

let t: TestApp;
let origin: string;
let browser: Browser;
let serverUuid: string;
beforeAll(async () => {
  await ensureConsoleBuilt();
  // The browser counts down against its own clock: the server's starts at the real time.
  t = await startTestApp({ simulator: true, sync: true, clock: new ManualClock(Date.now()) });
  origin = new URL(t.url).origin;
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
afterEach(() => {
  // Every console error fails the test that caused it.
  const errors = browser.errors.splice(0);
  expect(errors).toEqual([]);
});

browserDescribe('the console', () => {
  it('signs in with an API key kept in sessionStorage only, shows the role and scope, and signs out', async () => {
    const { page } = browser;
    await signIn(page, origin, t.adminKey);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    for (const link of ['Tokens', 'Devices', 'Profiles', 'VPP tokens', 'Alerts']) {
      await page.getByRole('link', { name: link, exact: true }).waitFor();
    }
    expect(await page.getByTestId('role').innerText()).toBe('ADMIN');
    expect(await page.getByTestId('scope').innerText()).toBe('all tokens');
    expect(await page.evaluate("sessionStorage.getItem('depgate.apiKey')")).toBe(t.adminKey);
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(t.adminKey);
    expect(page.url()).not.toContain(t.adminKey);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('depgate.apiKey')")).toBeNull();
  });

  it('refuses a wrong key with the reason on the sign-in form', async () => {
    const { page } = browser;
    await page.goto(`${origin}/tokens`);
    await page.getByLabel('API key').fill('dg_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
  });

  it('adds a token through the wizard: the simulator issues the token for the downloaded key, the first sync is watched to Succeeded', async () => {
    const { page } = browser;
    await signIn(page, origin, t.adminKey, '/tokens');
    await page.getByRole('table', { name: 'DEP tokens' }).waitFor();
    await page.getByRole('button', { name: 'Add token' }).click();

    const consent = page.getByRole('button', { name: 'Continue' });
    expect(await consent.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'I agree to send user and device data to Apple' }).check();
    await consent.click();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download public key' }).click()]);
    const pem = fs.readFileSync((await download.path())!, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(await page.getByRole('note').innerText()).toContain('the public key must be downloaded again');
    await screenshot(page, 'add-token-key');
    // Leaving now would abandon the key pair: the console says so, and staying keeps the wizard.
    const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => (resolve(d.message()), void d.dismiss())));
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    expect(await dialog).toMatch(/must be downloaded again/);
    expect(new URL(page.url()).pathname).toBe('/tokens/new');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Apple Business Manager's part: the simulator makes an MDM server for that key, with devices.
    const server = await t.simControl<{ serverUuid: string; tokenFile: string }>('POST', '/_sim/servers', {
      certificatePem: pem,
      orgName: 'Example Corp',
      serverName: 'Console MDM',
    });
    serverUuid = server.serverUuid;
    await t.simControl('POST', `/_sim/servers/${server.serverUuid}/devices`, { count: 40 });
    await page.getByLabel('Token file').setInputFiles({ name: 'Console_MDM_Token.p7m', mimeType: 'application/pkcs7-mime', buffer: Buffer.from(server.tokenFile) });
    await page.getByLabel('Apple ID').fill('admin@example.com');
    await page.getByLabel('Name').fill('Main office');
    await page.getByRole('button', { name: 'Upload token' }).click();

    const done = page.getByRole('status').filter({ hasText: 'Token added' });
    await done.waitFor();
    expect(await done.innerText()).toContain('Example Corp');
    expect(await done.innerText()).toContain('Console MDM');
    await page.getByRole('link', { name: 'Open Main office' }).click();

    const bar = page.getByRole('progressbar', { name: 'Sync progress' });
    await bar.waitFor();
    await page.getByRole('status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    await page.getByRole('table', { name: 'Sync runs' }).getByText('Token upload').waitFor();
    await screenshot(page, 'token');
  });

  it('lists the token, and after a manual sync disables Sync now with the reason and when it is available', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Tokens', exact: true }).click();
    const row = page.getByRole('table', { name: 'DEP tokens' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'Main office' }) });
    await row.waitFor();
    expect(await row.innerText()).toContain('Example Corp');
    expect(await row.innerText()).toContain('40');
    const syncNow = row.getByRole('button', { name: 'Sync now' });
    expect(await syncNow.isEnabled()).toBe(true); // the first sync after an upload does not count
    await syncNow.click();
    // Queued or running, then done: disabled throughout, for 15 minutes after the request.
    await row.getByText(/Available in 1[45] min/).waitFor({ timeout: 30_000 });
    expect(await syncNow.isDisabled()).toBe(true);
    expect(await syncNow.getAttribute('aria-describedby')).toBeTruthy();
    await screenshot(page, 'tokens');
  });

  it('renews the token: a wrong Apple ID is refused on the page, the right one renews it', async () => {
    const { page } = browser;
    await page.getByRole('table', { name: 'DEP tokens' }).getByRole('link', { name: 'Main office' }).click();
    await page.getByRole('heading', { name: 'Renew token' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download public key' }).click()]);
    const pem = fs.readFileSync((await download.path())!, 'utf8');
    const expiry = new Date(Math.floor(Date.now() / 1000) * 1000 + 500 * 86_400_000).toISOString(); // Apple's expiry has whole seconds
    const renewed = await t.simControl<{ tokenFile: string }>('POST', `/_sim/servers/${serverUuid}/renew`, { certificatePem: pem, accessTokenExpiry: expiry });
    await page.getByLabel('Renewed token file').setInputFiles({ name: 'renewed.p7m', mimeType: 'application/pkcs7-mime', buffer: Buffer.from(renewed.tokenFile) });
    await page.getByLabel('Apple ID that created the token').fill('someone-else@example.com');
    await page.getByRole('button', { name: 'Renew token' }).click();
    await page.getByRole('alert').filter({ hasText: /Apple ID/i }).waitFor();
    await page.getByLabel('Apple ID that created the token').fill('admin@example.com');
    await page.getByRole('button', { name: 'Renew token' }).click();
    await page.getByRole('status').filter({ hasText: 'Renewed' }).waitFor();
    const { depToken } = await t.ok(`query ($id: ID!) { depToken(id: $id) { expiresAt renewedAt } }`, { id: decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!) });
    expect(depToken.renewedAt).toBeTruthy();
    expect(new Date(depToken.expiresAt).getTime()).toBe(new Date(expiry).getTime());
  });

  it('offers a READER neither Sync now nor Add token', async () => {
    const reader = await t.createKey('READER');
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, origin, reader, '/tokens');
    await page.getByRole('table', { name: 'DEP tokens' }).getByRole('link', { name: 'Main office' }).waitFor();
    expect(await page.getByTestId('role').innerText()).toBe('READER');
    expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add token' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });
});
