/**
 * What "nothing changed" means for the fuzz suite: every table of depgate's database (row count
 * and a hash of the rows), pg-boss's queue, and the simulator's own records (MDM servers, their
 * devices with their profile assignments, the profiles defined at Apple, VPP locations).
 *
 * pg-boss's jobs count by id, without the ones its cron creates by itself.
 * Left out, on purpose: audit_events (a refused mutation is recorded there by design, issue #9's
 * audit trail), api_keys.last_used_at (authentication marks a key used, refused or not) and
 * api_key_rate_limits (each request takes a token from its key's bucket, refused or not), and the
 * progress of a device deletion job an earlier, accepted case started.
 */
import type { TestApp } from '../test-app';

const IGNORED_TABLES = new Set(['audit_events', 'api_key_rate_limits', 'migrations', 'typeorm_metadata']);
const VOLATILE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_keys: ['last_used_at'],
  // A deleteDevices an earlier case was granted runs in the background: its progress moves while
  // later cases run. A refused request still may not add a deletion (the row count and the rest).
  device_deletions: ['status', 'deleted', 'error', 'started_at', 'finished_at'],
};

export type StateSnapshot = Record<string, string>;

export function stateSnapshotter(t: TestApp): () => Promise<StateSnapshot> {
  let query: string | undefined;
  return async () => {
    if (!query) {
      const tables: { name: string }[] = await t.app.dataSource.query(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      );
      const hasBoss = (await t.app.dataSource.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AND to_regclass('pgboss.schedule') IS NOT NULL AS ok`))[0].ok as boolean;
      const parts = tables
        .filter(({ name }) => !IGNORED_TABLES.has(name))
        .map(({ name }) => {
          const row = ['to_jsonb(x)', ...(VOLATILE_COLUMNS[name] ?? []).map((c) => `'${c}'`)].join(' - ');
          return `SELECT '${name}' AS name, count(*) || ':' || md5(coalesce(string_agg((${row})::text, '|' ORDER BY (${row})::text), '')) AS state FROM "${name}" x`;
        });
      // The jobs requests queue, by id: cron jobs (pg-boss creates them on its own schedule) and
      // pg-boss's own bookkeeping aside; jobs change state as workers run them, so ids only.
      if (hasBoss) {
        parts.push(
          `SELECT 'pgboss.job' AS name, count(*) || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) AS state FROM pgboss.job ` +
            `WHERE name NOT IN (SELECT name FROM pgboss.schedule) AND name NOT LIKE '\\_\\_pgboss%'`,
        );
      }
      query = parts.join('\nUNION ALL\n');
    }
    const rows: { name: string; state: string }[] = await t.app.dataSource.query(query);
    const snapshot: StateSnapshot = Object.fromEntries(rows.map((r) => [r.name, r.state]));
    if (t.sim) {
      const { servers } = await t.simControl('GET', '/_sim/servers');
      for (const server of servers as { serverUuid: string }[]) {
        const [devices, profiles] = await Promise.all([
          t.simControl('GET', `/_sim/servers/${server.serverUuid}/devices?full=true`),
          t.simControl('GET', `/_sim/servers/${server.serverUuid}/profiles`),
        ]);
        snapshot[`apple:${server.serverUuid}`] = JSON.stringify({ server, devices, profiles });
      }
      snapshot['apple:vpp'] = JSON.stringify(await t.simControl('GET', '/_sim/vpp/locations'));
    }
    return snapshot;
  };
}
