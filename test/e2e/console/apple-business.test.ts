/**
 * The Apple Business pages against a real depgate, the Apple simulator (its School and Business
 * API shares one organisation with its DEP side) and chromium: connect an account (a key that is
 * not one refused on its field, a key Apple refuses said so, then the portal's .pem file); the
 * organisation's MDM servers with the DEP token each one is; Create MDM server at Apple, the
 * instructions for the one manual step (the .p7m download) and the Add token wizard resumed with
 * that server's key pair; two devices assigned by serial (one selected, one pasted), the activity
 * followed live from Submitted to Completed with an outcome per serial; a release only after the
 * explicit confirmation; what OPERATOR and READER are offered; disconnect; an account connected
 * with the scope tags ticked on its form.
 */
import { ManualClock } from '../../../src/clock';
import { browserDescribe, launchBrowser, type Browser } from '../../support/browser';
import { ensureConsoleBuilt } from '../../support/console-build';
import { screenshot, signIn } from '../../support/console-page';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadToken } from '../../integration/sync/sync-support';

interface Issued {
  clientId: string;
  keyId: string;
  privateKeySec1Pem: string;
}

const ACTIVITY_DELAY_MS = 10 * 60_000; // of simulator time: activities complete when the test moves the clock

let t: TestApp;
let origin: string;
let browser: Browser;
let campusTokenId: string;
let serials: string[];
let accountPath: string;
let accountId: string;

