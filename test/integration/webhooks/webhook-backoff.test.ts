/**
 * Backoff holds while a token keeps producing events. The drain key has one waiting job, whichever
 * was sent first: an event arriving while an attempt is in flight queues a wake, and the retry the
 * failing attempt then schedules coalesces into it. That wake must not attempt the failed delivery
 * before its backoff ends; the events behind it wait, then arrive in order. A long
 * WEBHOOK_RETRY_BASE_MS makes an early attempt visible; the receiver holds the failing answer
 * until the next sync's events are queued.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../support/test-app';
import { allowImmediateSync, requestSync, until, uploadToken, waitForIdle, waitForRun, type SyncedToken } from '../sync/sync-support';

const BACKOFF_MS = 4000;
interface Attempt {
  event: string;
  deliveryId: string;
  at: number;
  status: number;
}
const attempts: Attempt[] = [];
let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));
let failed = false;

// The first SYNC_RUN_FINISHED is held until released, then answered 500; everything else 200.
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const fail = json.event === 'SYNC_RUN_FINISHED' && !failed;
    if (fail) {
      failed = true;
      await released;
    }
    const status = fail ? 500 : 200;
    attempts.push({ event: json.event, deliveryId: json.deliveryId, at: Date.now(), status });
    res.writeHead(status).end();
  });
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    simulator: true,
    sync: true,
    env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: String(BACKOFF_MS), WEBHOOK_RETRY_MAX_MS: String(BACKOFF_MS) },
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  release();
  await t.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

async function syncAgain(token: SyncedToken): Promise<void> {
  await waitForIdle(t, token.rowId);
  await allowImmediateSync(t, token.rowId);
  await waitForRun(t, await requestSync(t, token));
}

it('does not attempt a failed delivery before its backoff ends when newer events of the token wake the queue', async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  await t.ok(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
    input: { url, events: ['DEVICES_MODIFIED', 'SYNC_RUN_FINISHED'], secret: 'test-secret-0123456789' },
  });
  const token = await uploadToken(t, { devices: 2, name: 'Backoff fleet' });
  await until(() => failed, 'the first SYNC_RUN_FINISHED in flight');

  // While that attempt is in flight, a sync with a change queues events behind it (and a wake).
  await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: [token.serials[0]], changes: { color: 'RED' } });
  await syncAgain(token);
  await new Promise((r) => setTimeout(r, 300));
  release();

  await until(() => attempts.filter((x) => x.event === 'SYNC_RUN_FINISHED' && x.status === 200).length === 2, 'the retry and the events behind it', 30_000);
  const [first, retry] = attempts.filter((x) => x.event === 'SYNC_RUN_FINISHED' && x.deliveryId === attempts.find((a) => a.status === 500)!.deliveryId);
  expect([first.status, retry.status]).toEqual([500, 200]);
  // Not before the backoff (a little slack for timers and polling).
  expect(retry.at - first.at).toBeGreaterThanOrEqual(BACKOFF_MS - 250);
  // Nothing of the token went out between the failure and its retry; the rest followed in order.
  expect(attempts.slice(attempts.indexOf(first)).map((x) => `${x.event}:${x.status}`)).toEqual([
    'SYNC_RUN_FINISHED:500',
    'SYNC_RUN_FINISHED:200',
    'DEVICES_MODIFIED:200',
    'SYNC_RUN_FINISHED:200',
  ]);
});
