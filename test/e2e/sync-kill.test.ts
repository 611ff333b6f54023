/**
 * A server process killed with SIGKILL in the middle of a sync: on the next start the run is
 * marked FAILED (SYNC_INTERRUPTED) and a run continuing from the last committed page is queued;
 * it ends with exactly Apple's device set (changes made meanwhile included): nothing lost,
 * nothing doubled. Also: SIGTERM hands a running sync back to the queue and another instance
 * resumes it.
 */
import { bothSides, logLines, startFleet, syncRuns, until, uploadToken, waitIdle, type Fleet } from './sync-support';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
}, 60_000);
afterAll(() => fleet?.close(), 60_000);

async function duplicates(tokenRowId: string): Promise<number> {
  const { rows } = await fleet.pg.query(
    `SELECT count(*)::int AS n FROM (SELECT serial_number FROM devices WHERE token_id = $1 GROUP BY serial_number HAVING count(*) > 1) d`,
    [tokenRowId],
  );
  return rows[0].n;
}

it('kill -9 mid-run: the run is marked failed at the next start, and the next run ends with exactly Apple’s set', async () => {
  const first = await fleet.start('first');
  // Every fetch page takes a while, so the kill lands in the middle of the fetch.
  await fleet.sim$('POST', '/_sim/faults', { delayMs: 300, count: 6, path: '/server/devices' });
  const token = await uploadToken(fleet, first, 6000);
  await until(async () => {
    const [run] = await syncRuns(fleet, token.rowId);
    return run?.status === 'RUNNING' && run.pages_fetched >= 2;
  }, 'two committed pages');
  first.proc.child.kill('SIGKILL');
  expect((await first.proc.exited).signal).toBe('SIGKILL');
  await fleet.sim$('DELETE', '/_sim/faults');

  const [dead] = await syncRuns(fleet, token.rowId);
  expect(dead).toMatchObject({ status: 'RUNNING', kind: 'FULL' });
  const committed = dead.pages_fetched;
  // Apple changes while no instance runs.
  const serials = (await fleet.sim$('GET', `/_sim/servers/${token.serverUuid}/devices`)).devices.map((d: any) => d.serial_number);
  await fleet.sim$('DELETE', `/_sim/servers/${token.serverUuid}/devices`, { serials: [serials[0], serials[5999]] });
  await fleet.sim$('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 7 });

  const second = await fleet.start('second');
  const all = await waitIdle(fleet, token.rowId);
  expect(all[0]).toMatchObject({ status: 'FAILED', error_code: 'SYNC_INTERRUPTED' });
  expect(all[0].pages_fetched).toBeGreaterThanOrEqual(committed);
  expect(all[1]).toMatchObject({ kind: 'FULL', trigger: 'SCHEDULED', full_sync_reason: 'RESUMING_FETCH', status: 'SUCCEEDED' });
  // It continued from the saved fetch cursor rather than starting over.
  expect(all[1].pages_fetched).toBeLessThan(6 + 1);
  expect(logLines(second.proc.stdout()).some((l) => l.msg === 'sync run interrupted by a stopped instance: marked failed and continued')).toBe(true);

  const sides = await bothSides(fleet, token.rowId, token.serverUuid);
  expect(sides.depgate).toHaveLength(6000 - 2 + 7);
  expect(sides.depgate).toEqual(sides.apple);
  expect(await duplicates(token.rowId)).toBe(0);
  const { rows } = await fleet.pg.query(`SELECT synced_device_count FROM dep_tokens WHERE id = $1`, [token.rowId]);
  expect(rows[0].synced_device_count).toBe(6005);
}, 120_000);

it('SIGTERM hands a running sync back to the queue; another instance resumes it where it was', async () => {
  const [one, two] = await Promise.all([fleet.start('one'), fleet.start('two')]);
  const token = await uploadToken(fleet, one, 0);
  await waitIdle(fleet, token.rowId);
  await fleet.sim$('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 4000 });
  await fleet.sim$('POST', '/_sim/faults', { delayMs: 300, count: 5, path: '/devices/sync' });
  const res = await one.gql(`mutation ($id: ID!) { syncDepToken(input: {tokenId: $id, full: false}) { syncRun { id } } }`, { id: token.id });
  const runRowId = Buffer.from(res.data.syncDepToken.syncRun.id, 'base64url').toString('utf8').split(':')[1];
  // Stop whichever instance runs it, once it has committed a page.
  const running = await until(async () => {
    const { rows } = await fleet.pg.query(`SELECT * FROM sync_runs WHERE id = $1`, [runRowId]);
    return rows[0]?.status === 'RUNNING' && rows[0].pages_fetched >= 1 ? rows[0] : undefined;
  }, 'a committed page');
  const runner = await until(
    () => [one, two].find((i) => logLines(i.proc.stdout()).some((l) => l.msg === 'sync started' && l.runId === runRowId)),
    'the log of the instance running the sync',
    5000,
  );
  runner.proc.child.kill('SIGTERM');
  expect(await runner.proc.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  expect(logLines(runner.proc.stdout()).some((l) => l.msg === 'sync handed back to the queue')).toBe(true);

  const done = await until(async () => {
    const { rows } = await fleet.pg.query(`SELECT * FROM sync_runs WHERE id = $1`, [runRowId]);
    return rows[0]?.status === 'SUCCEEDED' ? rows[0] : undefined;
  }, 'the other instance to finish the run', 60_000);
  expect(done.attempts).toBe(2);
  expect(done.pages_fetched).toBeGreaterThanOrEqual(running.pages_fetched);
  expect(done.devices_added).toBe(4000);
  await until(
    () =>
      fleet.instances
        .filter((i) => i !== runner)
        .some((i) => logLines(i.proc.stdout()).some((l) => l.msg === 'sync started' && l.runId === runRowId && l.attempt === 2)),
    'the other instance’s log of the resumed run',
    5000,
  );
  const sides = await bothSides(fleet, token.rowId, token.serverUuid);
  expect(sides.depgate).toEqual(sides.apple);
  expect(await duplicates(token.rowId)).toBe(0);
}, 120_000);
