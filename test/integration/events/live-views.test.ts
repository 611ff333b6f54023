/**
 * Live views over graphql-ws on the real server: `depTokenChanged(id)` (the token as it is now
 * first, then a message at each change a list shows: update, sync queued and ended) and
 * `alertResolved` (beside `alertRaised`, which keeps working), both filtered by the key's scope
 * tags: a key never hears of another scope's token or alert.
 */
import type { Client } from 'graphql-ws';
import { MINUTE_MS } from '../../../src/clock';
import { startTestApp, type TestApp } from '../../support/test-app';
import { renewDep, uploadDep } from '../../support/vpp-fixtures';
import { requestSync, until, uploadToken, waitForIdle } from '../sync/sync-support';

let t: TestApp;
let tag: string;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
  tag = (await t.ok(`mutation { createScopeTag(input: {name: "live-views"}) { scopeTag { id } } }`)).createScopeTag.scopeTag.id;
});
afterAll(() => t.close());

function listen(client: Client, query: string, field: string, variables: Record<string, unknown> = {}) {
  const got = { events: [] as any[], errors: [] as unknown[], stop: () => undefined as void };
  got.stop = client.subscribe(
    { query, variables },
    { next: (r: any) => (r.errors ? got.errors.push(...r.errors) : got.events.push(r.data[field])), error: (e) => got.errors.push(e), complete: () => undefined },
  );
  return got;
}

const TOKEN_CHANGED = `subscription ($id: ID) { depTokenChanged(id: $id) {
  id name status expiresAt syncedDeviceCount lastSuccessfulSyncAt nextManualSyncAt activeSyncRun { status }
} }`;
const RENAME = `mutation ($id: ID!, $name: String!) { updateDepToken(input: {tokenId: $id, name: $name}) { token { id } } }`;

describe('depTokenChanged', () => {
  it('first sends the token as it is now, then the token at each change a list shows', async () => {
    const token = await uploadToken(t, { devices: 5, name: 'Live one' });
    const live = listen(t.ws(), TOKEN_CHANGED, 'depTokenChanged', { id: token.id });
    await until(() => live.events.length > 0, 'the current state');
    expect(live.events[0]).toMatchObject({ id: token.id, name: 'Live one', status: 'ACTIVE', syncedDeviceCount: 5, activeSyncRun: null });

    await t.ok(RENAME, { id: token.id, name: 'Renamed' });
    await until(() => live.events.some((e) => e.name === 'Renamed'), 'the update');

    t.clock.advance(16 * MINUTE_MS);
    await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, { count: 3 });
    const before = live.events.length;
    await requestSync(t, token);
    await waitForIdle(t, token.rowId);
    await until(() => live.events.slice(before).some((e) => e.activeSyncRun === null && e.syncedDeviceCount === 8), 'the end of the sync');
    const during = live.events.slice(before);
    // Queued: a sync is in progress and the manual limit now applies (the token is read when the
    // event arrives, so the run may already be running).
    expect(during[0]).toMatchObject({ activeSyncRun: { status: expect.stringMatching(/^(QUEUED|RUNNING)$/) }, nextManualSyncAt: expect.any(String), syncedDeviceCount: 5 });
    expect(during[during.length - 1]).toMatchObject({ name: 'Renamed', activeSyncRun: null, syncedDeviceCount: 8, lastSuccessfulSyncAt: expect.any(String) });
    expect(live.errors).toEqual([]);
    live.stop();
  });

  it('never tells a scoped key about another scope’s token', async () => {
    const mine = await uploadToken(t, { devices: 1, scopeTagIds: [tag] });
    const other = await uploadToken(t, { devices: 1 });
    const scopedClient = t.ws(await t.createKey('READER', [tag]));
    const byId = listen(scopedClient, TOKEN_CHANGED, 'depTokenChanged', { id: other.id });
    const any = listen(scopedClient, TOKEN_CHANGED, 'depTokenChanged');
    const admin = listen(t.ws(), TOKEN_CHANGED, 'depTokenChanged', { id: other.id });
    await until(() => admin.events.length > 0, 'the admin’s current state');

    // Both tokens change; the scoped key hears of its own token only (and nothing first for the other).
    await until(async () => {
      await t.ok(RENAME, { id: mine.id, name: `Mine ${Date.now()}` });
      return any.events.length > 0;
    }, 'the scoped key’s own token');
    await t.ok(RENAME, { id: other.id, name: 'Not yours' });
    await until(() => admin.events.some((e) => e.name === 'Not yours'), 'the other token’s change');
    await t.ok(RENAME, { id: mine.id, name: 'Mine, last' });
    await until(() => any.events.some((e) => e.name === 'Mine, last'), 'the scoped key’s last event');

    expect(any.events.every((e) => e.id === mine.id)).toBe(true);
    expect(byId.events).toEqual([]);
    expect([...byId.errors, ...any.errors]).toEqual([]);
    for (const l of [byId, any, admin]) l.stop();
  });
});

