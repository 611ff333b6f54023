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
 *   fanout-1-instance-clients-apart-p50/-p99  ms, all on one instance, the clients in a child
 *                                process: the server's event loop no longer decodes their frames
 *   fanout-server-cpu-per-event  CPU ms of the server's process per delivered event, clients apart
 * Every subscriber must receive every event of the run (the bench fails otherwise).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Topic, type SyncRunChangedEvent } from '../src/events/topics';
import type { BenchContext } from './support/context';
import { fullResync, isFinalStatus, startDepgate, syncedToken, type BenchDepgate } from './support/depgate';
import type { FromClients, ToClients } from './support/fanout-clients';
import { connect, keyOf, watch, type Watcher } from './support/fanout-watch';
import { percentile } from './support/load';
import { benchResult, emit, note } from './support/result';
import { intFromEnv } from './support/sections';

interface Measured {
  p50: number;
  p99: number;
  delivered: number;
  cpuMs: number;
}

/** Subscribers to measure: ready once all are subscribed; per subscriber, its receipt times (this process's performance.now()). */
interface Subscribers {
  ready: Promise<unknown>;
  receipts(runId: string): Promise<Map<string, number>[]>;
}

const inProcess = (watchers: Watcher[]): Subscribers => ({
  ready: Promise.all(watchers.map((w) => w.started)),
  receipts: async (runId) => (await Promise.all(watchers.map((w) => w.done(runId))), watchers.map((w) => w.received)),
});

/** `count` subscribers in a child process (bench/support/fanout-clients.ts). */
function apart(url: string, key: string, tokenId: string, count: number): Subscribers & { stop(): void } {
  const child = fork(join(__dirname, 'support', 'fanout-clients.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // stdout is the bench's JSON lines
  });
  const answer = <T extends FromClients['type']>(type: T) =>
    new Promise<Extract<FromClients, { type: T }>>((resolve, reject) => {
      const on = (m: FromClients) => {
        if (m.type !== type && m.type !== 'failed') return;
        child.off('message', on);
        if (m.type === 'failed') reject(new Error(`fanout: ${m.message}`));
        else resolve(m as Extract<FromClients, { type: T }>);
      };
      child.on('message', on);
    });
  const tell = (m: ToClients) => child.send(m);
  const ready = answer('connected');
  tell({ type: 'connect', url, key, tokenId, count });
  return {
    ready,
    async receipts(runId) {
      const collected = answer('collected');
      tell({ type: 'collect', runId });
      const { receipts } = await collected;
      return receipts.map((pairs) => new Map(pairs.map(([k, at]) => [k, at - performance.timeOrigin])));
    },
    stop: () => (child.connected ? tell({ type: 'stop' }) : undefined),
  };
}

/** One full sync watched by `subscribers`; the reference times come from instance `d`'s channel. */
async function measureRun(d: BenchDepgate, tokenId: string, subscribers: Subscribers): Promise<Measured> {
  await subscribers.ready;
  const reference = new Map<string, number>();
  const listening = (async () => {
    for await (const event of d.app.services.events.pubSub.subscribe(Topic.SYNC_RUN_CHANGED) as AsyncIterable<SyncRunChangedEvent>) {
      const key = keyOf(event.runId, event);
      if (!reference.has(key)) reference.set(key, performance.now());
      if (isFinalStatus(event.status)) return;
    }
  })();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const { id: runId } = await fullResync(d, tokenId);
  await listening;
  const receipts = await subscribers.receipts(runId);
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const keys = [...reference.keys()].filter((k) => k.startsWith(`${runId}|`));
  const latencies: number[] = [];
  for (const received of receipts) {
    for (const k of keys) {
      const at = received.get(k);
      if (at === undefined) throw new Error(`fanout: a subscriber missed event ${k}`);
      latencies.push(at - reference.get(k)!);
    }
  }
  latencies.sort((a, b) => a - b);
  if (process.env.BENCH_FANOUT_DETAIL) {
    note(`fanout: event loop delay during the run p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    // Per event: when its first and last receipt came (does the spread or the start dominate?).
    for (const k of keys) {
      const got = receipts.map((r) => r.get(k)! - reference.get(k)!).sort((a, b) => a - b);
      note(`fanout: event ${k.split('|').slice(1).join('|')} at ${(reference.get(k)! - reference.get(keys[0])!).toFixed(0)} ms: first ${got[0].toFixed(1)} p50 ${percentile(got, 50).toFixed(1)} last ${got[got.length - 1].toFixed(1)} ms`);
    }
  }
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
  let clients: ReturnType<typeof apart> | undefined;
  try {
    const { tokenId } = await syncedToken(d, devices);
    second = await startDepgate(databaseUrl, { ...env, SECRET_KEY: d.config.secretKey! }, { sim: d.sim });

    const one = [watch(d.app.server.url, d.key, tokenId)];
    const single = await measureRun(d, tokenId, inProcess(one));
    one[0].stop();
    note(`fanout: 1 subscriber p50 ${single.p50.toFixed(1)} ms p99 ${single.p99.toFixed(1)} ms, ${single.delivered} events`);

    await connect(watchers, subscribers, () => watch(d.app.server.url, d.key, tokenId));
    const oneInstance = await measureRun(d, tokenId, inProcess(watchers));
    note(`fanout: ${subscribers} subscribers on one instance p50 ${oneInstance.p50.toFixed(1)} ms p99 ${oneInstance.p99.toFixed(1)} ms, ${oneInstance.delivered} deliveries`);
    emit(benchResult('fanout-1-instance-p50', oneInstance.p50, 'ms', single.p50, 'lower'));
    emit(benchResult('fanout-1-instance-p99', oneInstance.p99, 'ms', single.p99, 'lower'));
    emit(benchResult('fanout-cpu-per-event', (oneInstance.cpuMs - single.cpuMs) / (oneInstance.delivered - single.delivered), 'ms', null, 'lower'));

    // Half of them move to the second instance.
    for (const w of watchers.splice(0, Math.floor(subscribers / 2))) w.stop();
    await connect(watchers, Math.floor(subscribers / 2), () => watch(second!.app.server.url, d.key, tokenId));
    const twoInstances = await measureRun(d, tokenId, inProcess(watchers));
    note(`fanout: split over two instances p50 ${twoInstances.p50.toFixed(1)} ms p99 ${twoInstances.p99.toFixed(1)} ms`);
    emit(benchResult('fanout-2-instances-p50', twoInstances.p50, 'ms', single.p50, 'lower'));
    emit(benchResult('fanout-2-instances-p99', twoInstances.p99, 'ms', single.p99, 'lower'));

    // All on one instance again, the clients in a process of their own: what the server alone adds.
    for (const w of watchers.splice(0)) w.stop();
    clients = apart(d.app.server.url, d.key, tokenId, subscribers);
    const separate = await measureRun(d, tokenId, clients);
    note(`fanout: ${subscribers} subscribers in another process, one instance p50 ${separate.p50.toFixed(1)} ms p99 ${separate.p99.toFixed(1)} ms`);
    emit(benchResult('fanout-1-instance-clients-apart-p50', separate.p50, 'ms', single.p50, 'lower'));
    emit(benchResult('fanout-1-instance-clients-apart-p99', separate.p99, 'ms', single.p99, 'lower'));
    emit(benchResult('fanout-server-cpu-per-event', (separate.cpuMs - single.cpuMs) / (separate.delivered - single.delivered), 'ms', null, 'lower'));
  } finally {
    for (const w of watchers) w.stop();
    clients?.stop();
    await second?.stop();
    await d.stop();
  }
}
