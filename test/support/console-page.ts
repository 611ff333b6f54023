/**
 * Console test helpers: sign in through the form, and save a page's screenshot for review under
 * the ignored test-results/console/. (A token with devices to show: the sync tests' uploadToken.)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

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
