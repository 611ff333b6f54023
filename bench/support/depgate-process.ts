/**
 * depgate forked into a Node process of its own (support/query-target.ts, kind `depgate`, the flags
 * of `npm start`, compiled JavaScript as the image runs it: support/compiled-sources.ts), talking to a simulator that stays in the bench process. What the ingest section
 * syncs through: the simulator holds the whole fleet in memory, and a shared process would put its
 * fleet (and the bench's own heap) into the server's RSS; here `measure()` returns the server
 * process's alone.
 *
 * The bench reads sync runs over a connection of its own (one, like the poll it replaces).
 */
import { Pool } from 'pg';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { depgateEnv, gqlClient, type BenchSyncControl } from './depgate';
import { startTargetProcess, type TargetProcess } from './target-process';

export interface ForkedDepgate extends BenchSyncControl {
  /** The deployment's environment (SECRET_KEY included, so another instance can read its tokens). */
  env: Record<string, string>;
  key: string;
  sim: RunningSimulator;
  target: TargetProcess;
  /** Stops the server process and the bench's connection (once); `keepSim` leaves the simulator running. */
  stop(options?: { keepSim?: boolean }): Promise<void>;
}

export async function forkDepgate(databaseUrl: string): Promise<ForkedDepgate> {
  const sim = await startSimulator({ port: 0, host: '127.0.0.1' });
  const env = depgateEnv(databaseUrl, sim.url);
  let target: TargetProcess;
  try {
    target = await startTargetProcess('depgate', env);
  } catch (error) {
    await sim.close();
    throw error;
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  let serverStopped = false;
  let simClosed = false;
  return {
    env,
    key: env.BOOTSTRAP_API_KEY,
    sim,
    target,
    gql: gqlClient(target.url, env.BOOTSTRAP_API_KEY),
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    async stop(options = {}) {
      if (!serverStopped) {
        serverStopped = true;
        await target.stop();
        await pool.end();
      }
      if (!options.keepSim && !simClosed) {
        simClosed = true;
        await sim.close();
      }
    },
  };
}
