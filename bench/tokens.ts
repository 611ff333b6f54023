/**
 * Section `tokens`: BENCH_TOKENS (default 2,000, Intune's per-tenant limit) DEP tokens, each its own
 * simulated MDM server. One is uploaded through the API; the rest are stored the way an upload
 * stores them (sealed credentials, a used key pair) without 2,000 RSA key generations.
 *
 * At rest (every token synced a moment ago, nothing due): what the background costs this process,
 * in % of one core, against the same measurement with one token:
 *   tokens-scheduler-pass-cpu  CPU ms of one scheduler pass (recovery, lost jobs, due syncs), default every 60 s
 *   tokens-alerts-pass-cpu     CPU ms of one alert evaluation of the fleet (the 15-minute cron)
 *   tokens-rest-cpu            % of a core: a quiet window (pg-boss polling, timers) plus both passes
 *                              at their periods; target < 1 %
 * Then a burst: every token due at once, one scheduler pass on each of two instances sharing the
 * database, and the 2,000 syncs drained by both instances' workers:
 *   tokens-burst-drain         syncs/s (no baseline)
 *   tokens-burst-overlaps      pairs of runs of one token that ran at the same time (must be 0)
 */
import { randomUUID } from 'node:crypto';
import { SecretBox } from '../src/crypto/secret-box';
import { sealCredentials } from '../src/tokens/dep-client.factory';
import { DepTokenEntity } from '../src/tokens/token.entity';
import type { BenchContext } from './support/context';
import { startDepgate, syncedToken, type BenchDepgate } from './support/depgate';
import { benchResult, emit, note } from './support/result';
import { intFromEnv } from './support/sections';

const SCHEDULER_PERIOD_MS = 60_000;
const ALERTS_PERIOD_MS = 15 * 60_000;

/** Tokens 2..n: a simulated server each, stored as an upload stores it. */
async function addTokens(d: BenchDepgate, first: DepTokenEntity, count: number): Promise<void> {
  const box = new SecretBox(d.config.secretKey!);
  const repo = d.app.dataSource.getRepository(DepTokenEntity);
  const [keyPair] = await d.app.dataSource.query(`SELECT * FROM dep_token_key_pairs WHERE id = $1`, [first.keyPairId]);
  const batch: DepTokenEntity[] = [];
  for (let i = 0; i < count; i++) {
    const { server } = d.sim.state.createServer({ certificatePem: keyPair.certificate_pem, orgName: 'Bench Corp', serverName: `Tenant ${i}` });
    const id = randomUUID();
    batch.push(
      repo.create({
        ...first,
        id,
        keyPairId: randomUUID(),
        name: `Tenant ${i}`,
        serverName: `Tenant ${i}`,
        serverUuid: server.uuid,
        consumerKey: server.consumerKey,
        credentialsSealed: sealCredentials(box, id, {
          consumerKey: server.consumerKey,
          consumerSecret: server.consumerSecret,
          accessToken: server.accessToken,
          accessSecret: server.accessSecret,
          accessTokenExpiry: server.accessTokenExpiry.toISOString(),
        }),
      }),
    );
    if (batch.length === 200 || i === count - 1) {
      // Each token's used key pair, a copy of the first token's, in one statement per batch.
      await d.app.dataSource.query(
        `INSERT INTO dep_token_key_pairs (id, certificate_pem, certificate_serial, private_key_sealed, data_sharing_consent_at, created_at, expires_at, used_at)
         SELECT k.id, p.certificate_pem, p.certificate_serial, p.private_key_sealed, p.data_sharing_consent_at, p.created_at, p.expires_at, now()
           FROM unnest($1::uuid[]) AS k(id), dep_token_key_pairs p WHERE p.id = $2`,
        [batch.map((t) => t.keyPairId), first.keyPairId],
      );
      await repo.insert(batch.splice(0));
    }
  }
}

/** Every token synced a moment ago: nothing is due. */
async function allSynced(d: BenchDepgate): Promise<void> {
  await d.app.dataSource.query(`UPDATE dep_tokens SET last_sync_triggered_at = now(), last_successful_sync_at = now()`);
}

