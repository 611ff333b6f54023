/**
 * Alert rules end to end, on the injected clock (no sleeping): each expiry crossing is a new
 * alert that supersedes the previous one, evaluation happens right after uploads, renewals and
 * licence refreshes as well as in the scheduled pass, causes going away resolve alerts, licence
 * thresholds follow the simulator's counts, and alerts can be listed, filtered and acknowledged.
 */
import { ALERTS_EVALUATE_CRON, ALERTS_EVALUATE_QUEUE, VPP_REFRESH_CRON, VPP_REFRESH_QUEUE } from '../../../src/alerts/alert.jobs';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { startTestApp, type TestApp } from '../../support/test-app';
import { ALERT_FIELDS, REFRESH_VPP, RENEW_VPP, renewDep, setLicences, uploadDep, uploadVpp } from '../../support/vpp-fixtures';

let t: TestApp;
beforeAll(async () => {
  // With the sync engine: one test follows real sync outcomes (the others wait for it to idle).
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

const ALERTS = `query ($f: AlertFilter) { alerts(filter: $f, first: 100) { totalCount edges { node { ${ALERT_FIELDS} } } } }`;
const rowId = (globalId: string) => parseGlobalId(globalId)!.id;

async function alertsOf(subjectId: string, filter: Record<string, unknown> = {}, key?: string): Promise<any[]> {
  const data = await t.ok(ALERTS, { f: { subjectId, ...filter } }, key);
  return data.alerts.edges.map((e: any) => e.node);
}

const EXPIRY = ['DEP_TOKEN_EXPIRING', 'DEP_TOKEN_EXPIRED'];
const brief = (alerts: any[]) => alerts.map((a) => `${a.kind}:${a.threshold ?? '-'}:${a.severity}`).sort();

/** The first sync after an upload runs in the background; let it finish before setting sync facts. */
async function syncIdle(tokenGlobalId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = await t.app.dataSource.query(
      `SELECT count(*)::int AS n FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`,
      [rowId(tokenGlobalId)],
    );
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('sync did not finish');
}

describe('DEP token expiry', () => {
  it('raises one alert per crossing (30, 14, 7, 1 days, expired), each superseding the last; renewal clears it', async () => {
    const dep = await uploadDep(t, { expiresInDays: 45, name: 'Crossings' });
    const id = dep.token.id;
    await syncIdle(id);
    expect(await alertsOf(id, { kinds: EXPIRY })).toEqual([]);

    const steps: [number, string][] = [
      [16 * DAY_MS, 'DEP_TOKEN_EXPIRING:30:INFO'], // 29 days left
      [16 * DAY_MS, 'DEP_TOKEN_EXPIRING:14:WARNING'], // 13 days left
      [7 * DAY_MS, 'DEP_TOKEN_EXPIRING:7:WARNING'], // 6 days left
      [5 * DAY_MS + 12 * HOUR_MS, 'DEP_TOKEN_EXPIRING:1:CRITICAL'], // 12 hours left
      [DAY_MS, 'DEP_TOKEN_EXPIRED:-:CRITICAL'],
    ];
    const seen = new Set<string>();
    for (const [advance, expected] of steps) {
      t.clock.advance(advance);
      await t.app.services.alerts.evaluateAll();
      await t.app.services.alerts.evaluateAll(); // a second pass raises nothing new
      const active = await alertsOf(id, { kinds: EXPIRY });
      expect(brief(active)).toEqual([expected]);
      expect(seen.has(active[0].id)).toBe(false);
      seen.add(active[0].id);
      expect(active[0]).toMatchObject({ active: true, subjectName: 'Crossings', subject: { __typename: 'DepToken', id } });
    }
    const expired = (await alertsOf(id, { kinds: EXPIRY }))[0];
    expect(expired.message).toMatch(/DEP token "Crossings" expired on/);

    // Renewal evaluates at once (no scheduled pass needed).
    await renewDep(t, dep, 365);
    expect(await alertsOf(id, { kinds: EXPIRY })).toEqual([]);
    const history = await alertsOf(id, { kinds: EXPIRY, status: 'ALL' });
    expect(history).toHaveLength(5);
    expect(history.map((a) => a.resolution)).toEqual(['SUPERSEDED', 'SUPERSEDED', 'SUPERSEDED', 'SUPERSEDED', 'CLEARED']);
    expect(history.every((a) => a.resolvedAt && !a.active)).toBe(true);

    // The next approach to expiry is a new crossing, so a new alert.
    t.clock.advance(340 * DAY_MS);
    await t.app.services.alerts.evaluateAll();
    const again = await alertsOf(id, { kinds: EXPIRY });
    expect(brief(again)).toEqual(['DEP_TOKEN_EXPIRING:30:INFO']);
    expect(seen.has(again[0].id)).toBe(false);
  });

  it('an upload evaluates at once and raises only the crossing it is past (7 days, not 30 and 14)', async () => {
    const dep = await uploadDep(t, { expiresInDays: 5 });
    expect(brief(await alertsOf(dep.token.id, { kinds: EXPIRY }))).toEqual(['DEP_TOKEN_EXPIRING:7:WARNING']);
  });
});

describe('DEP terms and sync', () => {
  it('DEP_TERMS_NOT_ACCEPTED while Apple says T_C_NOT_SIGNED, resolved when the terms are accepted', async () => {
    const dep = await uploadDep(t);
    await syncIdle(dep.token.id);
    await t.app.dataSource.query(`UPDATE dep_tokens SET terms_not_accepted_at = $2 WHERE id = $1`, [rowId(dep.token.id), t.clock.now()]);
    await t.app.services.alerts.evaluateDepToken(rowId(dep.token.id));
    expect(brief(await alertsOf(dep.token.id, { kinds: ['DEP_TERMS_NOT_ACCEPTED'] }))).toEqual(['DEP_TERMS_NOT_ACCEPTED:-:CRITICAL']);
    await t.app.dataSource.query(`UPDATE dep_tokens SET terms_not_accepted_at = NULL WHERE id = $1`, [rowId(dep.token.id)]);
    await t.app.services.alerts.evaluateDepToken(rowId(dep.token.id));
    expect(await alertsOf(dep.token.id, { kinds: ['DEP_TERMS_NOT_ACCEPTED'] })).toEqual([]);
    expect((await alertsOf(dep.token.id, { kinds: ['DEP_TERMS_NOT_ACCEPTED'], status: 'RESOLVED' }))[0].resolution).toBe('CLEARED');
  });

  it('follows sync outcomes at once: a sync refused for unsigned terms raises, the next good sync resolves', async () => {
    const dep = await uploadDep(t);
    await syncIdle(dep.token.id);
    const SYNC = `mutation ($id: ID!) { syncDepToken(input: {tokenId: $id, full: false}) { syncRun { id } } }`;
    const terms = () => alertsOf(dep.token.id, { kinds: ['DEP_TERMS_NOT_ACCEPTED'] });
    const waitFor = async (done: (alerts: any[]) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const alerts = await terms();
        if (done(alerts)) return alerts;
        await new Promise((r) => setTimeout(r, 50));
      }
      return terms();
    };

    await t.simControl('POST', `/_sim/servers/${dep.serverUuid}/terms`, { signed: false });
    t.clock.advance(HOUR_MS);
    await t.ok(SYNC, { id: dep.token.id });
    expect(brief(await waitFor((a) => a.length > 0))).toEqual(['DEP_TERMS_NOT_ACCEPTED:-:CRITICAL']);

    await t.simControl('POST', `/_sim/servers/${dep.serverUuid}/terms`, { signed: true });
    await syncIdle(dep.token.id);
    t.clock.advance(HOUR_MS);
    await t.ok(SYNC, { id: dep.token.id });
    expect(await waitFor((a) => a.length === 0)).toEqual([]);
  });

  it('DEP_SYNC_FAILING after 3 days without a successful sync, resolved by the next success', async () => {
    const dep = await uploadDep(t);
    const id = rowId(dep.token.id);
    await syncIdle(dep.token.id);
    const setLastSuccess = (at: Date) => t.app.dataSource.query(`UPDATE dep_tokens SET last_successful_sync_at = $2, last_sync_error = 'Apple DEP UNAVAILABLE' WHERE id = $1`, [id, at]);

    await setLastSuccess(new Date(t.clock.now().getTime() - 3 * DAY_MS + HOUR_MS));
    await t.app.services.alerts.evaluateDepToken(id);
    expect(await alertsOf(dep.token.id, { kinds: ['DEP_SYNC_FAILING'] })).toEqual([]);

    await setLastSuccess(new Date(t.clock.now().getTime() - 3 * DAY_MS));
    await t.app.services.alerts.evaluateDepToken(id);
    const [alert] = await alertsOf(dep.token.id, { kinds: ['DEP_SYNC_FAILING'] });
    expect(alert).toMatchObject({ kind: 'DEP_SYNC_FAILING', severity: 'WARNING', threshold: 3 });
    expect(alert.message).toMatch(/has not synced successfully for 3 days.*Last error: Apple DEP UNAVAILABLE/);

    await setLastSuccess(t.clock.now());
    await t.app.services.alerts.evaluateDepToken(id);
    expect(await alertsOf(dep.token.id, { kinds: ['DEP_SYNC_FAILING'] })).toEqual([]);
  });

  it('a token that never synced counts from its upload', async () => {
    const dep = await uploadDep(t);
    await syncIdle(dep.token.id);
    await t.app.dataSource.query(`UPDATE dep_tokens SET last_successful_sync_at = NULL, created_at = $2 WHERE id = $1`, [
      rowId(dep.token.id),
      new Date(t.clock.now().getTime() - 4 * DAY_MS),
    ]);
    await t.app.services.alerts.evaluateDepToken(rowId(dep.token.id));
    expect((await alertsOf(dep.token.id, { kinds: ['DEP_SYNC_FAILING'] }))[0].message).toMatch(/none since the upload/);
  });
});

describe('VPP token expiry and Company Portal licences', () => {
  it('follow the simulator through refreshes: LOW, EXHAUSTED (superseding), cleared when licences are added', async () => {
    const { location, vppToken } = await uploadVpp(t, { total: 100, assigned: 0, name: 'Licences' });
    const id = vppToken.id;
    const licences = async () => brief(await alertsOf(id, { kinds: ['VPP_LICENSES_LOW', 'VPP_LICENSES_EXHAUSTED'] }));
    expect(await licences()).toEqual([]);

    await setLicences(t, location.uId, 100, 91); // 9 left: fewer than VPP_LICENSES_LOW (10)
    await t.ok(REFRESH_VPP, { id });
    expect(await licences()).toEqual(['VPP_LICENSES_LOW:-:WARNING']);
    const [low] = await alertsOf(id, { kinds: ['VPP_LICENSES_LOW'] });
    expect(low.message).toMatch(/only 9 of 100 Company Portal licences left/);

    await setLicences(t, location.uId, 100, 100);
    await t.app.services.vppTokens.refreshAll(); // the scheduled path
    expect(await licences()).toEqual(['VPP_LICENSES_EXHAUSTED:-:CRITICAL']);
    expect((await alertsOf(id, { kinds: ['VPP_LICENSES_LOW'], status: 'RESOLVED' }))[0].resolution).toBe('SUPERSEDED');

    await setLicences(t, location.uId, 300, 100);
    await t.ok(REFRESH_VPP, { id });
    expect(await licences()).toEqual([]);
    expect((await alertsOf(id, { kinds: ['VPP_LICENSES_EXHAUSTED'], status: 'RESOLVED' }))[0].resolution).toBe('CLEARED');

    await setLicences(t, location.uId, 1000, 950); // 50 left: more than 10 but under 10 %
    await t.ok(REFRESH_VPP, { id });
    expect(await licences()).toEqual(['VPP_LICENSES_LOW:-:WARNING']);
  });

  it('no licence alerts for a token that holds no Company Portal licences and serves no profile', async () => {
    const { vppToken } = await uploadVpp(t, { total: null });
    expect(await alertsOf(vppToken.id)).toEqual([]);
  });

  it('expiry crossings from the upload on, Apple refusing the token, and renewal clearing both', async () => {
    const { location, vppToken } = await uploadVpp(t, { expiresInDays: 20 });
    const id = vppToken.id;
    const expiry = async () => brief(await alertsOf(id, { kinds: ['VPP_TOKEN_EXPIRING', 'VPP_TOKEN_EXPIRED', 'VPP_TOKEN_REVOKED'] }));
    expect(await expiry()).toEqual(['VPP_TOKEN_EXPIRING:30:INFO']);

    // Apple moves the expiry closer: the next refresh reads it and crosses 7 days.
    await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/expiry`, { expiresAt: new Date(t.clock.now().getTime() + 6 * DAY_MS).toISOString() });
    await t.ok(REFRESH_VPP, { id });
    expect(await expiry()).toEqual(['VPP_TOKEN_EXPIRING:7:WARNING']);

    await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/revoke`, {});
    await t.ok(REFRESH_VPP, { id });
    // A revocation has its own kind (issue #9), not the expiry's.
    expect(await expiry()).toEqual(['VPP_TOKEN_REVOKED:-:CRITICAL']);
    expect((await alertsOf(id, { kinds: ['VPP_TOKEN_REVOKED'] }))[0].message).toMatch(/Apple no longer accepts VPP token .*revoked/);

    const renewed = await t.simControl('POST', `/_sim/vpp/locations/${location.uId}/renew`, {
      expiresAt: new Date(t.clock.now().getTime() + 365 * DAY_MS).toISOString(),
    });
    await t.ok(RENEW_VPP, { input: { vppTokenId: id, tokenFile: renewed.tokenFile } });
    expect(await expiry()).toEqual([]);
    const resolved = await alertsOf(id, { kinds: ['VPP_TOKEN_EXPIRING', 'VPP_TOKEN_EXPIRED', 'VPP_TOKEN_REVOKED'], status: 'RESOLVED' });
    expect(resolved.map((a) => `${a.kind}:${a.resolution}`).sort()).toEqual([
      'VPP_TOKEN_EXPIRING:SUPERSEDED',
      'VPP_TOKEN_EXPIRING:SUPERSEDED',
      'VPP_TOKEN_REVOKED:CLEARED',
    ]);
  });

  it('a VPP token past its date is EXPIRED at the next scheduled pass', async () => {
    const { vppToken } = await uploadVpp(t, { expiresInDays: 2 });
    t.clock.advance(2 * DAY_MS + 1);
    await t.app.services.alerts.evaluateAll();
    expect(brief(await alertsOf(vppToken.id, { kinds: ['VPP_TOKEN_EXPIRING', 'VPP_TOKEN_EXPIRED'] }))).toEqual(['VPP_TOKEN_EXPIRED:-:CRITICAL']);
  });
});

