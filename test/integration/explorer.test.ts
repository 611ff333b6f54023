/**
 * The API explorer (GET /graphql from a browser): GraphiQL bundled from npm and served by depgate
 * itself, with an API key field that fills the Authorization header; off in production unless
 * GRAPHQL_EXPLORER=true. When Debian's chromium is installed the page is also loaded in it, and
 * every request the page makes must go to depgate.
 */
import { browserIt, launchBrowser } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';

const CDN = /unpkg\.com|jsdelivr|cdnjs|esm\.sh|skypack|googleapis|gstatic/i;

let dev: TestApp;
let production: TestApp;
beforeAll(async () => {
  [dev, production] = await Promise.all([startTestApp(), startTestApp({ env: { NODE_ENV: 'production' } })]);
});
afterAll(() => Promise.all([dev?.close(), production?.close()]));

const base = (t: TestApp) => t.url.replace(/\/graphql$/, '');
const browserGet = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });

describe('with the explorer on (the default outside production)', () => {
  it('answers a browser’s GET /graphql with the explorer page, which names no other host', async () => {
    const res = await browserGet(dev.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<input id="api-key"');
    expect(html).toContain('<script src="/explorer/graphiql.js">');
    expect(html).toContain('<link rel="stylesheet" href="/explorer/graphiql.css">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain(dev.adminKey);
  });

  it('serves GraphiQL, React and graphql-ws as one local script and stylesheet that load nothing from elsewhere', async () => {
    const [js, css] = await Promise.all([fetch(`${base(dev)}/explorer/graphiql.js`), fetch(`${base(dev)}/explorer/graphiql.css`)]);
    expect([js.status, css.status]).toEqual([200, 200]);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const [script, styles] = await Promise.all([js.text(), css.text()]);
    expect(script.length).toBeGreaterThan(500_000); // the real GraphiQL, not a loader
    expect(script).toContain('graphql-transport-ws'); // subscriptions over graphql-ws
    expect(script).not.toMatch(CDN);
    expect(script).not.toMatch(/import\(\s*["'`]https?:/);
    expect(styles).toContain('.graphiql-container');
    expect(styles).not.toMatch(/@import/);
    expect(styles.match(/url\((?!\s*["']?data:)[^)]*\)/g) ?? []).toEqual([]); // fonts are inlined
  });

  it('leaves GraphQL GETs and JSON clients to the API', async () => {
    const query = await fetch(`${dev.url}?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: { authorization: `Bearer ${dev.adminKey}`, accept: 'text/html,*/*' } });
    expect(await query.json()).toEqual({ data: { viewer: { role: 'ADMIN' } } });
    const json = await fetch(dev.url, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('is same origin only without CORS_ORIGINS: no Access-Control-Allow-Origin for any origin', async () => {
    const res = await fetch(dev.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  browserIt('works in chromium: every request goes to depgate, and the key field fills the Authorization header', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const requests: { url: string; method: string; authorization?: string }[] = [];
      page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), authorization: request.headers().authorization }));
      await page.goto(dev.url, { waitUntil: 'load' });
      await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
      await page.fill('#api-key', dev.adminKey);
      await page.dispatchEvent('#api-key', 'change');
      // GraphiQL introspects the schema with the key as soon as it has one.
      await page.waitForResponse((res) => res.status() === 200 &&  res.request().method() === 'POST' && res.request().headers().authorization === `Bearer ${dev.adminKey}`, { timeout: 30_000 });
      expect(requests.some((r) => r.method === 'POST' && r.url === dev.url && r.authorization === `Bearer ${dev.adminKey}`)).toBe(true);
      // Uncaught page errors only: Chromium's own request for /favicon.ico (the explorer page names
      // none) gets the JSON 404 and logs a console error.
      expect(browser.errors.filter((e) => e.startsWith('page error:'))).toEqual([]);
      // The header editor shows the Authorization header the field filled in.
      expect(await page.innerText('body')).toContain('Authorization');
      const origin = new URL(dev.url).origin;
      expect(requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('data:')).map((r) => r.url)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('in production', () => {
  it('is off by default: a browser gets no page and the assets are not served', async () => {
    const page = await browserGet(production.url);
    expect(await page.text()).not.toContain('<html');
    const asset = await fetch(`${base(production)}/explorer/graphiql.js`);
    expect(asset.status).toBe(404);
    expect(((await asset.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
