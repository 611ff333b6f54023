/**
 * Section `fanout`: BENCH_SUBSCRIBERS (default 1,000) graphql-ws clients, each on its own socket,
 * subscribed to one token's `syncRunProgress` during a full sync of BENCH_FANOUT_DEVICES (default
 * 20,000) devices. The reference time of each event is when the events channel (LISTEN/NOTIFY, fed
 * only after the event's transaction committed) hands it to an in-process listener on the first
 * instance; each client's receipt is timed against it.
 *
 *   fanout-1-instance-p50/-p99   ms, all subscribers on one instance   (target p99 < 100)
 *   fanout-2-instances-p50/-p99  ms, half on a second instance         (target p99 < 250)
 *     baseline of both: the same sync watched by ONE subscriber (what fan-out adds)
 *   fanout-cpu-per-event         CPU ms this process spends per delivered event beyond the
 *                                one-subscriber run (server and clients share the process)
 * Every subscriber must receive every event of the run (the bench fails otherwise).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Topic, type SyncRunChangedEvent } from '../src/events/topics';
import type { BenchContext } from './support/context';
import { fullResync, isFinalStatus, rowIdOf, startDepgate, syncedToken, type BenchDepgate } from './support/depgate';
import { percentile } from './support/load';
import { benchResult, emit, note } from './support/result';
import { intFromEnv } from './support/sections';

const SUBSCRIPTION = `subscription ($tokenId: ID!) { syncRunProgress(tokenId: $tokenId) {
  id status pagesFetched devicesAdded devicesModified devicesDeleted token { name } } }`;

interface Progress {
  id: string;
  status: string;
  pagesFetched: number;
  devicesAdded: number;
  devicesModified: number;
  devicesDeleted: number;
}

const keyOf = (runId: string, e: Omit<Progress, 'id'>) =>
  [runId, e.status, e.pagesFetched, e.devicesAdded, e.devicesModified, e.devicesDeleted].join('|');

interface Watcher {
  client: Client;
  /** performance.now() per event key, for every message received. */
  received: Map<string, number>;
  started: Promise<void>;
  done: (runId: string) => Promise<void>;
  stop(): void;
}

function watch(url: string, key: string, tokenId: string): Watcher {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const received = new Map<string, number>();
  let first: () => void;
  let failed: (error: Error) => void;
  const started = new Promise<void>((resolve, reject) => ((first = resolve), (failed = reject)));
  const finals = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  const finished = new Set<string>();
  const unsubscribe = client.subscribe<{ syncRunProgress: Progress }>(
    { query: SUBSCRIPTION, variables: { tokenId } },
    {
      next: ({ data }) => {
        const at = performance.now();
        const p = data!.syncRunProgress;
        const runId = rowIdOf(p.id);
        received.set(keyOf(runId, p), at);
        first();
        if (isFinalStatus(p.status)) {
          finished.add(runId);
          finals.get(runId)?.resolve();
        }
      },
      error: (error) => {
        // A CloseEvent or ErrorEvent stringifies to {}: its code and reason say what happened.
        const e = error as { code?: number; reason?: string; message?: string };
        failure = new Error(`fanout: a subscriber failed: ${e.code ?? ''} ${e.reason ?? e.message ?? JSON.stringify(error).slice(0, 200)}`);
        failed(failure);
        for (const f of finals.values()) f.reject(failure);
      },
      complete: () => undefined,
    },
  );
  return {
    client,
    received,
    started,
    done: (runId) =>
      finished.has(runId)
        ? Promise.resolve()
        : failure
          ? Promise.reject(failure)
          : new Promise<void>((resolve, reject) => finals.set(runId, { resolve, reject })),
    stop() {
      unsubscribe();
      void client.dispose();
    },
  };
}

/** Opens subscribers in batches (a loaded machine would miss graphql-ws's connection-init timeout). */
async function connect(into: Watcher[], count: number, open: () => Watcher): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, open);
    into.push(...batch);
    await Promise.all(batch.map((w) => w.started));
  }
}