describe('the scheduled jobs', () => {
  it('are cron-scheduled on pg-boss, and a job of each queue does the pass', async () => {
    const schedules: { name: string; cron: string }[] = await t.app.dataSource.query(`SELECT name, cron FROM pgboss.schedule ORDER BY name`);
    expect(schedules).toEqual(
      expect.arrayContaining([
        { name: ALERTS_EVALUATE_QUEUE, cron: ALERTS_EVALUATE_CRON },
        { name: VPP_REFRESH_QUEUE, cron: VPP_REFRESH_CRON },
      ]),
    );

    const { location, vppToken } = await uploadVpp(t, { expiresInDays: 40, total: 100, assigned: 0 });
    const waitFor = async (kinds: string[]) => {
      for (let i = 0; i < 200; i++) {
        const alerts = await alertsOf(vppToken.id, { kinds });
        if (alerts.length) return alerts;
        await new Promise((r) => setTimeout(r, 50));
      }
      return [];
    };
    t.clock.advance(11 * DAY_MS);
    await t.app.services.jobs.send(ALERTS_EVALUATE_QUEUE, {});
    expect(brief(await waitFor(['VPP_TOKEN_EXPIRING']))).toEqual(['VPP_TOKEN_EXPIRING:30:INFO']);

    await setLicences(t, location.uId, 100, 100);
    await t.app.services.jobs.send(VPP_REFRESH_QUEUE, {});
    expect(brief(await waitFor(['VPP_LICENSES_EXHAUSTED']))).toEqual(['VPP_LICENSES_EXHAUSTED:-:CRITICAL']);
  });
});