beforeAll(async () => {
  await ensureConsoleBuilt();
  t = await startTestApp({ simulator: true, sync: true, clock: new ManualClock(Date.now()) });
  origin = new URL(t.url).origin;
  // A DEP token whose MDM server the organisation already has; devices not on any server yet.
  campusTokenId = (await uploadToken(t, { name: 'Campus' })).id;
  serials = (await t.simControl<{ serialNumbers: string[] }>('POST', '/_sim/business/devices', { count: 30, orderNumber: 'PO-CONSOLE', productFamily: 'iPad', serialPrefix: 'CB' })).serialNumbers.sort();
  await t.simControl('POST', '/_sim/business/activity-delay', { ms: ACTIVITY_DELAY_MS });
  browser = await launchBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
afterEach(() => {
  const errors = browser.errors.splice(0);
  expect(errors).toEqual([]);
});

const devicesTable = () => browser.page.getByRole('table', { name: 'Organisation devices' });
const deviceRow = (serial: string) => devicesTable().getByRole('row').filter({ has: browser.page.getByRole('rowheader', { name: serial, exact: true }) });
const activityRows = () => browser.page.getByRole('table', { name: 'Device activities' }).locator('tbody > tr');

browserDescribe('the Apple Business pages', () => {
  it('connects an account: a malformed key refused on its field, a key Apple refuses said so, then the .pem file the portal downloaded', async () => {
    const { page } = browser;
    const issued = await t.simControl<Issued>('POST', '/_sim/business/clients', {});
    const other = await t.simControl<Issued>('POST', '/_sim/business/clients', {});
    await signIn(page, origin, t.adminKey);
    await page.getByRole('link', { name: 'Apple Business', exact: true }).click();
    await page.getByRole('heading', { name: 'Apple Business', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Apple Business accounts' }).getByText('No accounts connected yet.').waitFor();
    // The one step still by hand is said on the page.
    expect(await page.getByText(/server token \(\.p7m\) is still downloaded by hand/).count()).toBeGreaterThan(0);

    const connect = page.getByRole('button', { name: 'Connect account' });
    await page.getByLabel('Account name').fill('Example Corp');
    await page.getByLabel('Scope', { exact: true }).selectOption('BUSINESS');
    await page.getByLabel('Client ID').fill(issued.clientId);
    await page.getByLabel('Key ID').fill(issued.keyId);
    await page.getByLabel('Private key (PEM)').fill('not a key');
    await connect.click();
    const keyError = page.locator('#ab-key-pem-error');
    await keyError.waitFor();
    expect(await keyError.innerText()).toMatch(/privateKeyPem is not an EC PRIVATE KEY/);
    expect(await page.getByLabel('Private key (PEM)').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'apple-business-refused');

    // Another account's key: Apple answers invalid_client; nothing is stored.
    await page.getByLabel('Private key (PEM)').fill(other.privateKeySec1Pem);
    await connect.click();
    await page.getByRole('alert').filter({ hasText: /Apple refused the API account/ }).waitFor();
    expect(await page.locator('#ab-key-pem-error').count()).toBe(0);

    await page.getByLabel('Private key file (.pem)').setInputFiles({ name: 'AxM_private_key.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(issued.privateKeySec1Pem) });
    expect(await page.getByLabel('Private key (PEM)').isDisabled()).toBe(true);
    await connect.click();
    await page.getByRole('status').filter({ hasText: 'Connected Example Corp' }).waitFor();
    const row = page.getByRole('table', { name: 'Apple Business accounts' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'Example Corp' }) });
    await row.waitFor();
    expect(await row.innerText()).toContain('Apple Business Manager');
    expect(await row.innerText()).toContain(issued.clientId);
    expect(await row.innerText()).toContain('Active');
    expect((await t.ok(`{ appleBusinessAccounts { totalCount } }`)).appleBusinessAccounts.totalCount).toBe(1);
    // The form is empty again and the key is nowhere on the page.
    expect(await page.getByLabel('Private key (PEM)').inputValue()).toBe('');
    expect(await page.content()).not.toContain(issued.privateKeySec1Pem.split('\n')[1]);
  });

  it("lists the organisation's MDM servers with the DEP token each one is, and its devices once the first mirror is done", async () => {
    const { page } = browser;
    await page.getByRole('table', { name: 'Apple Business accounts' }).getByRole('link', { name: 'Example Corp' }).click();
    await page.getByRole('heading', { name: 'Example Corp', level: 1 }).waitFor();
    accountPath = new URL(page.url()).pathname;
    accountId = decodeURIComponent(accountPath.split('/').pop()!);
    const campus = page.getByRole('table', { name: 'MDM servers' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Campus' }) });
    await campus.waitFor();
    expect(await campus.getByRole('link', { name: 'Campus' }).getAttribute('href')).toBe(`/tokens/${encodeURIComponent(campusTokenId)}`);

    // The page follows the first inventory mirror and shows the devices when it is done.
    await page.getByText('30 devices').waitFor({ timeout: 30_000 });
    await deviceRow(serials[0]).waitFor();
    expect(await deviceRow(serials[0]).innerText()).toContain('PO-CONSOLE');
    expect(await deviceRow(serials[0]).innerText()).toContain('Unassigned');

    // Filters: a serial prefix that matches one device, then back.
    const prefix = page.getByLabel('Serial number prefix');
    await prefix.fill(serials[1]);
    await page.getByText('1 devices').waitFor();
    await prefix.fill('');
    await page.getByText('30 devices').waitFor();
    await screenshot(page, 'apple-business-account');
  });

  it('creates an MDM server at Apple, says the server token must be downloaded by hand, and resumes Add token with its key pair', async () => {
    const { page } = browser;
    await page.getByLabel('Server name').fill('Console fleet');
    const create = page.getByRole('button', { name: 'Create MDM server at Apple' });
    expect(await create.isDisabled()).toBe(true); // no consent yet
    await page.getByRole('checkbox', { name: 'I agree to send user and device data to Apple' }).check();
    await create.click();

    const next = page.getByRole('status').filter({ hasText: 'MDM server “Console fleet” created at Apple' });
    await next.waitFor();
    const instructions = await next.innerText();
    expect(instructions).toMatch(/done by hand/);
    expect(instructions).toMatch(/Download Token/);
    expect(instructions).toMatch(/\.p7m/);
    const fleet = page.getByRole('table', { name: 'MDM servers' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Console fleet' }) });
    await fleet.getByText('no token uploaded').waitFor();
    await screenshot(page, 'apple-business-server-created');

    // The admin downloads the token in the portal: the simulator's stand-in for that page.
    const { mdmServers } = await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { appleId name } }`, { a: accountId });
    const appleId = mdmServers.find((s: { name: string }) => s.name === 'Console fleet').appleId;
    const { tokenFile } = await t.simControl<{ tokenFile: string }>('GET', `/_sim/business/mdmServers/${appleId}/token`);

    await page.getByRole('link', { name: 'Upload the server token for Console fleet' }).click();
    await page.getByRole('heading', { name: 'Add token' }).waitFor();
    expect(new URL(page.url()).searchParams.get('keyPair')).toBeTruthy();
    expect(await page.getByRole('list', { name: 'Steps' }).locator('[aria-current="step"]').innerText()).toContain('Upload');
    expect(await page.getByRole('note').innerText()).toContain('already has its public key');
    await page.getByLabel('Token file').setInputFiles({ name: 'Console_fleet_Token.p7m', mimeType: 'application/pkcs7-mime', buffer: Buffer.from(tokenFile) });
    await page.getByLabel('Apple ID').fill('admin@example.com');
    await page.getByLabel('Name').fill('Console fleet');
    await page.getByRole('button', { name: 'Upload token' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Token added' });
    await done.waitFor();
    expect(await done.innerText()).toContain('Console fleet');

    // Back on the account, the server is that DEP token.
    await page.goto(`${origin}${accountPath}`);
    await fleet.getByRole('link', { name: 'Console fleet' }).waitFor();
  });

  it('assigns two devices by serial (one selected, one pasted) and follows the activity live to Completed with an outcome per serial', async () => {
    const { page } = browser;
    await deviceRow(serials[0]).waitFor();
    await page.getByRole('checkbox', { name: `Select ${serials[0]}` }).check();
    await page.getByLabel(/^Serial numbers \(the selected ones/).fill(serials[1]);
    await page.getByText('2 serial numbers').waitFor();
    await page.getByLabel('Target MDM server').selectOption({ label: 'Console fleet' });
    await page.getByRole('button', { name: 'Assign to server' }).click();
    await page.getByRole('status').filter({ hasText: 'Sent to Apple: Assign for 2 devices (Console fleet)' }).waitFor();

    const row = activityRows().first();
    await row.getByText('Console fleet').waitFor();
    const bar = row.getByRole('progressbar', { name: 'Assign progress' });
    expect(await bar.getAttribute('aria-valuenow')).toBeNull(); // Apple has not finished: no value yet
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/Submitted|Processing/);
    await screenshot(page, 'apple-business-activity-running');

    // Apple completes it (simulator time); depgate's next poll finds it, the page is told.
    t.clock.advance(ACTIVITY_DELAY_MS);
    await row.getByText('Completed', { exact: true }).waitFor({ timeout: 45_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    await row.getByText('2 SUCCESS').click();
    const outcomes = row.getByRole('table', { name: /^Outcomes per serial: Assign/ });
    for (const serial of serials.slice(0, 2)) {
      const outcome = outcomes.getByRole('row').filter({ has: page.getByRole('rowheader', { name: serial }) });
      expect(await outcome.innerText()).toContain('SUCCESS');
    }
    // The devices were read again after the activity: both are on the new server now.
    for (const serial of serials.slice(0, 2)) await deviceRow(serial).getByText('Console fleet').waitFor({ timeout: 15_000 });
    const onServer = await t.ok(`query ($a: ID!) { orgDevices(accountId: $a, filter: {orderNumber: "PO-CONSOLE", status: ASSIGNED}) { edges { node { serialNumber } } } }`, { a: accountId });
    expect(onServer.orgDevices.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber).sort()).toEqual(serials.slice(0, 2));
    await screenshot(page, 'apple-business-activity-done');
  });

  it('releases a device only after the explicit confirmation', async () => {
    const { page } = browser;
    await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
    const target = serials[2];
    await page.getByRole('checkbox', { name: `Select ${target}` }).check();
    const release = page.getByRole('button', { name: 'Release devices' });
    expect(await release.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'I understand that releasing these devices is permanent' }).check();
    await release.click();
    await page.getByRole('status').filter({ hasText: 'Sent to Apple: Release for 1 devices' }).waitFor();
    const row = activityRows().first();
    await row.getByText('Release', { exact: true }).waitFor();
    await row.getByText('Completed', { exact: true }).waitFor({ timeout: 45_000 });
    // Released devices leave the organisation's list.
    await page.getByText('29 devices').waitFor({ timeout: 15_000 });
    expect(await deviceRow(target).count()).toBe(0);
  });

  it('offers an OPERATOR the assignment but not connecting, creating servers or releasing; a READER only the lists', async () => {
    const { page } = browser;
    const operator = await t.createKey('OPERATOR');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, origin, operator, accountPath);
    await deviceRow(serials[3]).waitFor();
    expect(await page.getByRole('button', { name: 'Assign to server' }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: `Select ${serials[3]}` }).count()).toBe(1);
    for (const name of ['Create MDM server at Apple', 'Release devices', 'Set default server']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await page.getByRole('link', { name: 'All Apple Business accounts' }).click();
    await page.getByRole('table', { name: 'Apple Business accounts' }).getByRole('link', { name: 'Example Corp' }).waitFor();
    expect(await page.getByRole('button', { name: 'Connect account' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Disconnect Example Corp' }).count()).toBe(0);

    const reader = await t.createKey('READER');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, origin, reader, accountPath);
    await deviceRow(serials[3]).waitFor();
    await page.getByRole('table', { name: 'Device activities' }).getByText('Release', { exact: true }).waitFor();
    for (const name of ['Assign to server', 'Sync inventory now', 'Create MDM server at Apple']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByRole('checkbox', { name: `Select ${serials[3]}` }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('disconnects an account only after the confirmation', async () => {
    const { page } = browser;
    await signIn(page, origin, t.adminKey, '/apple-business');
    const disconnect = page.getByRole('button', { name: 'Disconnect Example Corp' });
    const dismissed = new Promise<string>((resolve) => page.once('dialog', (d) => (resolve(d.message()), void d.dismiss())));
    await disconnect.click();
    expect(await dismissed).toMatch(/nothing changes at Apple/);
    expect((await t.ok(`{ appleBusinessAccounts { totalCount } }`)).appleBusinessAccounts.totalCount).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await disconnect.click();
    await page.getByRole('table', { name: 'Apple Business accounts' }).getByText('No accounts connected yet.').waitFor();
    expect((await t.ok(`{ appleBusinessAccounts { totalCount } }`)).appleBusinessAccounts.totalCount).toBe(0);
  });

  it('connects an account with the scope tags ticked on the form', async () => {
    const { page } = browser;
    const issued = await t.simControl<Issued>('POST', '/_sim/business/clients', {});
    await t.ok(`mutation { createScopeTag(input: {name: "Retail"}) { scopeTag { id } } }`);
    await page.reload();
    await page.getByRole('group', { name: 'Scope tags' }).getByRole('checkbox', { name: 'Retail' }).check();
    await page.getByLabel('Account name').fill('Retail Corp');
    await page.getByLabel('Client ID').fill(issued.clientId);
    await page.getByLabel('Key ID').fill(issued.keyId);
    await page.getByLabel('Private key (PEM)').fill(issued.privateKeySec1Pem);
    await page.getByRole('button', { name: 'Connect account' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected Retail Corp' }).waitFor();
    const row = page.getByRole('table', { name: 'Apple Business accounts' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'Retail Corp' }) });
    await row.waitFor();
    expect(await row.innerText()).toContain('Retail');
    expect(await page.getByRole('checkbox', { name: 'Retail' }).isChecked()).toBe(false); // the form is empty again
    const { appleBusinessAccounts } = await t.ok(`{ appleBusinessAccounts { edges { node { name scopeTags { name } } } } }`);
    expect(appleBusinessAccounts.edges.map((e: { node: unknown }) => e.node)).toEqual([{ name: 'Retail Corp', scopeTags: [{ name: 'Retail' }] }]);
  });
});