interface Measured {
  p50: number;
  p99: number;
  delivered: number;
  cpuMs: number;
}

/** One full sync watched by `watchers`; the reference times come from instance `d`'s channel. */
async function measureRun(d: BenchDepgate, tokenId: string, watchers: Watcher[]): Promise<Measured> {
  await Promise.all(watchers.map((w) => w.started));
  const reference = new Map<string, number>();
  const listening = (async () => {
    for await (const event of d.app.services.events.pubSub.subscribe(Topic.SYNC_RUN_CHANGED) as AsyncIterable<SyncRunChangedEvent>) {
      const key = keyOf(event.runId, event);
      if (!reference.has(key)) reference.set(key, performance.now());
      if (isFinalStatus(event.status)) return;
    }
  })();
  const cpuBefore = process.cpuUsage();
  const { id: runId } = await fullResync(d, tokenId);
  await listening;
  await Promise.all(watchers.map((w) => w.done(runId)));
  const cpu = process.cpuUsage(cpuBefore);
  const keys = [...reference.keys()].filter((k) => k.startsWith(`${runId}|`));
  const latencies: number[] = [];
  for (const w of watchers) {
    for (const k of keys) {
      const at = w.received.get(k);
      if (at === undefined) throw new Error(`fanout: a subscriber missed event ${k}`);
      latencies.push(at - reference.get(k)!);
    }
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function fanoutSection(ctx: BenchContext): Promise<void> {
  const subscribers = intFromEnv(process.env.BENCH_SUBSCRIBERS, 1000);
  const devices = intFromEnv(process.env.BENCH_FANOUT_DEVICES, 20_000);
  const env = { WS_MAX_SOCKETS_PER_KEY: String(subscribers + 10) };
  const databaseUrl = await ctx.db.createDatabase();
  const d = await startDepgate(databaseUrl, env);
  let second: BenchDepgate | undefined;
  const watchers: Watcher[] = [];
  try {
    const { tokenId } = await syncedToken(d, devices);
    second = await startDepgate(databaseUrl, { ...env, SECRET_KEY: d.config.secretKey! }, { sim: d.sim });

    const one = [watch(d.app.server.url, d.key, tokenId)];
    const single = await measureRun(d, tokenId, one);
    one[0].stop();
    note(`fanout: 1 subscriber p50 ${single.p50.toFixed(1)} ms p99 ${single.p99.toFixed(1)} ms, ${single.delivered} events`);

    await connect(watchers, subscribers, () => watch(d.app.server.url, d.key, tokenId));
    const oneInstance = await measureRun(d, tokenId, watchers);
    note(`fanout: ${subscribers} subscribers on one instance p50 ${oneInstance.p50.toFixed(1)} ms p99 ${oneInstance.p99.toFixed(1)} ms, ${oneInstance.delivered} deliveries`);
    emit(benchResult('fanout-1-instance-p50', oneInstance.p50, 'ms', single.p50, 'lower'));
    emit(benchResult('fanout-1-instance-p99', oneInstance.p99, 'ms', single.p99, 'lower'));
    emit(benchResult('fanout-cpu-per-event', (oneInstance.cpuMs - single.cpuMs) / (oneInstance.delivered - single.delivered), 'ms', null, 'lower'));

    // Half of them move to the second instance.
    for (const w of watchers.splice(0, Math.floor(subscribers / 2))) w.stop();
    await connect(watchers, Math.floor(subscribers / 2), () => watch(second!.app.server.url, d.key, tokenId));
    const twoInstances = await measureRun(d, tokenId, watchers);
    note(`fanout: split over two instances p50 ${twoInstances.p50.toFixed(1)} ms p99 ${twoInstances.p99.toFixed(1)} ms`);
    emit(benchResult('fanout-2-instances-p50', twoInstances.p50, 'ms', single.p50, 'lower'));
    emit(benchResult('fanout-2-instances-p99', twoInstances.p99, 'ms', single.p99, 'lower'));
  } finally {
    for (const w of watchers) w.stop();
    await second?.stop();
    await d.stop();
  }
}