describe('alertResolved', () => {
  const ALERT = `id kind active resolvedAt resolution subject { ... on DepToken { id } }`;
  const RESOLVED = `subscription ($kinds: [AlertKind!]) { alertResolved(kinds: $kinds) { ${ALERT} } }`;
  const RAISED = `subscription { alertRaised { ${ALERT} } }`;

  it('sends each alert as it is resolved, beside alertRaised, only about tokens the key may see', async () => {
    const mine = await uploadDep(t, { expiresInDays: 10, scopeTagIds: [tag] });
    const other = await uploadDep(t, { expiresInDays: 10 });
    const scoped = listen(t.ws(await t.createKey('READER', [tag])), RESOLVED, 'alertResolved');
    const all = listen(t.ws(), RESOLVED, 'alertResolved', { kinds: ['DEP_TOKEN_EXPIRING'] });
    const raised = listen(t.ws(), RAISED, 'alertRaised');

    // Until both listen: the scoped token's expiry alert raised (renewed to 10 days) and cleared (365).
    await until(async () => {
      await renewDep(t, mine, 10);
      await renewDep(t, mine, 365);
      return scoped.events.length > 0 && all.events.length > 0 && raised.events.length > 0;
    }, 'the subscriptions to be live');
    expect(scoped.events[0]).toMatchObject({ kind: 'DEP_TOKEN_EXPIRING', active: false, resolution: 'CLEARED', subject: { id: mine.token.id } });
    expect(raised.events.some((e) => e.kind === 'DEP_TOKEN_EXPIRING' && e.active && e.subject.id === mine.token.id)).toBe(true);

    // The other token's alert: resolved for the unrestricted key, never for the scoped one.
    const [{ id: alertRow }] = await t.app.dataSource.query(`SELECT id FROM alerts WHERE dep_token_id = $1 AND resolved_at IS NULL`, [
      Buffer.from(other.token.id, 'base64url').toString().split(':')[1],
    ]);
    await renewDep(t, other, 365);
    const alertId = Buffer.from(`Alert:${alertRow}`).toString('base64url');
    await until(() => all.events.some((e) => e.id === alertId), 'the other token’s resolved alert');
    expect(all.events.find((e) => e.id === alertId)).toMatchObject({ active: false, resolvedAt: expect.any(String), resolution: 'CLEARED', subject: { id: other.token.id } });
    // One more of the scoped token's own, after the other one: the scoped stream has caught up past it.
    await renewDep(t, mine, 10);
    await renewDep(t, mine, 365);
    const mineCount = all.events.filter((e) => e.subject.id === mine.token.id).length;
    await until(() => scoped.events.length >= mineCount, 'the scoped key’s own alerts');
    expect(scoped.events.every((e) => e.subject.id === mine.token.id)).toBe(true);
    expect([...scoped.errors, ...all.errors, ...raised.errors]).toEqual([]);
    for (const l of [scoped, all, raised]) l.stop();
  });

  it('alertRaised(subjectId) first sends the token’s active alerts, then its new ones; nothing of another scope', async () => {
    const mine = await uploadDep(t, { expiresInDays: 10, scopeTagIds: [tag] });
    const other = await uploadDep(t, { expiresInDays: 10 });
    const BY_SUBJECT = `subscription ($s: ID, $kinds: [AlertKind!]) { alertRaised(subjectId: $s, kinds: $kinds) { ${ALERT} } }`;
    const page = listen(t.ws(), BY_SUBJECT, 'alertRaised', { s: mine.token.id });
    await until(() => page.events.length > 0, 'the active alerts');
    expect(page.events[0]).toMatchObject({ kind: 'DEP_TOKEN_EXPIRING', active: true, subject: { id: mine.token.id } });
    const scopedOther = listen(t.ws(await t.createKey('READER', [tag])), BY_SUBJECT, 'alertRaised', { s: other.token.id });

    // A new crossing of the token: delivered live; another token's is not (different subject).
    await renewDep(t, mine, 365);
    await renewDep(t, mine, 5);
    await renewDep(t, other, 365);
    await renewDep(t, other, 5);
    await until(() => page.events.filter((e) => e.active).length >= 2, 'the new crossing');
    expect(page.events.every((e) => e.subject.id === mine.token.id)).toBe(true);
    expect(scopedOther.events).toEqual([]);

    const bad = listen(t.ws(), BY_SUBJECT, 'alertRaised', { s: 'not-an-id' });
    await until(() => bad.errors.length > 0, 'the refusal');
    expect(JSON.stringify(bad.errors)).toMatch(/BAD_USER_INPUT/);
    expect([...page.errors, ...scopedOther.errors]).toEqual([]);
    for (const l of [page, scopedOther, bad]) l.stop();
  });
});
