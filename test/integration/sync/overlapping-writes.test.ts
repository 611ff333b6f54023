/**
 * A full fetch writes page N+1 while page N's statement runs (commits-in-order.ts), and still
 * commits pages, cursors and counters in Apple's order: held here by a real lock, not by timing.
 * The first page's statement is stopped inside PostgreSQL (a trigger on the first device of Apple's
 * first page waits on an advisory lock the test holds) until the second page has written its
 * devices and waits for its turn;
 * then the first page either finishes (everything lands, in order) or fails (the second page,
 * already written, rolls back with it, and no cursor moves past what committed).
 */
import type { QueryRunner } from 'typeorm';
import { startTestApp, type TestApp } from '../../support/test-app';
import { WebhookReceiver } from '../../support/webhook-receiver';
import { allowImmediateSync, appleSerials, defaultProfileAtApple, lastRun, liveSerials, requestSync, tokenRow, until, uploadToken, waitForIdle, waitForRun } from './sync-support';

/** Held by the test while the first page's statement must wait. */
const LATCH = 73_400_042;

let t: TestApp;
let latch: QueryRunner;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  // Apple's failures below are final at once: one retry, no real waits.
  t = await startTestApp({
    simulator: true,
    sync: true,
    env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
    appleTuning: { timeoutMs: 10_000, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined },
  });
  await t.app.dataSource.query(`CREATE TABLE overlap_fail (reason text)`);
  // The serial the trigger stops on: a device of Apple's first page, so the second page never waits
  // on it, whichever of the two reaches PostgreSQL first (under load, either can).
  await t.app.dataSource.query(`CREATE TABLE overlap_held (serial_number text)`);
  await t.app.dataSource.query(`
    CREATE FUNCTION overlap_latch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM overlap_held WHERE serial_number = NEW.serial_number) THEN
        PERFORM pg_advisory_lock_shared(${LATCH});
        PERFORM pg_advisory_unlock_shared(${LATCH});
        IF EXISTS (SELECT 1 FROM overlap_fail) THEN RAISE EXCEPTION 'the first page failed (test)'; END IF;
      END IF;
      RETURN NEW;
    END $$`);
  latch = t.app.dataSource.createQueryRunner();
  await latch.connect();
  await receiver.start();
});
afterAll(async () => {
  await t.simControl('DELETE', '/_sim/faults');
  await latch.release();
  await t.close();
  await receiver.stop();
});

beforeEach(async () => {
  await t.app.dataSource.query(`DELETE FROM overlap_fail`);
  await t.app.dataSource.query(`DELETE FROM overlap_held`);
  await t.app.dataSource.query(`CREATE TRIGGER overlap_latch BEFORE INSERT ON devices FOR EACH ROW EXECUTE FUNCTION overlap_latch()`);
  await latch.query(`SELECT pg_advisory_lock(${LATCH})`);
});
afterEach(async () => {
  await latch.query(`SELECT pg_advisory_unlock_all()`);
  await t.app.dataSource.query(`DROP TRIGGER IF EXISTS overlap_latch ON devices`);
});

/** Holds the first page of the token about to be uploaded: its first device in Apple's order. */
const holdFirstPage = async (serials: string[]): Promise<void> => {
  await t.app.dataSource.query(`INSERT INTO overlap_held VALUES ($1)`, [serials[0]]);
};

/**
 * Waits until the first page's transaction is stopped on the latch while another has written
 * devices and sits idle in its transaction (its turn has not come): the two pages' writes overlap.
 * Both counts are of this database's backends only: other suites' databases share the server.
 */
