/**
 * Without WEBHOOK_ALLOW_PRIVATE_NETWORKS, webhook URLs must be https to public addresses: loopback,
 * link-local (cloud metadata), private and unique-local addresses are refused with a typed code,
 * by literal address and by name, on create and on update, and nothing is stored or changed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from '../../../src/webhooks/webhook-sender';
import { startTestApp, type TestApp } from '../../support/test-app';

const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const count = async () => (await t.app.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`))[0].n;

it.each([
  ['loopback', 'https://127.0.0.1/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['loopback by name', 'https://localhost:8443/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['IPv6 loopback', 'https://[::1]/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['link-local (cloud metadata)', 'https://169.254.169.254/latest/meta-data', 'WEBHOOK_URL_FORBIDDEN'],
  ['private 10/8', 'https://10.1.2.3/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['private 192.168/16', 'https://192.168.0.10/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['unique-local IPv6', 'https://[fd00::1]/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['the unspecified address', 'https://0.0.0.0/hooks', 'WEBHOOK_URL_FORBIDDEN'],
  ['plain http', 'http://93.184.215.14/hooks', 'WEBHOOK_URL_INVALID'],
  ['a name that does not resolve', 'https://no-such-host.invalid/hooks', 'WEBHOOK_URL_INVALID'],
])('refuses %s and stores nothing', async (_what, url, code) => {
  const res = await t.gql(CREATE, { input: { url, events: ['DEVICES_ADDED'] } });
  expect(res.errors?.[0].extensions).toMatchObject({ code, field: 'url' });
  expect(await count()).toBe(0);
});

it('accepts a public https address, and refuses moving it to a private one', async () => {
  const created = await t.ok(CREATE, { input: { url: 'https://93.184.215.14/hooks', events: ['DEVICES_ADDED'], secret: 'a-secret-of-enough-length' } });
  const id = created.createWebhook.webhook.id;
  const res = await t.gql(`mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { url } } }`, {
    input: { webhookId: id, url: 'https://127.0.0.1/hooks' },
  });
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', field: 'url' });
  const [row] = await t.app.dataSource.query(`SELECT url FROM webhooks`);
  expect(row.url).toBe('https://93.184.215.14/hooks');
});

it('refuses, at connection time, a host that resolves to a private address (DNS rebinding)', async () => {
  const server = http.createServer((_req, res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const refused = await sendWebhook(`http://localhost:${port}/`, 's', '{}', 1, { allowPrivateNetworks: false, timeoutMs: 2000 });
    expect(refused).toEqual({ ok: false, status: null, error: 'EADDRNOTPUBLIC' });
    const allowed = await sendWebhook(`http://localhost:${port}/`, 's', '{}', 1, { allowPrivateNetworks: true, timeoutMs: 2000 });
    expect(allowed).toEqual({ ok: true, status: 200, error: null });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
