/**
 * Device activities against the simulator over HTTP, with the real job runner and sync engine: the
 * paths the end-to-end seed does not take. An activity Apple ends FAILED, one completed with
 * per-serial failures in its CSV log, the poll's backoff (every few seconds, then at most 30 s),
 * the delta sync of the DEP token once it completes, and Apple's 429 with Retry-After while the
 * activity is created.
 */
import { parseGlobalId } from '../../../src/graphql/global-id';
import { ACTIVITY_POLL_QUEUE, DELTA_SYNC_QUEUE } from '../../../src/apple-business/apple-business.jobs';
import { DEFAULT_ACTIVITY_POLICY } from '../../../src/apple-business/activity.service';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadDep } from '../../support/vpp-fixtures';

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

const ACTIVITY = `query ($id: ID!) { node(id: $id) { ... on OrgDeviceActivity {
  id type status subStatus deviceCount completedAt error outcomes { serialNumber status subStatus } } } }`;
const ASSIGN = `mutation ($input: AssignDevicesToMdmServerInput!) { assignDevicesToMdmServer(input: $input) { orgDeviceActivity { id status } } }`;

describe('Apple Business device activities', () => {
  let t: TestApp;
  /** What the Apple clients waited (no real waiting: the sleep only records). */
  const sleeps: number[] = [];
  let accountId: string;
  let serverId: string;
  let serverAppleId: string;
  let depTokenId: string;

  beforeAll(async () => {
    t = await startTestApp({
      simulator: true,
      sync: true,
      // Real HTTP; Retry-After honoured up to a minute, recorded instead of slept.
      appleTuning: { timeoutMs: 5000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 60_000 }, sleep: async (ms) => void sleeps.push(ms) },
    });
    await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
    // A DEP token for an MDM server of the organisation, synced once.
    const dep = await uploadDep(t, { name: 'Activity fleet' });
    depTokenId = dep.token.id;
    await waitFor('the first sync', async () => (await t.ok(`query ($id: ID!) { depToken(id: $id) { lastSuccessfulSyncAt } }`, { id: depTokenId })).depToken, (d) => d.lastSuccessfulSyncAt !== null);

    const issued = await t.simControl('POST', '/_sim/business/clients', {});
    const connected = await t.ok(
      `mutation ($input: ConnectAppleBusinessAccountInput!) { connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id } } }`,
      { input: { name: 'Activities', clientId: issued.clientId, keyId: issued.keyId, privateKeyPem: issued.privateKeyPkcs8Pem, scope: 'BUSINESS' } },
    );
    accountId = connected.connectAppleBusinessAccount.appleBusinessAccount.id;
    await waitFor('the first mirror', async () => (await t.ok(`query ($id: ID!) { node(id: $id) { ... on AppleBusinessAccount { inventorySyncedAt } } }`, { id: accountId })).node, (a) => a.inventorySyncedAt !== null);
    const servers = (await t.ok(`query ($a: ID!) { mdmServers(accountId: $a) { id appleId name depToken { id } } }`, { a: accountId })).mdmServers;
    const server = servers.find((s: any) => s.name === 'Activity fleet');
    expect(server.depToken).toEqual({ id: depTokenId });
    serverId = server.id;
    serverAppleId = server.appleId;
  }, 60_000);
  afterAll(() => t.close());

  const newDevices = async (count: number, prefix: string): Promise<string[]> => {
    const serials: string[] = (await t.simControl('POST', '/_sim/business/devices', { count, serialPrefix: prefix })).serialNumbers;
    await t.app.services.appleBusinessInventory.mirror(parseGlobalId(accountId)!.id);
    return serials;
  };
  const activity = async (id: string) => (await t.ok(ACTIVITY, { id })).node;
  const completed = (id: string) => waitFor(`activity ${id}`, () => activity(id), (a) => a.completedAt !== null);
  const orgDevice = async (serial: string) =>
    (await t.ok(`query ($a: ID!, $s: String!) { orgDevices(accountId: $a, filter: {serialNumberPrefix: $s}, first: 1) { edges { node { serialNumber status assignedServer { id } } } } }`, { a: accountId, s: serial }))
      .orgDevices.edges[0]?.node;
  const atApple = async (serial: string) => (await t.simControl('GET', `/_sim/business/devices/${serial}`)).assignedServerId as string | null;
  const appleActivities = async () => (await t.simControl('GET', '/_sim/business/activities')).activities as any[];

  // First: the 429s are counted on every API request, so nothing else may be polling meanwhile.
  it("honours Apple's Retry-After while creating an activity, creates it once, and reports a 429 that outlasts the retries", async () => {
    const serials = await newDevices(2, 'RL');
    const before = (await appleActivities()).length;
    sleeps.length = 0;
    await t.simControl('POST', '/_sim/business/rate-limit', { count: 2, retryAfterSeconds: 7 });
    const created = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: serials } })).assignDevicesToMdmServer.orgDeviceActivity;
    expect(sleeps).toEqual([7000, 7000]);
    const mine = (await appleActivities()).slice(before);
    expect(mine).toEqual([expect.objectContaining({ type: 'ASSIGN_DEVICES', serialNumbers: serials, serverId: serverAppleId })]);
    expect((await completed(created.id)).subStatus).toBe('COMPLETED_WITH_SUCCESS');

    // More 429s than attempts: a typed error with Apple's Retry-After, and nothing created anywhere.
    const more = await newDevices(1, 'RM');
    const stored = async () => (await t.ok(`query ($a: ID!) { orgDeviceActivities(accountId: $a, first: 100) { totalCount } }`, { a: accountId })).orgDeviceActivities.totalCount;
    const storedBefore = await stored();
    const appleBefore = (await appleActivities()).length;
    await t.simControl('POST', '/_sim/business/rate-limit', { count: 3, retryAfterSeconds: 42 });
    const refused = await t.gql(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: more } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'APPLE_RATE_LIMITED', retryAfterSeconds: 42 });
    expect(refused.data).toBeNull();
    expect(await stored()).toBe(storedBefore);
    expect((await appleActivities()).length).toBe(appleBefore);
    expect(await atApple(more[0])).toBeNull();
  });

  it('an activity Apple ends FAILED: no log, nothing changed, polling stops', async () => {
    const serials = await newDevices(2, 'FA');
    await t.simControl('POST', '/_sim/business/activity-failure', { status: 'FAILED' });
    const created = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: serials } })).assignDevicesToMdmServer.orgDeviceActivity;
    expect(created.status).toBe('IN_PROGRESS');
    const done = await completed(created.id);
    expect(done).toMatchObject({ status: 'FAILED', subStatus: 'COMPLETED_WITH_ERROR', outcomes: null, deviceCount: 2, error: null });
    for (const serial of serials) {
      expect(await atApple(serial)).toBeNull();
      expect(await orgDevice(serial)).toMatchObject({ serialNumber: serial, status: 'UNASSIGNED', assignedServer: null });
    }
    // No poll is waiting for it any more.
    const rowId = parseGlobalId(created.id)!.id;
    const waiting = await t.app.dataSource.query(`SELECT id FROM pgboss.job WHERE name = $1 AND data->>'activityId' = $2 AND state IN ('created', 'retry')`, [ACTIVITY_POLL_QUEUE, rowId]);
    expect(waiting).toEqual([]);
  });

  it("an activity completed with per-serial failures: Apple's CSV log becomes each device's outcome, the mirror follows the successes", async () => {
    // One device is already on the server (a re-assignment fails for it, spec §3.12), two are not.
    const [already] = await newDevices(1, 'PA');
    const first = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: [already] } })).assignDevicesToMdmServer.orgDeviceActivity;
    expect((await completed(first.id)).subStatus).toBe('COMPLETED_WITH_SUCCESS');
    const fresh = await newDevices(2, 'PB');

    const created = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: [already, ...fresh] } })).assignDevicesToMdmServer.orgDeviceActivity;
    const done = await completed(created.id);
    expect(done).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_FAILURE', deviceCount: 3 });
    const outcomes = [...done.outcomes].sort((a: any, b: any) => a.serialNumber.localeCompare(b.serialNumber));
    expect(outcomes).toEqual(
      [
        { serialNumber: already, status: 'FAILED', subStatus: 'ALREADY_ASSIGNED_TO_SERVER' },
        ...fresh.map((serialNumber) => ({ serialNumber, status: 'SUCCESS', subStatus: 'ASSIGNED' })),
      ].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber)),
    );
    for (const serial of [already, ...fresh]) expect(await orgDevice(serial)).toMatchObject({ status: 'ASSIGNED', assignedServer: { id: serverId } });

    // Every device failing (no migration to move the deadline of): COMPLETED_WITH_ERROR, each with Apple's reason.
    const deadline = new Date(t.clock.now().getTime() + 10 * 86_400_000).toISOString();
    const moved = await t.ok(`mutation ($input: UpdateMigrationDeadlineInput!) { updateMigrationDeadline(input: $input) { orgDeviceActivity { id } } }`, {
      input: { accountId, serialNumbers: fresh, migrationDeadline: deadline },
    });
    const failed = await completed(moved.updateMigrationDeadline.orgDeviceActivity.id);
    expect(failed).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_ERROR' });
    expect(new Set(failed.outcomes.map((o: any) => `${o.status}/${o.subStatus}`))).toEqual(new Set(['FAILED/NO_MIGRATION']));
  });

  it('is followed by a delta sync of the DEP token serving the server, which brings the assigned devices', async () => {
    const serials = await newDevices(3, 'DS');
    const tokenRow = parseGlobalId(depTokenId)!.id;
    // The earlier activities' delta syncs first: from here on, a run of the token is this activity's.
    await waitFor(
      'the earlier delta syncs',
      async () => {
        const [{ n }] = await t.app.dataSource.query(
          `SELECT (SELECT count(*) FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING'))
                + (SELECT count(*) FROM pgboss.job WHERE name = $2 AND state IN ('created', 'retry', 'active')) AS n`,
          [tokenRow, DELTA_SYNC_QUEUE],
        );
        return Number(n);
      },
      (n) => n === 0,
    );
    const [{ seq }] = await t.app.dataSource.query(`SELECT COALESCE(max(seq), 0)::int AS seq FROM sync_runs WHERE token_id = $1`, [tokenRow]);
    const created = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: serials } })).assignDevicesToMdmServer.orgDeviceActivity;
    await completed(created.id);
    const runs = await waitFor(
      'the delta sync after the activity',
      () => t.app.dataSource.query(`SELECT kind, trigger, status, devices_added FROM sync_runs WHERE token_id = $1 AND seq > $2 ORDER BY seq`, [tokenRow, seq]),
      (rows: any[]) => rows.some((r) => r.status !== 'QUEUED' && r.status !== 'RUNNING'),
    );
    expect(runs).toEqual([{ kind: 'DELTA', trigger: 'SCHEDULED', status: 'SUCCEEDED', devices_added: 3 }]);
    const dep = await t.ok(`query ($id: ID!) { devices(filter: {tokenId: $id}, first: 500) { edges { node { serialNumber orgDevice { assignedServer { id } } } } } }`, { id: depTokenId });
    const onToken = dep.devices.edges.map((e: any) => e.node).filter((d: any) => serials.includes(d.serialNumber));
    expect(onToken.map((d: any) => d.serialNumber).sort()).toEqual([...serials].sort());
    for (const device of onToken) expect(device.orgDevice).toEqual({ assignedServer: { id: serverId } });
  });

  it('polls every few seconds at first, doubling up to every 30 s, until Apple completes the activity', async () => {
    // The pure schedule: 3, 6, 12, 24 s, then 30 s from then on.
    const { firstPollMs, maxPollIntervalMs } = DEFAULT_ACTIVITY_POLICY;
    expect([firstPollMs, maxPollIntervalMs]).toEqual([3_000, 30_000]);
    expect([1, 2, 3, 4, 5, 20].map((polls) => t.app.services.appleBusinessActivities.nextPollDelay(polls))).toEqual([6_000, 12_000, 24_000, 30_000, 30_000, 30_000]);

    // And the jobs really queued for one activity that Apple takes an hour (simulator time) over.
    const [serial] = await newDevices(1, 'BO');
    await t.simControl('POST', '/_sim/business/activity-delay', { ms: 3_600_000 });
    try {
      const created = (await t.ok(ASSIGN, { input: { mdmServerId: serverId, serialNumbers: [serial] } })).assignDevicesToMdmServer.orgDeviceActivity;
      const rowId = parseGlobalId(created.id)!.id;
      const jobs = () =>
        t.app.dataSource.query(
          `SELECT round(extract(epoch FROM start_after - created_on))::int AS delay FROM pgboss.job WHERE name = $1 AND data->>'activityId' = $2 ORDER BY created_on`,
          [ACTIVITY_POLL_QUEUE, rowId],
        ) as Promise<Array<{ delay: number }>>;
      // Created, then two real polls (3 s and 6 s later), each finding it still IN_PROGRESS and queuing the next later.
      const delays = await waitFor('three poll jobs', jobs, (rows) => rows.length >= 3, 40_000);
      expect(delays.slice(0, 3).map((r) => r.delay)).toEqual([3, 6, 12]);
      const [row] = await t.app.dataSource.query(`SELECT status, poll_count FROM org_device_activities WHERE id = $1`, [rowId]);
      expect(row).toMatchObject({ status: 'IN_PROGRESS' });
      expect(row.poll_count).toBeGreaterThanOrEqual(2);

      // Apple completes it: the next poll records the completion and queues no further poll.
      await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
      const done = await t.app.services.appleBusinessActivities.poll(rowId);
      expect(done).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_SUCCESS' });
      const count = (await jobs()).length;
      expect(await t.app.services.appleBusinessActivities.poll(rowId)).toMatchObject({ status: 'COMPLETED' });
      expect((await jobs()).length).toBe(count);
    } finally {
      await t.simControl('POST', '/_sim/business/activity-delay', { ms: 0 });
    }
  }, 60_000);
});
