/**
 * The scheduled alert pass compares first and evaluates only where something would change
 * (AlertService.evaluateAll): at rest it evaluates no subject; a token that crossed a threshold, one
 * whose alert's cause went away and one whose status was not announced yet are evaluated, each
 * alone, and end as a full evaluation leaves them. On the injected clock.
 */
import { ALERTS_EVALUATE_QUEUE } from '../../../src/alerts/alert.jobs';
import { DAY_MS } from '../../../src/clock';
import { parseGlobalId } from '../../../src/graphql/global-id';
import { startTestApp, type TestApp } from '../../support/test-app';
import { uploadDep, uploadVpp } from '../../support/vpp-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true });
  // The test runs the pass itself and counts what it did; the quarter-hourly cron (real time) would race it.
  await t.app.services.jobs.unschedule(ALERTS_EVALUATE_QUEUE);
});
afterAll(() => t.close());

const rowId = (globalId: string) => parseGlobalId(globalId)!.id;

async function activeAlerts(): Promise<string[]> {
  const rows: { subject_name: string; kind: string; threshold: number }[] = await t.app.dataSource.query(
    `SELECT subject_name, kind, threshold FROM alerts WHERE resolved_at IS NULL`,
  );
  return rows.map((r) => `${r.subject_name}:${r.kind}:${r.threshold}`).sort();
}

it('evaluates nothing at rest, and each subject whose alerts or status would change, alone', async () => {
  // Uploads evaluate their token at once (and record its status), so the fleet starts at rest.
  await uploadDep(t, { expiresInDays: 31, name: 'Soon' });
  const late = await uploadDep(t, { expiresInDays: 365, name: 'Late' });
  const other = await uploadDep(t, { expiresInDays: 365, name: 'Other' });
  const vpp = (await uploadVpp(t, { expiresInDays: 31 })).vppToken.name;
  const { alerts } = t.app.services;
  expect(await alerts.evaluateAll()).toEqual({ tokens: 4, evaluated: 0, raised: 0, resolved: 0 });
  expect(await activeAlerts()).toEqual([]);

  // Two days on, "Soon" and the VPP token have 29 days left: they alone cross the 30-day threshold.
  t.clock.advance(2 * DAY_MS);
  expect(await alerts.evaluateAll()).toEqual({ tokens: 4, evaluated: 2, raised: 2, resolved: 0 });
  expect(await activeAlerts()).toEqual(['Soon:DEP_TOKEN_EXPIRING:30', `${vpp}:VPP_TOKEN_EXPIRING:30`].sort());
  expect(await alerts.evaluateAll()).toMatchObject({ evaluated: 0 });

  // Two more: none of the DEP tokens has synced since its upload (3 days). Then "Late" syncs:
  // its alert's cause went away, and it alone is evaluated, which resolves it.
  t.clock.advance(2 * DAY_MS);
  expect(await alerts.evaluateAll()).toEqual({ tokens: 4, evaluated: 3, raised: 3, resolved: 0 });
  await t.app.dataSource.query(`UPDATE dep_tokens SET last_successful_sync_at = $2 WHERE id = $1`, [rowId(late.token.id), t.clock.now()]);
  expect(await alerts.evaluateAll()).toEqual({ tokens: 4, evaluated: 1, raised: 0, resolved: 1 });
  expect(await activeAlerts()).toEqual(
    ['Other:DEP_SYNC_FAILING:3', 'Soon:DEP_SYNC_FAILING:3', 'Soon:DEP_TOKEN_EXPIRING:30', `${vpp}:VPP_TOKEN_EXPIRING:30`].sort(),
  );

  // A status last announced that is not the status now (what the token status announcer stores
  // and tells): evaluated though its alerts stand as they should, and the status is put right.
  await t.app.dataSource.query(`UPDATE dep_tokens SET announced_status = 'EXPIRED' WHERE id = $1`, [rowId(other.token.id)]);
  expect(await alerts.evaluateAll()).toEqual({ tokens: 4, evaluated: 1, raised: 0, resolved: 0 });
  const [{ announced_status }] = await t.app.dataSource.query(`SELECT announced_status FROM dep_tokens WHERE id = $1`, [rowId(other.token.id)]);
  expect(announced_status).toBe('ACTIVE');
  expect(await alerts.evaluateAll()).toMatchObject({ evaluated: 0 });
});
