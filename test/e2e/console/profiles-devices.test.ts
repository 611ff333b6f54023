/**
 * Profiles and devices in chromium: the profile wizard refuses locked enrollment without
 * supervision with the error on the field (from extensions.violations), then creates a valid
 * profile; the Devices table pages both ways and sorts; three selected devices get the profile,
 * with a result per serial, and the overview counts devices per profile status as the API does.
 */
import { ManualClock } from '../../../src/clock';
import { browserDescribe, launchBrowser, type Browser } from '../../support/browser';
import { ensureConsoleBuilt } from '../../support/console-build';
import { screenshot, signIn } from '../../support/console-page';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadToken } from '../../integration/sync/sync-support';

let t: TestApp;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  t = await startTestApp({ simulator: true, sync: true, clock: new ManualClock(Date.now()) });
  origin = new URL(t.url).origin;
  await uploadToken(t, { devices: 30, name: 'Campus' });
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
afterEach(() => expect(browser.errors.splice(0)).toEqual([]));

browserDescribe('profiles and devices', () => {
  it('refuses locked enrollment without supervision on the field, then creates a valid profile', async () => {
    const { page } = browser;
    await signIn(page, origin, t.adminKey, '/profiles');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByLabel('DEP token').selectOption({ label: 'Campus' });
    await page.getByLabel('Profile name').fill('Locked iPads');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: 'Supervised' }).uncheck();
    await page.getByRole('checkbox', { name: 'Locked enrollment' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    // The pane catalogue, as show/hide toggles.
    const siri = page.getByRole('switch', { name: /^Siri/ });
    await siri.uncheck();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    // Back on the settings step, the refusal under the field it concerns.
    const fieldError = page.locator('#p-locked-error');
    await fieldError.waitFor();
    expect(await fieldError.innerText()).toMatch(/requires a supervised profile/);
    expect(await page.getByRole('checkbox', { name: 'Locked enrollment' }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'profile-refused');

    await page.getByRole('checkbox', { name: 'Supervised' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Locked iPads' }).waitFor();
    expect(page.url()).toMatch(/\/profiles\/[^/]+$/);
    const saved = await t.ok(`{ depTokens(first: 5) { edges { node { profiles(first: 5) { edges { node { name supervised lockedEnrollment hiddenSetupPanes } } } } } } }`);
    expect(saved.depTokens.edges[0].node.profiles.edges.map((e: any) => e.node)).toEqual([
      { name: 'Locked iPads', supervised: true, lockedEnrollment: true, hiddenSetupPanes: ['SIRI'] },
    ]);

    await page.getByRole('button', { name: 'Set as default' }).click();
    await page.getByText('Default for Campus').waitFor();
    await screenshot(page, 'profile');
  });

  it('pages the Devices table both ways and sorts it', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    const table = page.getByRole('table', { name: 'Devices' });
    await page.getByText('30 devices').waitFor();
    const firstSerial = () => table.getByRole('rowheader').first().innerText();
    const first = await firstSerial();
    expect(await table.getByRole('rowheader').count()).toBe(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction("document.querySelectorAll('table[aria-label=\"Devices\"] tbody th').length === 5");
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.waitForFunction("document.querySelectorAll('table[aria-label=\"Devices\"] tbody th').length === 25");
    expect(await firstSerial()).toBe(first);
    await table.getByRole('button', { name: /^Serial number/ }).click();
    await page.waitForFunction(`document.querySelector('table[aria-label="Devices"] tbody th')?.textContent !== ${JSON.stringify(first)}`);
    expect(await table.getByRole('columnheader', { name: /^Serial number/ }).getAttribute('aria-sort')).toBe('descending');
  });

  it('assigns the profile to three selected devices and shows each result', async () => {
    const { page } = browser;
    const assign = page.getByRole('button', { name: 'Assign profile' });
    expect(await assign.isDisabled()).toBe(true); // nothing selected
    const table = page.getByRole('table', { name: 'Devices' });
    const serials = await table.getByRole('rowheader').evaluateAll((cells) => cells.slice(0, 3).map((c) => c.textContent ?? ''));
    for (const serial of serials) await table.getByRole('checkbox', { name: `Select ${serial}` }).check();
    await page.getByLabel('Profile to assign').selectOption({ label: 'Locked iPads (Campus)' });
    expect(await assign.isEnabled()).toBe(true);
    await assign.click();
    const results = page.getByRole('table', { name: 'Assignment results' });
    await results.waitFor();
    for (const serial of serials) {
      expect(await results.getByRole('row').filter({ hasText: serial }).innerText()).toContain('Assigned');
    }
    expect(await results.getByRole('rowheader').count()).toBe(3);
    await page.getByRole('row').filter({ hasText: serials[0] }).filter({ hasText: 'Locked iPads' }).first().waitFor();
    await screenshot(page, 'devices');
  });

  it('counts the devices per profile status on the overview as the API does', async () => {
    const { page } = browser;
    const count = async (status: string) => (await t.ok(`query ($s: DeviceProfileStatus!) { devices(filter: { profileStatus: $s }) { totalCount } }`, { s: status })).devices.totalCount;
    const [empty, assigned, pushed, removed] = await Promise.all(['EMPTY', 'ASSIGNED', 'PUSHED', 'REMOVED'].map(count));
    expect(assigned).toBeGreaterThanOrEqual(3);
    expect(empty + assigned + pushed + removed).toBe(30);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('img', { name: `Devices per profile status: No profile ${empty}, Assigned ${assigned}, Pushed ${pushed}, Removed ${removed}` }).waitFor();
  });
});
