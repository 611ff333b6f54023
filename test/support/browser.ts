/**
 * Debian's chromium driven by playwright-core (no test tool downloads a browser): a fresh profile
 * per launch, and every console error or uncaught page error collected so a test can fail on it
 * (except Chromium's own line for a 4xx answer from /graphql: refusals the tests look at).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** CI (.ci/run installs chromium) never skips; a machine without it skips the browser tests. */
export const browserIt: jest.It = fs.existsSync(CHROMIUM) || process.env.CI ? it : it.skip;
export const browserDescribe: jest.Describe = fs.existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** console.error lines and uncaught errors of every page so far. */
  errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    acceptDownloads: options.acceptDownloads ?? true,
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const { url } = message.location();
      // Chromium logs every 4xx response as a console error; the API answers refusals (bad input,
      // a wrong key) with 4xx by design, and the tests assert on what the console shows for them.
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && new URL(url).pathname === '/graphql') return;
      errors.push(`console.error: ${message.text()} (${url})`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
