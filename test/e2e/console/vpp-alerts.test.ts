/**
 * VPP tokens and live alerts in chromium: a VPP token uploaded through the console shows its
 * licences as a bar; its licences drop in the simulator, the scheduled licence refresh reads them,
 * and the alert appears in the Alerts panel (and the header badge) without a reload; acknowledge.
 */
import { ManualClock } from '../../../src/clock';
import { browserDescribe, launchBrowser, type Browser } from '../../support/browser';
import { ensureConsoleBuilt } from '../../support/console-build';
import { screenshot, signIn } from '../../support/console-page';
import { startTestApp, type TestApp } from '../../support/test-app';
import { issueLocation, setLicences, REFRESH_VPP } from '../../support/vpp-fixtures';

let t: TestApp;
let origin: string;
let browser: Browser;
beforeAll(async () => {
  await ensureConsoleBuilt();
  t = await startTestApp({ simulator: true, clock: new ManualClock(Date.now()) });
  origin = new URL(t.url).origin;
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
afterEach(() => expect(browser.errors.splice(0)).toEqual([]));

browserDescribe('VPP tokens and alerts', () => {
  let vppTokenId: string;
  let uId: string;

  it('uploads a VPP token and shows its licences as a bar', async () => {
    const { page } = browser;
    const location = await issueLocation(t, { total: 100, assigned: 40, locationName: 'HQ' });
    uId = location.uId;
    await signIn(page, origin, t.adminKey, '/vpp-tokens');
    await page.getByLabel('VPP token file').setInputFiles({ name: 'hq.vpptoken', mimeType: 'text/plain', buffer: Buffer.from(location.tokenFile) });
    await page.getByLabel('VPP token name').fill('HQ apps');
    await page.getByRole('button', { name: 'Upload VPP token' }).click();
    const row = page.getByRole('table', { name: 'VPP tokens' }).getByRole('row').filter({ hasText: 'HQ apps' });
    await row.getByRole('img', { name: 'Licences: 40 of 100 assigned, 60 available' }).waitFor();
    expect(await row.innerText()).toContain('HQ');
    await screenshot(page, 'vpp-tokens');
    const data = await t.ok(`{ vppTokens(first: 10) { edges { node { id name } } } }`);
    vppTokenId = data.vppTokens.edges.find((e: any) => e.node.name === 'HQ apps').node.id;
  });

  it('shows the licences-low alert in the Alerts panel without a reload, with the header badge, and acknowledges it', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Alerts' });
    await panel.getByText('No active alerts.').waitFor();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));

    await setLicences(t, uId, 100, 97);
    await t.ok(REFRESH_VPP, { id: vppTokenId }); // what the scheduled refresh does
    const item = panel.getByRole('listitem').filter({ hasText: 'HQ apps' });
    await item.waitFor({ timeout: 15_000 });
    expect(await item.innerText()).toMatch(/licen/i);
    await page.getByRole('status', { name: '1 active alert' }).waitFor();
    expect(navigations).toEqual([]);
    await screenshot(page, 'alerts');

    await item.getByRole('button', { name: /^Acknowledge/ }).click();
    await item.getByText(/acknowledged by/).waitFor();
  });
});
