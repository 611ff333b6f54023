/**
 * Every console page in chromium: no serious or critical accessibility violation (axe-core,
 * injected from its npm package), usable on a phone-sized screen (no sideways page scroll: wide
 * tables scroll in their own box), keyboard operable (sign in and navigate without a mouse), no
 * console errors; screenshots of each page at desktop and phone size for review.
 */
import { ManualClock } from '../../../src/clock';
import { browserDescribe, launchBrowser, type Browser } from '../../support/browser';
import { ensureConsoleBuilt } from '../../support/console-build';
import { screenshot, signIn } from '../../support/console-page';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadToken } from '../../integration/sync/sync-support';
import { issueLocation } from '../../support/vpp-fixtures';

let t: TestApp;
let origin: string;
let browser: Browser;
let pages: [string, string][];

beforeAll(async () => {
  await ensureConsoleBuilt();
  t = await startTestApp({ simulator: true, sync: true, clock: new ManualClock(Date.now()) });
  origin = new URL(t.url).origin;
  const tokenId = (await uploadToken(t, { devices: 12, name: 'Campus' })).id;
  const profile = (
    await t.ok(`mutation ($input: CreateEnrollmentProfileInput!) { createEnrollmentProfile(input: $input) { profile { id } } }`, {
      input: { tokenId, name: 'Shared iPads', supervised: true, lockedEnrollment: true },
    })
  ).createEnrollmentProfile.profile;
  const location = await issueLocation(t, { total: 100, assigned: 95, locationName: 'HQ' });
  await t.ok(`mutation ($input: UploadVppTokenInput!) { uploadVppToken(input: $input) { vppToken { id } } }`, { input: { tokenFile: location.tokenFile, name: 'HQ apps' } });
  // An Apple Business account with devices, its servers (Campus) and an activity Apple has not finished (the clock stands still).
  const orgSerials = (await t.simControl('POST', '/_sim/business/devices', { count: 8, orderNumber: 'PO-Q', productFamily: 'iPhone' })).serialNumbers;
  const issued = await t.simControl('POST', '/_sim/business/clients', {});
  const account = (
    await t.ok(`mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id } } }`, {
      input: { name: 'Example Corp', clientId: issued.clientId, keyId: issued.keyId, privateKeyPem: issued.privateKeySec1Pem, scope: 'BUSINESS' },
    })
  ).connectAppleBusinessAccount.appleBusinessAccount;
  const campus = (await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id name } }`, { a: account.id })).mdmServers.find((s: { name: string }) => s.name === 'Campus');
  await t.ok(`mutation ($input: AssignDevicesToMdmServerInput!) { assignDevicesToMdmServer(input: $input) { orgDeviceActivity { id } } }`, {
    input: { mdmServerId: campus.id, serialNumbers: orgSerials.slice(0, 2) },
  });
  pages = [
    ['overview', '/'],
    ['tokens', '/tokens'],
    ['token', `/tokens/${encodeURIComponent(tokenId)}`],
    ['add-token', '/tokens/new'],
    ['devices', '/devices'],
    ['profiles', '/profiles'],
    ['profile-new', '/profiles/new'],
    ['profile-edit', `/profiles/${encodeURIComponent(profile.id)}`],
    ['vpp-tokens', '/vpp-tokens'],
    ['alerts', '/alerts'],
    ['apple-business', '/apple-business'],
    ['apple-business-account', `/apple-business/${encodeURIComponent(account.id)}`],
  ];
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
afterEach(() => expect(browser.errors.splice(0)).toEqual([]));

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(): Promise<string[]> {
  const { page } = browser;
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const { violations, passes } = (await page.evaluate('axe.run(document).then((r) => ({ violations: r.violations, passes: r.passes.length }))')) as {
    violations: AxeViolation[];
    passes: number;
  };
  expect(passes).toBeGreaterThan(10); // axe really checked the page
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function open(route: string): Promise<void> {
  await browser.page.goto(`${origin}${route}`);
  await browser.page.getByRole('heading', { level: 1 }).first().waitFor();
  await browser.page.waitForLoadState('networkidle');
}

browserDescribe('console quality', () => {
  it('is operable with the keyboard alone: sign in, then navigate', async () => {
    const { page } = browser;
    await page.goto(`${origin}/`);
    // The page renders after its script runs: Tab only once the sign-in form is there.
    await page.getByLabel('API key').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('api-key');
    await page.keyboard.type(t.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Tab to the Devices link and follow it.
    for (let i = 0; i < 20 && (await page.evaluate('document.activeElement.textContent')) !== 'Devices'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    // The first row's checkbox is reachable and toggles with Space.
    const checkbox = page.getByRole('table', { name: 'Devices' }).getByRole('checkbox').nth(1);
    await checkbox.focus();
    await page.keyboard.press('Space');
    expect(await checkbox.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).press('Enter');
    await page.getByLabel('API key').waitFor();
  });

  it('has no serious or critical accessibility violation on any page (axe-core), and saves a screenshot of each', async () => {
    await signIn(browser.page, origin, t.adminKey);
    const found: string[] = [];
    for (const [name, route] of pages) {
      await open(route);
      found.push(...(await seriousViolations()).map((v) => `${route}: ${v}`));
      await screenshot(browser.page, `desktop-${name}`);
    }
    expect(found).toEqual([]);
  });

  it('fits a phone-sized screen: no page scrolls sideways', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    for (const [name, route] of pages) {
      await open(route);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      if (overflow > 1) wide.push(`${route}: ${overflow}px too wide`);
      await screenshot(page, `phone-${name}`);
    }
    expect(wide).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
