/**
 * depgate and the Apple simulator started in this process for a section, with an admin key, a
 * GraphQL client and the steps every section needs (a token with N simulated devices, waiting for
 * a sync run to end).
 */
import { randomBytes } from 'node:crypto';
import { startApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator';

/** What the run helpers need: GraphQL as the bench's admin, and SQL on depgate's database. */
export interface BenchSyncControl {
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  query(sql: string, params?: unknown[]): Promise<any[]>;
}

export interface BenchDepgate extends BenchSyncControl {
  app: App;
  config: Config;
  /** The environment the app was configured from (to start the same deployment in another process). */
  env: Record<string, string>;
  sim: RunningSimulator;
  key: string;
  stop(): Promise<void>;
}

export interface SyncRunRow {
  id: string;
  started_at: Date;
  finished_at: Date;
  status: string;
  devices_added: number;
}

export interface StartOptions {
  /** Talk to this simulator (a second instance of one deployment) instead of starting one; stop() leaves it running. */
  sim?: RunningSimulator;
  /** `false`: no sync workers, no scheduler, no sync after uploads (another process syncs). */
  sync?: false;
}

/**
 * The environment of a bench deployment: a fresh admin key and secret key, the simulator as Apple,
 * no rate limits on full syncs. `env` overrides any of it.
 */
export function depgateEnv(databaseUrl: string, simUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOOTSTRAP_API_KEY: `dg_bench_${randomBytes(16).toString('hex')}`,
    APPLE_DEP_API_URL: simUrl,
    LOG_LEVEL: 'warn',
    FULL_SYNC_MIN_INTERVAL_S: '0',
    MANUAL_SYNC_MIN_INTERVAL_S: '0',
    ...env,
  };
}

/** GraphQL over HTTP with an API key; throws on any error in the answer. */
export function gqlClient(url: string, key: string) {
  return async <T = any>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as any;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
}

export async function startDepgate(databaseUrl: string, env: Record<string, string> = {}, options: StartOptions = {}): Promise<BenchDepgate> {
  const sim = options.sim ?? (await startSimulator({ port: 0, host: '127.0.0.1' }));
  const appEnv = depgateEnv(databaseUrl, sim.url, env);
  const key = appEnv.BOOTSTRAP_API_KEY;
  const config = loadConfig(appEnv);
  const app = await startApp(config, { logger: createLogger('warn'), sync: options.sync === false ? { enabled: false } : undefined });
  return {
    app,
    config,
    env: appEnv,
    sim,
    key,
    gql: gqlClient(app.server.url, key),
    query: (sql, params) => app.dataSource.query(sql, params),
    async stop() {
      await app.stop();
      if (!options.sim) await sim.close();
    },
  };
}

/** The row id inside a global ID (`Type:rowId`, base64url). */
export function rowIdOf(globalId: string): string {
  return Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1];
}

/** A simulated MDM server with `devices` devices; uploading its token starts the first full sync. */
export async function simulatedServer(d: Pick<BenchDepgate, 'gql' | 'sim'>, devices: number, name = 'Bench MDM') {
  const keyPair = (await d.gql(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`)).createDepTokenKeyPair
    .keyPair;
  const server = d.sim.state.createServer({ certificatePem: keyPair.certificatePem, orgName: 'Bench Corp', serverName: name });
  d.sim.state.generateDevices(server.server, devices, {});
  const upload = async (): Promise<{ tokenId: string; tokenRowId: string }> => {
    const up = await d.gql(`mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`, {
      input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'bench@example.com', name },
    });
    const tokenId = up.uploadDepToken.token.id as string;
    return { tokenId, tokenRowId: rowIdOf(tokenId) };
  };
  return { server, upload };
}

/** A simulated server's token uploaded and its first full sync ended (the start of most sections). */
export async function syncedToken(d: BenchDepgate, devices: number, name?: string) {
  const { upload } = await simulatedServer(d, devices, name);
  const { tokenId, tokenRowId } = await upload();
  const firstRun = await waitRun(d, 'token_id = $1', [tokenRowId]);
  return { tokenId, tokenRowId, firstRun };
}

/** Asks for a full sync of the token through the API; resolves with the run once it has ended. */
export async function fullResync(d: BenchSyncControl, tokenId: string): Promise<SyncRunRow> {
  const asked = await d.gql(`mutation ($id: ID!) { syncDepToken(input: {tokenId: $id, full: true}) { syncRun { id } } }`, { id: tokenId });
  return waitRun(d, 'id = $1', [rowIdOf(asked.syncDepToken.syncRun.id)]);
}

/** A run in one of these has ended (the run row's status, and the last syncRunProgress event). */
export const isFinalStatus = (status: string) => ['SUCCEEDED', 'FAILED', 'TIMED_OUT'].includes(status);

/** Polls until the newest run matching the predicate has ended; throws unless it succeeded. */
export async function waitRun(d: Pick<BenchSyncControl, 'query'>, predicate: string, params: unknown[]): Promise<SyncRunRow> {
  for (;;) {
    const [run] = await d.query(`SELECT * FROM sync_runs WHERE ${predicate} ORDER BY seq DESC LIMIT 1`, params);
    if (run && isFinalStatus(run.status)) {
      if (run.status !== 'SUCCEEDED') throw new Error(`bench run ${run.status}: ${run.error_code} ${run.error_message}`);
      return run;
    }
    // The run's own timestamps give its duration, so a coarse poll costs no precision; a 20 ms one
    // was about 10 % of the database time of the runs the ingest section measures (not the baseline's).
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const runMs = (run: SyncRunRow) => run.finished_at.getTime() - run.started_at.getTime();
