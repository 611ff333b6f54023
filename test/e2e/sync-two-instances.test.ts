/**
 * Two depgate server processes on one database (two instances behind a load balancer): a
 * dashboard subscribed on instance A sees, in order, a sync triggered on instance B; the same sync
 * asked of both at once runs once, on one instance.
 */
import { bothSides, logLines, startFleet, syncRuns, until, uploadToken, waitIdle, type Fleet, type Instance } from './sync-support';

let fleet: Fleet;
let a: Instance;
let b: Instance;
beforeAll(async () => {
  fleet = await startFleet();
  [a, b] = await Promise.all([fleet.start('A'), fleet.start('B')]);
}, 120_000);
afterAll(() => fleet?.close(), 60_000);

const SYNC = `mutation ($id: ID!) { syncDepToken(input: {tokenId: $id}) { syncRun { id status } } }`;
const PROGRESS = `subscription ($tokenId: ID) { syncRunProgress(tokenId: $tokenId) { id status pagesFetched devicesAdded token { id } } }`;

it('a subscriber on A sees a sync triggered on B, every step in order; asked of both at once, one run executes', async () => {
  const token = await uploadToken(fleet, a, 0);
  await waitIdle(fleet, token.rowId);

  const events: any[] = [];
  const errors: unknown[] = [];
  a.ws().subscribe(
    { query: PROGRESS, variables: { tokenId: token.id } },
    { next: (r: any) => (r.errors ? errors.push(...r.errors) : events.push(r.data.syncRunProgress)), error: (e) => errors.push(e), complete: () => undefined },
  );
  // Make sure the subscription is live: syncs triggered on B until A has heard one end.
  await until(async () => {
    const res = await b.gql(SYNC, { id: token.id });
    const id = res.data?.syncDepToken?.syncRun?.id;
    await waitIdle(fleet, token.rowId);
    return until(() => events.some((e) => e.id === id && e.status === 'SUCCEEDED'), 'warm-up', 3000).then(() => true, () => false);
  }, 'the subscription on A to be live');

  await fleet.sim$('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2500 });
  const before = (await syncRuns(fleet, token.rowId)).length;
  // The same sync asked of both instances at the same moment.
  const [onA, onB] = await Promise.all([a.gql(SYNC, { id: token.id }), b.gql(SYNC, { id: token.id })]);
  const answers = [onA, onB];
  const accepted = answers.filter((r) => r.data?.syncDepToken);
  const refused = answers.filter((r) => r.errors);
  expect(accepted).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0].errors[0].extensions).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
  const runId = accepted[0].data.syncDepToken.syncRun.id;

  await until(() => events.some((e) => e.id === runId && e.status === 'SUCCEEDED'), 'A to hear the run end', 60_000);
  const all = await syncRuns(fleet, token.rowId);
  expect(all.length).toBe(before + 1);
  expect(all[all.length - 1]).toMatchObject({ status: 'SUCCEEDED', attempts: 1, devices_added: 2500 });

  const seen = events.filter((e) => e.id === runId);
  expect(errors).toEqual([]);
  expect(seen[0]).toMatchObject({ status: 'QUEUED', pagesFetched: 0 });
  expect(seen[seen.length - 1]).toMatchObject({ status: 'SUCCEEDED', devicesAdded: 2500, token: { id: token.id } });
  const pages = seen.map((e) => e.pagesFetched);
  expect(pages).toEqual([...pages].sort((x, y) => x - y));
  expect(seen.filter((e) => e.status === 'RUNNING').length).toBeGreaterThanOrEqual(4); // started + 3 pages

  // Exactly one process executed it.
  const rowId = Buffer.from(runId, 'base64url').toString('utf8').split(':')[1];
  const starts = [a, b].map((i) => logLines(i.proc.stdout()).filter((l) => l.msg === 'sync started' && l.runId === rowId).length);
  expect(starts.reduce((x, y) => x + y, 0)).toBe(1);

  const sides = await bothSides(fleet, token.rowId, token.serverUuid);
  expect(sides.depgate).toEqual(sides.apple);
}, 120_000);
