/**
 * One server of the `queries` section in a process of its own (forked by support/target-process.ts):
 * `raw` (the raw SQL floor), `plain` (graphql-js with plain resolvers) or `depgate` (the real app).
 * Each target gets a fresh Node process with the same flags, so none inherits another's heap, JIT
 * state or process-wide switches (AsyncLocalStorage's promise hooks stay on for the whole process
 * once entered), and the CPU, statements and RSS measured are the server's alone, not the load
 * generator's.
 *
 * Protocol over the IPC channel: the child sends {ready, url}; the parent sends {measure: 'start'}
 * (answered {started}) and {measure: 'stop', label} (answered {measured, cpuMs, statements, peakRss, rssBefore}).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { sqlStatementCount } from './sql-capture';
// Types only: each process loads just the server it runs (a baseline never loads depgate).
import type * as AppModule from '../../src/app';
import type * as ConfigModule from '../../src/config';
import type * as LoggerModule from '../../src/logger';
import type * as BaselinesModule from './query-baselines';

export type TargetKind = 'raw' | 'plain' | 'depgate';

export interface Measured {
  measured: true;
  cpuMs: number;
  statements: number;
  peakRss: number;
  /** RSS when the window opened. */
  rssBefore: number;
}

async function start(kind: TargetKind): Promise<{ url: string }> {
  const databaseUrl = process.env.DATABASE_URL!;
  if (kind === 'depgate') {
    const { startApp } = require('../../src/app') as typeof AppModule;
    const { loadConfig } = require('../../src/config') as typeof ConfigModule;
    const { createLogger } = require('../../src/logger') as typeof LoggerModule;
    const app = await startApp(loadConfig(process.env), { logger: createLogger('warn') });
    return { url: app.server.url };
  }
  const { startQueryBaselines } = require('./query-baselines') as typeof BaselinesModule;
  const baselines = await startQueryBaselines(databaseUrl);
  return { url: kind === 'raw' ? baselines.rawUrl : baselines.plainUrl };
}

/**
 * BENCH_CPU_PROF_DIR: a V8 CPU profile of each measurement window alone (not the start-up), written
 * as `<kind>-<label>.cpuprofile` (open it in Chrome's DevTools). BENCH_HEAP_PROFILE=1 adds a
 * sampling heap profile of the same window (`<kind>-<label>.heapprofile`: what allocated, the
 * garbage collector's work).
 */
function windowProfiler(kind: TargetKind) {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir) return { start: async () => {}, stop: async (_label: string) => {} };
  const heap = process.env.BENCH_HEAP_PROFILE === '1';
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  const write = (label: string, extension: string, profile: unknown) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${kind}-${label}.${extension}`), JSON.stringify(profile));
  };
  return {
    start: async () => {
      await post('Profiler.enable');
      await post('Profiler.start');
      if (heap) await post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    },
    stop: async (label: string) => {
      write(label, 'cpuprofile', (await post('Profiler.stop')).profile);
      if (heap) write(label, 'heapprofile', (await post('HeapProfiler.stopSampling')).profile);
    },
  };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as TargetKind;
  sqlStatementCount(); // patch pg before anything connects
  const { url } = await start(kind);
  const profiler = windowProfiler(kind);
  let cpuBefore = process.cpuUsage();
  let statementsBefore = 0;
  let peakRss = 0;
  let rssBefore = 0;
  let sampler: NodeJS.Timeout | undefined;
  process.on('message', async (message: { measure?: 'start' | 'stop'; label?: string }) => {
    if (message.measure === 'start') {
      await profiler.start();
      cpuBefore = process.cpuUsage();
      statementsBefore = sqlStatementCount();
      peakRss = rssBefore = process.memoryUsage.rss();
      sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
      process.send!({ started: true });
    } else if (message.measure === 'stop') {
      clearInterval(sampler);
      const cpu = process.cpuUsage(cpuBefore);
      await profiler.stop(message.label ?? 'window');
      const answer: Measured = {
        measured: true,
        cpuMs: (cpu.user + cpu.system) / 1000,
        statements: sqlStatementCount() - statementsBefore,
        peakRss: Math.max(peakRss, process.memoryUsage.rss()),
        rssBefore,
      };
      process.send!(answer);
    }
  });
  // The parent going away (a failed bench) ends the target too; SIGTERM exits normally, so that a
  // CPU profile (BENCH_CPU_PROF_DIR) is written.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.send!({ ready: true, url });
}

main().catch((error) => {
  process.stderr.write(`query target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