async function secondPageWaitsForTheFirst(): Promise<void> {
  await until(async () => {
    const [row] = await t.app.dataSource.query(
      `WITH here AS (SELECT oid FROM pg_database WHERE datname = current_database())
       SELECT
         (SELECT count(*)::int FROM pg_locks l, here
            WHERE l.locktype = 'advisory' AND l.database = here.oid AND l.objid = ${LATCH} AND NOT l.granted) AS stopped,
         (SELECT count(DISTINCT l.pid)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid, here
            WHERE l.database = here.oid AND l.relation = 'devices'::regclass AND l.mode = 'RowExclusiveLock'
              AND a.state = 'idle in transaction') AS waiting`,
    );
    return row.stopped === 1 && row.waiting === 1;
  }, 'the second page to be written while the first page waits');
}

const PAGE_EVENTS = `subscription ($tokenId: ID!) { syncRunProgress(tokenId: $tokenId) { status pagesFetched devicesAdded progress } }`;

it('the second page is written before the first commits, and pages, counters and progress still come in order', async () => {
  const token = await uploadToken(t, { devices: 3500, waitFirstSync: false, beforeUpload: holdFirstPage });
  await secondPageWaitsForTheFirst();
  // A dashboard opened now: the run as it stands (no page yet), then one event per page.
  const events: any[] = [];
  const stop = t.ws().subscribe(
    { query: PAGE_EVENTS, variables: { tokenId: token.id } },
    { next: (r: any) => events.push(r.errors ?? r.data.syncRunProgress), error: (e) => events.push(e), complete: () => undefined },
  );
  await until(() => events.length > 0, 'the running run');
  // Nothing of either page is visible yet: no page has committed.
  expect(await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1`, [token.rowId])).toEqual([{ n: 0 }]);
  expect((await tokenRow(t, token.rowId)).fetch_cursor).toBeNull();

  await latch.query(`SELECT pg_advisory_unlock(${LATCH})`);
  const run = await waitForIdle(t, token.rowId);
  // Four pages of the fetch (1,000 a page) and the sync's one page after it.
  expect(run).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', pages_fetched: 5, devices_added: 3500, devices_deleted: 0 });
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));

  // One progress event per page, in page order: each counts one more page than the last.
  await until(() => events.some((e) => e.status === 'SUCCEEDED'), `the final event (got ${JSON.stringify(events)})`);
  expect(events[0]).toMatchObject({ status: 'RUNNING', pagesFetched: 0 });
  const running = events.filter((p) => p.status === 'RUNNING' && p.pagesFetched > 0).map((p) => [p.pagesFetched, p.devicesAdded]);
  // The fetch's end (the sweep) announces the run too, with the fourth page's counts.
  const pages = running.filter((p, i) => i === 0 || p.join() !== running[i - 1]!.join());
  expect(pages).toEqual([
    [1, 1000],
    [2, 2000],
    [3, 3000],
    [4, 3500],
    [5, 3500], // the sync's page after the fetch: no change since
  ]);
  stop();
});

it('a first page that fails rolls back the second page written behind it, and the next sync gets every device', async () => {
  const token = await uploadToken(t, { devices: 2500, waitFirstSync: false, beforeUpload: holdFirstPage });
  await secondPageWaitsForTheFirst();
  await t.app.dataSource.query(`INSERT INTO overlap_fail VALUES ('fail the first page')`);
  await latch.query(`SELECT pg_advisory_unlock(${LATCH})`);

  const failed = await waitForIdle(t, token.rowId);
  expect(failed).toMatchObject({ status: 'FAILED', pages_fetched: 0, devices_added: 0 });
  // The second page had written its devices: they went with the first page's failure.
  expect(await t.app.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1`, [token.rowId])).toEqual([{ n: 0 }]);
  expect((await tokenRow(t, token.rowId)).fetch_cursor).toBeNull();

  await t.app.dataSource.query(`DROP TRIGGER overlap_latch ON devices`);
  await allowImmediateSync(t, token.rowId);
  const next = await waitForRun(t, await requestSync(t, token, true));
  // Three fetch pages and the sync's one.
  expect(next).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', pages_fetched: 4, devices_added: 2500 });
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
  expect((await lastRun(t, token.rowId)).id).toBe(next.id);
});