async function cpuMs(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface RestCost {
  schedulerMs: number;
  alertsMs: number;
  percent: number;
}

async function restCost(d: BenchDepgate, quietMs: number): Promise<RestCost> {
  await allSynced(d);
  const scheduler: number[] = [];
  const alerts: number[] = [];
  for (let i = 0; i < 5; i++) scheduler.push(await cpuMs(() => d.app.services.sync.tick()));
  for (let i = 0; i < 3; i++) alerts.push(await cpuMs(() => d.app.services.alerts.evaluateAll()));
  const quiet = await cpuMs(() => new Promise((r) => setTimeout(r, quietMs)));
  const schedulerMs = median(scheduler);
  const alertsMs = median(alerts);
  const percent = (quiet / quietMs + schedulerMs / SCHEDULER_PERIOD_MS + alertsMs / ALERTS_PERIOD_MS) * 100;
  return { schedulerMs, alertsMs, percent };
}

export async function tokensSection(ctx: BenchContext): Promise<void> {
  const tokens = intFromEnv(process.env.BENCH_TOKENS, 2000);
  const quietMs = intFromEnv(process.env.BENCH_REST_MS, 20_000);
  const databaseUrl = await ctx.db.createDatabase();
  const d = await startDepgate(databaseUrl);
  let second: BenchDepgate | undefined;
  try {
    const { tokenRowId } = await syncedToken(d, 0, 'Tenant first');
    const one = await restCost(d, quietMs);

    const first = await d.app.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenRowId });
    await addTokens(d, first, tokens - 1);
    await d.app.dataSource.query(`ANALYZE`);
    note(`tokens: ${tokens} tokens stored`);
    const many = await restCost(d, quietMs);
    note(`tokens: at rest, 1 token ${one.percent.toFixed(3)} %, ${tokens} tokens ${many.percent.toFixed(3)} % of a core`);
    emit(benchResult(`tokens-scheduler-pass-cpu`, many.schedulerMs, 'ms', one.schedulerMs, 'lower'));
    emit(benchResult(`tokens-alerts-pass-cpu`, many.alertsMs, 'ms', one.alertsMs, 'lower'));
    emit(benchResult(`tokens-rest-cpu`, many.percent, '% of a core', one.percent, 'lower'));

    // The burst, on two instances of one deployment.
    second = await startDepgate(databaseUrl, { SECRET_KEY: d.config.secretKey! }, { sim: d.sim });
    const [{ since }] = await d.app.dataSource.query(`SELECT now() AS since`);
    await d.app.dataSource.query(`UPDATE dep_tokens SET last_sync_triggered_at = now() - interval '2 days'`);
    const started = Date.now();
    await Promise.all([d.app.services.sync.tick(), second.app.services.sync.tick()]);
    for (;;) {
      const [{ open, done }] = await d.app.dataSource.query(
        `SELECT count(*) FILTER (WHERE status IN ('QUEUED', 'RUNNING'))::int AS open, count(*) FILTER (WHERE status NOT IN ('QUEUED', 'RUNNING'))::int AS done
           FROM sync_runs WHERE queued_at >= $1`,
        [since],
      );
      if (open === 0 && done >= tokens) break;
      if (open === 0 && Date.now() - started > 5000) throw new Error(`tokens: only ${done} of ${tokens} syncs were queued`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainMs = Date.now() - started;
    const [{ runs, failed, tokens: synced, overlaps }] = await d.app.dataSource.query(
      `SELECT count(*)::int AS runs, count(*) FILTER (WHERE status <> 'SUCCEEDED')::int AS failed, count(DISTINCT token_id)::int AS tokens,
              (SELECT count(*)::int FROM sync_runs a JOIN sync_runs b ON a.token_id = b.token_id AND a.id < b.id
                WHERE a.queued_at >= $1 AND b.queued_at >= $1 AND a.started_at < b.finished_at AND b.started_at < a.finished_at) AS overlaps
         FROM sync_runs WHERE queued_at >= $1`,
      [since],
    );
    note(`tokens: burst of ${runs} syncs (${synced} tokens, ${failed} not succeeded) drained in ${(drainMs / 1000).toFixed(1)} s by two instances`);
    if (failed > 0) throw new Error(`tokens: ${failed} burst syncs did not succeed`);
    if (runs !== tokens || synced !== tokens) throw new Error(`tokens: ${runs} runs for ${synced} tokens, expected one each of ${tokens}`);
    emit(benchResult('tokens-burst-drain', (runs / drainMs) * 1000, 'syncs/s', null, 'higher'));
    emit(benchResult('tokens-burst-overlaps', overlaps, 'run pairs', null, 'lower'));
    if (overlaps > 0) throw new Error(`tokens: ${overlaps} pairs of runs of one token ran at the same time`);
  } finally {
    await second?.stop();
    await d.stop();
  }
}
