/**
 * Apple's answer says more_to_follow but carries no cursor: asking again would repeat the same
 * page (on a fetch, the first page) until the run's 15-minute deadline. The run fails at once with
 * a code instead, keeping what that page brought.
 */
import { startTestApp, type TestApp } from '../../support/test-app';
import { lastRun, uploadToken, waitForIdle } from './sync-support';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ simulator: true, sync: true });
});
afterAll(() => t.close());

it('fails the run with APPLE_UNAVAILABLE when more_to_follow comes without a cursor', async () => {
  await t.simControl('POST', '/_sim/faults', {
    status: 200,
    body: { devices: [], more_to_follow: true, fetched_until: t.clock.now().toISOString() },
    count: 1,
    path: '/server/devices',
  });
  const token = await uploadToken(t, { devices: 3, waitFirstSync: false });
  const run = await waitForIdle(t, token.rowId);
  expect(run).toMatchObject({ status: 'FAILED', error_code: 'APPLE_UNAVAILABLE' });
  const requests = (await t.simControl('GET', '/_sim/requests?path=/server/devices')).requests;
  expect(requests.length).toBeLessThanOrEqual(2);
  expect((await lastRun(t, token.rowId)).id).toBe(run.id);
});
