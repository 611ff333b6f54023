/**
 * One odd record from Apple must not wedge a token (issue #9). The simulator serves records a
 * faulty Apple might send (`unchecked: true`): a NUL and other C0 characters in free text, a
 * 5,000-character model, a 5,000-character serial and one with punctuation. Free text is cleaned,
 * records without a storable serial are skipped and counted on the run (`devicesSkipped`), and the
 * next syncs go on. A full fetch that failed starts over on the next full sync instead of resuming
 * the cursor that failed.
 */
import { MINUTE_MS } from '../../../src/clock';
import { toGlobalId } from '../../../src/graphql/global-id';
import { startTestApp, type TestApp } from '../../support/test-app';
import { allowImmediateSync, appleSerials, device, liveSerials, requestSync, tokenRow, uploadToken, waitForRun } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const RUN = `query ($id: ID!) { node(id: $id) { ... on SyncRun { status kind fullSyncReason pagesFetched devicesAdded devicesSkipped error { code } } } }`;
const runView = async (rowId: string) => (await t.ok(RUN, { id: toGlobalId('SyncRun', rowId) })).node;

async function addAtApple(serverUuid: string, devices: Record<string, unknown>[]): Promise<void> {
  await t.simControl('POST', `/_sim/servers/${serverUuid}/devices`, { devices, unchecked: true });
}

describe('odd records from Apple', () => {
  it('cleans C0 characters and absurd lengths out of free text, skips unstorable serials, counts them, and the token keeps syncing', async () => {
    const token = await uploadToken(t, { devices: 3 });
    await addAtApple(token.serverUuid, [
      { serial_number: 'NULDESC00001', description: 'iPad\u0000 of\u0001Sales', model: 'iPad\u0000Pro', device_family: 'iPad' },
      { serial_number: 'LONGMODEL001', model: 'M'.repeat(5000), color: 'x'.repeat(5000) },
      { serial_number: 'S'.repeat(5000) },
      { serial_number: 'NOT-A-SERIAL' },
      { serial_number: 'GOOD00000001' },
    ]);
    t.clock.advance(15 * MINUTE_MS);
    const runId = await requestSync(t, token);
    await waitForRun(t, runId);
    expect(await runView(runId)).toMatchObject({ status: 'SUCCEEDED', kind: 'DELTA', devicesAdded: 3, devicesSkipped: 2, error: null });

    expect(await device(t, token.rowId, 'NULDESC00001')).toMatchObject({ description: 'iPad ofSales', model: 'iPadPro' });
    const long = await device(t, token.rowId, 'LONGMODEL001');
    expect(long!.model).toHaveLength(1000);
    expect(long!.color).toHaveLength(1000);
    const [{ longest }] = await t.app.dataSource.query(`SELECT max(length(serial_number))::int AS longest FROM devices WHERE token_id = $1`, [token.rowId]);
    expect(longest).toBe(12);
    expect(await liveSerials(t, token.rowId)).toEqual([...token.serials, 'GOOD00000001', 'LONGMODEL001', 'NULDESC00001'].sort());

    // Not wedged: the next change arrives with the next sync.
    await addAtApple(token.serverUuid, [{ serial_number: 'AFTER0000001' }]);
    t.clock.advance(15 * MINUTE_MS);
    const next = await requestSync(t, token);
    await waitForRun(t, next);
    expect(await runView(next)).toMatchObject({ status: 'SUCCEEDED', devicesAdded: 1, devicesSkipped: 0 });
    expect((await tokenRow(t, token.rowId)).last_sync_error).toBeNull();
  });

  it('a full fetch of odd records succeeds too, skipping the same records', async () => {
    const token = await uploadToken(t, { devices: 2, waitFirstSync: true });
    await addAtApple(token.serverUuid, [{ serial_number: 'X'.repeat(5000), description: '\u0000' }, { serial_number: 'FULLNUL00001', description: 'a\u0000b' }]);
    await allowImmediateSync(t, token.rowId);
    const runId = await requestSync(t, token, true);
    await waitForRun(t, runId);
    expect(await runView(runId)).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', devicesSkipped: 1 });
    expect(await device(t, token.rowId, 'FULLNUL00001')).toMatchObject({ description: 'ab' });
  });
});

describe('a failed full fetch', () => {
  it('starts over on the next full sync instead of resuming the cursor that failed', async () => {
    // 1,000 devices fill the first page (Apple's advertised maximum); the poison sits on the second.
    const token = await uploadToken(t, { devices: 1000 });
    await addAtApple(token.serverUuid, [{ serial_number: 'POISON000001', model: 'POISON' }]);
    // A refusal only the database makes: the page holding the poison cannot be written.
    await t.app.dataSource.query(`ALTER TABLE devices ADD CONSTRAINT test_refuses_poison CHECK (model IS DISTINCT FROM 'POISON')`);
    try {
      await allowImmediateSync(t, token.rowId);
      const failed = await requestSync(t, token, true);
      await waitForRun(t, failed);
      expect(await runView(failed)).toMatchObject({ status: 'FAILED', kind: 'FULL', pagesFetched: 1, error: { code: 'SYNC_FAILED' } });
      // The fetch that failed is dropped, not kept to be resumed.
      expect(await tokenRow(t, token.rowId)).toMatchObject({ fetch_id: null, fetch_cursor: null, full_sync_required: true });

      // Apple's record is fixed; the next full sync fetches a fresh snapshot from the start.
      await t.simControl('PATCH', `/_sim/servers/${token.serverUuid}/devices`, { serials: ['POISON000001'], changes: { model: 'iPhone' } });
      await allowImmediateSync(t, token.rowId);
      const again = await requestSync(t, token, true);
      await waitForRun(t, again);
      // Two fetch pages from the start, then the sync page that follows every fetch.
      expect(await runView(again)).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', fullSyncReason: 'REQUESTED', pagesFetched: 3 });
      expect(await liveSerials(t, token.rowId)).toEqual(await appleSerials(t, token.serverUuid));
      expect(await device(t, token.rowId, 'POISON000001')).toMatchObject({ model: 'iPhone' });
    } finally {
      await t.app.dataSource.query(`ALTER TABLE devices DROP CONSTRAINT test_refuses_poison`);
    }
  });
});
