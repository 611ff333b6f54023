/**
 * depgate serves the console: `/` and client-side routes give the page to browsers (text/html),
 * other unknown paths stay JSON 404s, /graphql is the API (and GraphiQL for browsers); the first
 * load's JavaScript, as the server sends it (gzip), is at most 300 KB; nothing comes from a CDN.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { consoleDistDir } from '../../../src/http/console';
import { CONSOLE_PAGES } from '../../../src/http/console-pages';
import { ensureConsoleBuilt } from '../../support/console-build';
import { browserIt, launchBrowser } from '../../support/browser';
import { startTestApp, type TestApp } from '../../support/test-app';

const BUDGET_BYTES = 300 * 1024;
const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let t: TestApp;
let origin: string;
beforeAll(async () => {
  await ensureConsoleBuilt();
  t = await startTestApp();
  origin = new URL(t.url).origin;
}, 300_000);
afterAll(() => t?.close());

/** The bytes on the wire (no automatic decompression, unlike fetch). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      })
      .on('error', reject);
  });
}

it('gives browsers the console page at / and at client-side routes: every page of the navigation, and the paths under them', async () => {
  const pages = CONSOLE_PAGES.map(({ path }) => path);
  expect(pages).toEqual(expect.arrayContaining(['/', '/tokens', '/devices', '/profiles', '/vpp-tokens', '/alerts']));
  for (const route of [...pages, '/tokens/new', '/tokens/RGVwVG9rZW46MQ', '/devices?status=ASSIGNED', '/profiles/new']) {
    const res = await fetch(`${origin}${route}`, { headers: { accept: HTML_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="root"></div>');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html).not.toMatch(/https?:\/\//);
  }
});

it('keeps JSON 404s for other paths (browsers too), for requests that do not ask for HTML, and for non-GET requests', async () => {
  for (const [method, accept, path] of [
    ['GET', HTML_ACCEPT, '/no/such/path'],
    ['GET', HTML_ACCEPT, '/tokensx'],
    ['GET', 'application/json', '/tokens'],
    ['GET', '*/*', '/devices'],
    ['POST', HTML_ACCEPT, '/tokens'],
  ]) {
    const res = await fetch(`${origin}${path}`, { method, headers: { accept } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  }
  const missingAsset = await fetch(`${origin}/assets/missing-123.js`);
  expect(missingAsset.status).toBe(404);
  expect(missingAsset.headers.get('content-type')).toMatch(/^application\/json/);
});

it('leaves /graphql to the API and to GraphiQL', async () => {
  expect(await t.ok('{ viewer { role } }')).toEqual({ viewer: { role: 'ADMIN' } });
  const explorer = await fetch(t.url, { headers: { accept: HTML_ACCEPT } });
  expect(await explorer.text()).toContain('depgate API explorer');
});

it('looks for the build beside the nearest package.json: the checkout’s web/dist, and a release’s (build-release.sh puts dist/ and web/dist side by side)', () => {
  expect(consoleDistDir()).toBe(path.resolve(__dirname, '..', '..', '..', 'web', 'dist'));
  const release = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-release-'));
  try {
    fs.mkdirSync(path.join(release, 'dist', 'src', 'http'), { recursive: true });
    fs.writeFileSync(path.join(release, 'package.json'), '{}');
    expect(consoleDistDir(path.join(release, 'dist', 'src', 'http'))).toBe(path.join(release, 'web', 'dist'));
  } finally {
    fs.rmSync(release, { recursive: true, force: true });
  }
});

it('serves hashed assets gzip-compressed and immutable', async () => {
  const html = await (await fetch(`${origin}/`, { headers: { accept: HTML_ACCEPT } })).text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
  const res = await rawGet(`${origin}${script}`, { 'accept-encoding': 'gzip' });
  expect(res.status).toBe(200);
  expect(res.headers['content-encoding']).toBe('gzip');
  expect(res.headers['cache-control']).toMatch(/immutable/);
});

browserIt('loads in chromium within the budget: at most 300 KB of gzip JavaScript, every request to depgate', async () => {
  const browser = await launchBrowser();
  try {
    const scripts = new Set<string>();
    const elsewhere: string[] = [];
    browser.page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) elsewhere.push(request.url());
      if (request.resourceType() === 'script') scripts.add(request.url());
    });
    await browser.page.goto(`${origin}/`, { waitUntil: 'networkidle' });
    await browser.page.getByLabel('API key').waitFor();
    expect(scripts.size).toBeGreaterThan(0);
    let total = 0;
    for (const url of scripts) {
      const res = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(res.status).toBe(200);
      total += res.bytes;
    }
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(elsewhere).toEqual([]);
    expect(browser.errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