describe('listing and acknowledging', () => {
  it('acknowledgeAlert records who and when, once; the alert stays active; filters see it', async () => {
    const dep = await uploadDep(t, { expiresInDays: 10 });
    const [alert] = await alertsOf(dep.token.id, { kinds: EXPIRY });
    const operator = await t.createKey('OPERATOR');
    const reader = await t.createKey('READER');
    const ACK = `mutation ($id: ID!) { acknowledgeAlert(input: {alertId: $id}) { alert { ${ALERT_FIELDS} } } }`;

    expect((await t.gql(ACK, { id: alert.id }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const acked = (await t.ok(ACK, { id: alert.id }, operator)).acknowledgeAlert.alert;
    expect(acked).toMatchObject({ id: alert.id, active: true, acknowledgedBy: expect.stringMatching(/^operator-/) });
    expect(new Date(acked.acknowledgedAt).getTime()).toBe(t.clock.now().getTime());

    t.clock.advance(HOUR_MS);
    const again = (await t.ok(ACK, { id: alert.id })).acknowledgeAlert.alert;
    expect(again.acknowledgedAt).toBe(acked.acknowledgedAt);
    expect(again.acknowledgedBy).toBe(acked.acknowledgedBy);

    expect((await alertsOf(dep.token.id, { acknowledged: true })).map((a) => a.id)).toContain(alert.id);
    expect((await alertsOf(dep.token.id, { acknowledged: false })).map((a) => a.id)).not.toContain(alert.id);
    expect((await alertsOf(dep.token.id, { severities: ['CRITICAL'] })).map((a) => a.id)).not.toContain(alert.id);
    const node = await t.ok(`query ($id: ID!) { node(id: $id) { ... on Alert { kind acknowledgedBy } } }`, { id: alert.id });
    expect(node.node.kind).toBe('DEP_TOKEN_EXPIRING');
  });

  it('refuses a subjectId that is not a token, and needs READER to list', async () => {
    const res = await t.gql(ALERTS, { f: { subjectId: 'nonsense' } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const reader = await t.createKey('READER');
    expect((await t.gql(`{ alerts { totalCount } }`, undefined, reader)).errors).toBeUndefined();
  });
});

describe('configured thresholds', () => {
  let c: TestApp;
  beforeAll(async () => {
    c = await startTestApp({ simulator: true, env: { ALERT_EXPIRY_DAYS: '10,3', VPP_LICENSES_LOW: '50' } });
  });
  afterAll(() => c.close());

  it('ALERT_EXPIRY_DAYS and VPP_LICENSES_LOW change when alerts are raised', async () => {
    const dep = await uploadDep(c, { expiresInDays: 20 });
    const vpp = await uploadVpp(c, { expiresInDays: 9, total: 1000, assigned: 960 }); // 40 left: < 50
    const kinds = async (id: string) =>
      ((await c.ok(ALERTS, { f: { subjectId: id, kinds: [...EXPIRY, 'VPP_TOKEN_EXPIRING', 'VPP_LICENSES_LOW'] } })).alerts.edges as any[])
        .map((e) => `${e.node.kind}:${e.node.threshold ?? '-'}`)
        .sort();
    expect(await kinds(dep.token.id)).toEqual([]);
    expect(await kinds(vpp.vppToken.id)).toEqual(['VPP_LICENSES_LOW:-', 'VPP_TOKEN_EXPIRING:10']);
    c.clock.advance(18 * DAY_MS);
    await c.app.services.alerts.evaluateAll();
    expect(await kinds(dep.token.id)).toEqual(['DEP_TOKEN_EXPIRING:3']);
  });
});
