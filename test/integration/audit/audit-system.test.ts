/**
 * What depgate does by itself is on the audit trail with the system as actor: the sync after an
 * upload and scheduled syncs, automatic profile assignment after a sync page, alerts raised.
 */
import { DAY_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { defaultProfileAtApple, uploadToken, waitForIdle } from '../sync/sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const SYSTEM_EVENTS = `query ($targetId: ID!) {
  auditEvents(filter: {targetId: $targetId}, first: 100) { edges { node { operation actorType actorKeyId actorName actorRole targetIds outcome errorCode transport clientAddress } } }
}`;

async function systemEvents(targetId: string): Promise<any[]> {
  return (await t.ok(SYSTEM_EVENTS, { targetId })).auditEvents.edges.map((e: any) => e.node).filter((e: any) => e.actorType === 'SYSTEM');
}

const runIds = async (tokenRowId: string, trigger: string): Promise<string[]> =>
  (await t.app.dataSource.query(`SELECT id FROM sync_runs WHERE token_id = $1 AND trigger = $2 ORDER BY seq`, [tokenRowId, trigger])).map((r: any) => r.id);

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

it('records the upload’s sync, a scheduled sync and the automatic assignment it made, with the system as actor', async () => {
  const tagId = (await t.ok(`mutation { createScopeTag(input: {name: "system-scope"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
  const token = await uploadToken(t, { devices: 2, scopeTagIds: [tagId] });
  const system = { actorType: 'SYSTEM', actorKeyId: null, actorName: 'system', actorRole: null, transport: 'SYSTEM', clientAddress: null, outcome: 'SUCCEEDED', errorCode: null };
  const [uploadRun] = await runIds(token.rowId, 'TOKEN_UPLOAD');
  expect(await systemEvents(token.id)).toEqual([{ ...system, operation: 'syncDepToken', targetIds: [token.id, globalId('SyncRun', uploadRun)] }]);

  // A default profile (defined at Apple), two new devices in ABM, and a day later the scheduled sync.
  const profile = await defaultProfileAtApple(t, token.rowId);
  await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 2 });
  t.clock.advance(DAY_MS + 1000);
  await t.app.services.sync.tick();
  const scheduledRun = await waitForIdle(t, token.rowId);
  expect(scheduledRun).toMatchObject({ trigger: 'SCHEDULED', status: 'SUCCEEDED', assignments_made: 2 });

  const profileId = globalId('EnrollmentProfile', profile.rowId);
  expect(await systemEvents(token.id)).toEqual([
    { ...system, operation: 'syncDepToken', targetIds: [token.id, globalId('SyncRun', uploadRun)] },
    { ...system, operation: 'syncDepToken', targetIds: [token.id, globalId('SyncRun', scheduledRun.id)] },
    { ...system, operation: 'assignEnrollmentProfile', targetIds: [token.id, profileId] },
  ]);
  // The upload's sync lends the upload's request id (which request caused it), the scheduled one has none.
  const withIds = (await t.ok(`query ($targetId: ID!) { auditEvents(filter: {targetId: $targetId}, first: 100) { edges { node { operation actorType requestId } } } }`, { targetId: token.id })).auditEvents.edges.map(
    (e: any) => e.node,
  );
  const upload = withIds.find((e: any) => e.operation === 'uploadDepToken');
  expect(upload.requestId).toEqual(expect.any(String));
  expect(withIds.filter((e: any) => e.operation === 'syncDepToken').map((e: any) => e.requestId)).toEqual([upload.requestId, null]);
  // They belong to the token's scope: its scoped ADMIN reads them.
  const scoped = await t.createKey('ADMIN', [tagId]);
  const seen = (await t.ok(SYSTEM_EVENTS, { targetId: token.id }, scoped)).auditEvents.edges.map((e: any) => e.node.operation);
  // The upload's sync is queued inside the upload, which is recorded once it has returned.
  expect(seen).toEqual(['syncDepToken', 'uploadDepToken', 'syncDepToken', 'assignEnrollmentProfile']);
});

it('records an alert raised by the system', async () => {
  const token = await uploadToken(t, { devices: 0 });
  t.clock.advance(340 * DAY_MS); // the token expires 365 days after its upload: inside the 30-day threshold
  // The end of the upload's sync may evaluate the token too: whichever evaluation raises the
  // alert, it is raised (and recorded) once.
  await t.app.services.alerts.evaluateDepToken(token.rowId);
  const alerts: { id: string }[] = await t.app.dataSource.query(`SELECT id FROM alerts WHERE dep_token_id = $1`, [token.rowId]);
  expect(alerts.length).toBeGreaterThan(0);
  const events = await systemEvents(token.id);
  const raised = events.filter((e) => e.operation === 'raiseAlert');
  expect(raised.every((e) => e.outcome === 'SUCCEEDED' && e.actorName === 'system')).toBe(true);
  expect(raised.map((e) => e.targetIds).sort()).toEqual(alerts.map((alert) => [globalId('Alert', alert.id), token.id]).sort());
});