it('devices of overlapping pages all get the default profile, each sent to Apple once', async () => {
  await latch.query(`SELECT pg_advisory_unlock(${LATCH})`); // no page is held here
  const token = await uploadToken(t, { devices: 1 });
  const { appleUuid: profileUuid } = await defaultProfileAtApple(t, token.rowId);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 5499 });
  await t.simControl('DELETE', '/_sim/requests');

  await allowImmediateSync(t, token.rowId);
  const run = await waitForRun(t, await requestSync(t, token, true));
  // Every device, the first included: it had no profile yet.
  expect(run).toMatchObject({ status: 'SUCCEEDED', devices_added: 5499, assignments_made: 5500, assignments_failed: 0 });
  const atApple = (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices`)).devices as { profile_uuid?: string }[];
  expect(atApple.filter((d) => d.profile_uuid === profileUuid)).toHaveLength(5500);
  // 5,500 serials in six requests of at most 1,000, none sent twice: read from the stored state once
  // the fetch's pages had committed (5,000, then 500), not per page.
  const requests = (await t.simControl('GET', `/_sim/requests?path=${encodeURIComponent('/profile/devices')}&limit=1000`)).requests as unknown[];
  expect(requests).toHaveLength(6);
});

it('a fetch that fails after pages committed still gives their devices the default profile, and the next run the rest', async () => {
  await latch.query(`SELECT pg_advisory_unlock(${LATCH})`); // no page is held here
  const token = await uploadToken(t, { devices: 1 });
  const { appleUuid } = await defaultProfileAtApple(t, token.rowId);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3999 });
  const withProfile = async () =>
    ((await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices`)).devices as { profile_uuid?: string }[]).filter((d) => d.profile_uuid === appleUuid).length;

  // Apple fails the third page of the fetch for good: two pages (2,000 devices) committed.
  await t.simControl('POST', '/_sim/faults', { status: 500, count: 100, after: 2, path: '/server/devices' });
  await allowImmediateSync(t, token.rowId);
  const failed = await waitForRun(t, await requestSync(t, token, true));
  expect(failed).toMatchObject({ status: 'FAILED', error_code: 'APPLE_UNAVAILABLE', pages_fetched: 2, assignments_made: 2000 });
  expect(await withProfile()).toBe(2000);

  // The next run resumes the fetch after its cursor and hands over the other 2,000.
  await t.simControl('DELETE', '/_sim/faults');
  await allowImmediateSync(t, token.rowId);
  const next = await waitForRun(t, await requestSync(t, token, true));
  expect(next).toMatchObject({ status: 'SUCCEEDED', assignments_made: 2000, assignments_failed: 0 });
  expect(await withProfile()).toBe(4000);
  expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
});

it('with a webhook listening, the page written behind stores its events in its turn, and every page is delivered', async () => {
  // Both pages' delivery jobs share one singleton key: stored before its turn, page 2's would make
  // page 1 wait in PostgreSQL on page 2, which waits on page 1 (no deadlock PostgreSQL could see).
  const created = await t.ok(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
    input: { url: receiver.url, events: ['DEVICES_ADDED'], secret: 'test-secret-0123456789' },
  });
  const token = await uploadToken(t, { devices: 2500, waitFirstSync: false, beforeUpload: holdFirstPage });
  await secondPageWaitsForTheFirst();
  await latch.query(`SELECT pg_advisory_unlock(${LATCH})`);
  expect(await waitForIdle(t, token.rowId)).toMatchObject({ status: 'SUCCEEDED', devices_added: 2500 });
  const added = () => receiver.accepted('DEVICES_ADDED').filter((r) => r.json.tokenId === token.id);
  await until(() => added().length === 3, 'the three pages’ DEVICES_ADDED');
  expect(added().flatMap((r) => r.json.data.devices.map((d: any) => d.serialNumber)).sort()).toEqual([...token.serials].sort());
  await t.ok(`mutation ($id: ID!) { deleteWebhook(input: {webhookId: $id}) { deletedWebhookId } }`, { id: created.createWebhook.webhook.id });
});
