/**
 * The pg-boss wrapper against a real PostgreSQL. Two JobRunner instances on one database stand in
 * for two depgate processes. Workers poll every 0.5 s (pg-boss 10's minimum); waits poll for a
 * condition instead of sleeping a fixed time.
 */
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { MINUTE_MS, ManualClock } from '../../../src/clock';
import {
  createJobRunner,
  JobRunnerStoppingError,
  QueueNotFoundError,
  UnknownQueueError,
  type JobContext,
  type JobRunner,
  type JobRunnerOptions,
} from '../../../src/jobs';
import { createLogger } from '../../../src/logger';
import { createTestDatabase, type TestDatabase } from '../../support/database-server';
import { waitFor } from '../../support/wait-for';

let db: TestDatabase;
const logs: string[] = [];
const logger = createLogger(
  'info',
  new Writable({
    write(chunk, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  }),
);
const runners: JobRunner[] = [];

function runner(name: string, options: Partial<JobRunnerOptions> = {}): JobRunner {
  const r = createJobRunner({
    connectionString: db.url,
    logger: logger.child({ instance: name }),
    pollingIntervalSeconds: 0.5,
    cron: false,
    maintenance: false,
    ...options,
  });
  runners.push(r);
  return r;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function jobRow(id: string): Promise<{ state: string; output: any } | undefined> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT state, output FROM pgboss.job WHERE id = $1', [id]);
    return rows[0];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Install pg-boss's schema once, so concurrently started runners in the tests only check it.
  const installer = runner('installer');
  await installer.start();
  await installer.stop();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop({ graceful: false })));
});

afterAll(async () => {
  await db.drop();
});

it('runs a sent job on a worker and records it completed', async () => {
  const r = runner('a');
  await r.defineQueue('basic');
  const seen: JobContext<{ deviceCount: number }>[] = [];
  await r.work<{ deviceCount: number }>('basic', async (job) => {
    seen.push(job);
    return { pages: 3 };
  });
  await r.start();

  const sent = await r.send('basic', { deviceCount: 12 });
  expect(sent).toEqual({ queued: true, jobId: expect.any(String) });
  if (!sent.queued) throw new Error('not queued');

  await waitFor(async () => (await r.getJob('basic', sent.jobId))?.state === 'completed', 'completion');
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ id: sent.jobId, queue: 'basic', data: { deviceCount: 12 }, retryCount: 0 });
  expect((await r.getJob('basic', sent.jobId))?.output).toEqual({ pages: 3 });
});

it('processes each job once when two instances work the same queue', async () => {
  const counts = new Map<string, number>();
  const a = runner('a');
  const b = runner('b');
  for (const r of [a, b]) {
    await r.defineQueue('shared', { retryLimit: 0 });
    await r.work('shared', async (job) => {
      counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
      await new Promise((res) => setTimeout(res, 20));
    }, { concurrency: 2 });
  }
  await Promise.all([a.start(), b.start()]);

  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const sent = await (i % 2 ? a : b).send('shared', { i });
    if (sent.queued) ids.push(sent.jobId);
  }
  expect(ids).toHaveLength(20);

  await waitFor(() => counts.size === 20, 'all 20 jobs');
  await new Promise((r) => setTimeout(r, 1200)); // two more polls: a second delivery would show now
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  for (const id of ids) expect((await jobRow(id))?.state).toBe('completed');
});

it('refuses a send into an undeclared queue, and fails loudly when the queue vanished from the database', async () => {
  const r = runner('a');
  await r.defineQueue('doomed');
  await r.start();

  await expect(r.send('never-defined', {})).rejects.toBeInstanceOf(UnknownQueueError);

  // pg-boss itself would answer this send with a silent null.
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`SELECT pgboss.delete_queue('doomed')`);
  await admin.end();
  await expect(r.send('doomed', { x: 1 })).rejects.toBeInstanceOf(QueueNotFoundError);
});

it('lets several instances start together and create the same queues (no deadlock in create_queue)', async () => {
  const fleet = [runner('a'), runner('b'), runner('c')];
  for (const r of fleet) {
    for (const q of ['fleet-1', 'fleet-2', 'fleet-3']) await r.defineQueue(q, { policy: 'short', retryLimit: 1 });
  }
  await Promise.all(fleet.map((r) => r.start()));
  expect(await fleet[0].send('fleet-3', {})).toMatchObject({ queued: true });
});

it('applies changed queue options to an existing queue on start', async () => {
  const first = runner('a');
  await first.defineQueue('evolving', { retryLimit: 1 });
  await first.start();
  await first.stop();
  const second = runner('b');
  await second.defineQueue('evolving', { policy: 'short', retryLimit: 4 });
  await second.start();

  expect(await second.send('evolving', {}, { singletonKey: 'k' })).toMatchObject({ queued: true });
  expect(await second.send('evolving', {}, { singletonKey: 'k' })).toMatchObject({ queued: false, reason: 'duplicate' });
});

describe('one job per key at a time, across instances (short queue + advisory lock)', () => {
  interface SyncData {
    tokenId: string;
    n: number;
  }

  /** Two instances working one exclusive queue; A-1 blocks until released. */
  async function twoInstances(queue: string, whenBusy: 'skip' | { retryAfterSeconds: number }) {
    const releaseA1 = gate();
    const started: string[] = [];
    const finished: string[] = [];
    const busy: string[] = [];
    const running = new Map<string, number>();
    let maxPerKey = 0;
    const handler = async (job: JobContext<SyncData>) => {
      const { tokenId, n } = job.data;
      running.set(tokenId, (running.get(tokenId) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, running.get(tokenId)!);
      started.push(`${tokenId}-${n}`);
      try {
        if (tokenId === 'A' && n === 1) await releaseA1.opened;
      } finally {
        running.set(tokenId, running.get(tokenId)! - 1);
        finished.push(`${tokenId}-${n}`);
      }
    };
    const a = runner('a');
    const b = runner('b');
    for (const r of [a, b]) {
      await r.defineQueue(queue, { policy: 'short', retryLimit: 0 });
      await r.work<SyncData>(queue, handler, {
        concurrency: 2,
        exclusive: { key: (d) => d.tokenId, whenBusy, onBusy: (job) => void busy.push(job.id) },
      });
    }
    await Promise.all([a.start(), b.start()]);
    return { a, b, releaseA1, started, finished, busy, maxPerKey: () => maxPerKey };
  }

  it('answers duplicate to a second waiting job for the same key', async () => {
    const r = runner('a');
    await r.defineQueue('sync-dedupe', { policy: 'short' });
    await r.start(); // no worker: everything stays waiting

    expect(await r.send('sync-dedupe', { tokenId: 'A' }, { singletonKey: 'A' })).toMatchObject({ queued: true });
    expect(await r.send('sync-dedupe', { tokenId: 'A' }, { singletonKey: 'A' })).toEqual({ queued: false, jobId: null, reason: 'duplicate' });
    expect(await r.send('sync-dedupe', { tokenId: 'B' }, { singletonKey: 'B' })).toMatchObject({ queued: true });
  });

  it('skips a job whose key is running on another worker, while other keys run in parallel', async () => {
    const t = await twoInstances('sync-skip', 'skip');
    await t.a.send('sync-skip', { tokenId: 'A', n: 1 }, { singletonKey: 'A' });
    await waitFor(() => t.started.includes('A-1'), 'A-1 running');

    const a2 = await t.b.send('sync-skip', { tokenId: 'A', n: 2 }, { singletonKey: 'A' });
    const b1 = await t.b.send('sync-skip', { tokenId: 'B', n: 1 }, { singletonKey: 'B' });
    if (!a2.queued || !b1.queued) throw new Error('not queued');

    // Token B is not held up by token A (no head-of-line blocking) and A-2 is refused at once.
    await waitFor(() => t.finished.includes('B-1'), 'B-1 done while A-1 still runs');
    await waitFor(async () => (await jobRow(a2.jobId))?.state === 'completed', 'A-2 skipped');
    expect((await jobRow(a2.jobId))?.output).toEqual({ skipped: 'key-busy' });
    expect(t.busy).toEqual([a2.jobId]);
    expect(t.started).not.toContain('A-2');
    expect(t.finished).not.toContain('A-1');

    t.releaseA1.open();
    await waitFor(() => t.finished.includes('A-1'), 'A-1 done');
    expect(t.maxPerKey()).toBe(1);

    // With A-1 finished the key is free again.
    await t.a.send('sync-skip', { tokenId: 'A', n: 3 }, { singletonKey: 'A' });
    await waitFor(() => t.finished.includes('A-3'), 'A-3 done');
  });

  it('defers a busy job when asked, then runs it once the key is free, never alongside', async () => {
    const t = await twoInstances('sync-defer', { retryAfterSeconds: 1 });
    await t.a.send('sync-defer', { tokenId: 'A', n: 1 }, { singletonKey: 'A' });
    await waitFor(() => t.started.includes('A-1'), 'A-1 running');
    await t.b.send('sync-defer', { tokenId: 'A', n: 2 }, { singletonKey: 'A' });

    await waitFor(() => t.busy.length >= 1, 'A-2 deferred');
    expect(t.started).not.toContain('A-2');
    t.releaseA1.open();

    await waitFor(() => t.finished.includes('A-2'), 'A-2 run after A-1');
    expect(t.started.filter((s) => s === 'A-2')).toHaveLength(1);
    expect(t.finished.indexOf('A-1')).toBeLessThan(t.started.indexOf('A-2'));
    expect(t.maxPerKey()).toBe(1);
  });
  it('answers whether a key is busy, holding a free one while the caller acts (no job of that key starts meanwhile)', async () => {
    const t = await twoInstances('sync-check', 'skip');
    await t.a.send('sync-check', { tokenId: 'A', n: 1 }, { singletonKey: 'A' });
    await waitFor(() => t.started.includes('A-1'), 'A-1 running');

    const ran: string[] = [];
    // Same scope as the workers' locks (the queue name by default), asked from the other instance.
    expect(await t.b.withKeyIfFree('sync-check', 'A', async () => void ran.push('A'))).toEqual({ free: false });
    expect(ran).toEqual([]);

    const c1 = await t.b.withKeyIfFree('sync-check', 'C', async () => {
      const sent = await t.a.send('sync-check', { tokenId: 'C', n: 1 }, { singletonKey: 'C' });
      if (!sent.queued) throw new Error('not queued');
      await waitFor(async () => (await jobRow(sent.jobId))?.state === 'completed', 'C-1 skipped while the key is held');
      return sent.jobId;
    });
    if (!c1.free) throw new Error('key C should be free');
    expect((await jobRow(c1.value))?.output).toEqual({ skipped: 'key-busy' });
    expect(t.started).not.toContain('C-1');

    // Released afterwards: the key is free for workers (and checks) again.
    await t.a.send('sync-check', { tokenId: 'C', n: 2 }, { singletonKey: 'C' });
    await waitFor(() => t.finished.includes('C-2'), 'C-2 done');
    t.releaseA1.open();
    await waitFor(() => t.finished.includes('A-1'), 'A-1 done');
    expect(await t.b.withKeyIfFree('sync-check', 'A', async () => 'recovered')).toEqual({ free: true, value: 'recovered' });
  });
});

describe('stop()', () => {
  it('is graceful by default: a running job finishes and is recorded completed', async () => {
    const r = runner('a');
    await r.defineQueue('graceful');
    let started = false;
    let finished = false;
    let aborted = false;
    await r.work('graceful', async (job) => {
      started = true;
      await new Promise((res) => setTimeout(res, 400));
      aborted = job.signal.aborted;
      finished = true;
    });
    await r.start();
    const sent = await r.send('graceful', {});
    if (!sent.queued) throw new Error('not queued');
    await waitFor(() => started, 'the job to start');

    await r.stop();

    expect(finished).toBe(true);
    expect(aborted).toBe(false);
    expect((await jobRow(sent.jobId))?.state).toBe('completed');
    await expect(r.send('graceful', {})).rejects.toThrow(/stopped/);
  });

  it('never starts a job that a fetch still in flight when stop() began hands over afterwards', async () => {
    const r = runner('a');
    await r.defineQueue('late-fetch');
    let ran = false;
    await r.work('late-fetch', async () => {
      ran = true;
    });
    await r.start();
    const sent = await r.send('late-fetch', {}, { startAfter: new Date(Date.now() + 3600_000) });
    if (!sent.queued) throw new Error('not queued');
    // Hold the job table: the worker's next fetch waits on the lock; meanwhile the job becomes due,
    // so that fetch returns it once the lock goes, which is after stop() began.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE pgboss.job IN ACCESS EXCLUSIVE MODE');
      // An idle worker only fetches when woken (the readiness check waits on the lock too).
      r.wake('late-fetch');
      await waitFor(
        async () =>
          (
            await holder.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%WITH next as%'`,
            )
          ).rows[0].n > 0,
        'a fetch waiting on the lock',
      );
      await holder.query(`UPDATE pgboss.job SET start_after = now() - interval '1 minute' WHERE id = $1`, [sent.jobId]);
      const stopped = r.stop();
      await holder.query('COMMIT');
      await stopped;
    } finally {
      await holder.end();
    }
    expect(ran).toBe(false);
  });

  it('with graceful: false aborts the running job at once and leaves it to be retried', async () => {
    // The grace period runs on a clock nobody moves: an abort can only come from graceful: false.
    const clock = new ManualClock();
    const r = runner('a', { sleep: clock.sleep });
    await r.defineQueue('abrupt', { retryLimit: 1 });
    let started = false;
    let reason: unknown;
    await r.work('abrupt', async (job) => {
      started = true;
      await new Promise((res) => job.signal.addEventListener('abort', res));
      reason = job.signal.reason;
    });
    await r.start();
    const sent = await r.send('abrupt', {});
    if (!sent.queued) throw new Error('not queued');
    await waitFor(() => started, 'the job to start');

    await r.stop({ graceful: false });

    expect(clock.pendingSleeps()).toEqual([]); // no grace period was started
    expect(reason).toBeInstanceOf(JobRunnerStoppingError);
    expect((await jobRow(sent.jobId))?.state).toBe('retry');
  });

  it('aborts a job still running when the graceful timeout passes', async () => {
    const clock = new ManualClock();
    const r = runner('a', { sleep: clock.sleep });
    await r.defineQueue('slow', { retryLimit: 0 });
    let started = false;
    let reason: unknown;
    await r.work('slow', async (job) => {
      started = true;
      await new Promise((res) => job.signal.addEventListener('abort', res));
      reason = job.signal.reason;
      throw job.signal.reason;
    });
    await r.start();
    const sent = await r.send('slow', {});
    if (!sent.queued) throw new Error('not queued');
    await waitFor(() => started, 'the job to start');

    const stopped = r.stop({ graceful: true, timeoutMs: 5 * MINUTE_MS });
    await waitFor(() => clock.pendingSleeps().length === 1, 'the grace period to start');
    expect(clock.pendingSleeps()).toEqual([5 * MINUTE_MS]);
    clock.advance(5 * MINUTE_MS - 1);
    await new Promise((res) => setImmediate(res));
    expect(reason).toBeUndefined(); // still within the grace period
    clock.advance(1);
    await stopped;

    expect(reason).toBeInstanceOf(JobRunnerStoppingError);
    expect((await jobRow(sent.jobId))?.state).toBe('failed');
  });
});

it('reads a startAfter Date on its clock and hands PostgreSQL a delay', async () => {
  const clock = new ManualClock('2031-06-01T00:00:00Z'); // years away from the database's now()
  const r = runner('a', { clock });
  await r.defineQueue('later');
  await r.start();

  const sent = await r.send('later', {}, { startAfter: new Date(clock.now().getTime() + 3600_000) });
  if (!sent.queued) throw new Error('not queued');

  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  const { rows } = await admin.query('SELECT extract(epoch FROM start_after - now())::float AS delay FROM pgboss.job WHERE id = $1', [sent.jobId]);
  await admin.end();
  expect(rows[0].delay).toBeGreaterThan(3590);
  expect(rows[0].delay).toBeLessThan(3610);
});

it('stores a job sent on a transaction only if that transaction commits', async () => {
  const r = runner('a');
  await r.defineQueue('tx');
  await r.start();
  const tx = new Client({ connectionString: db.url });
  await tx.connect();
  try {
    await tx.query('BEGIN');
    const rolledBack = await r.send('tx', { n: 1 }, { executor: tx });
    await tx.query('ROLLBACK');
    await tx.query('BEGIN');
    const committed = await r.send('tx', { n: 2 }, { executor: tx });
    await tx.query('COMMIT');
    if (!rolledBack.queued || !committed.queued) throw new Error('not queued');

    expect(await r.getJob('tx', rolledBack.jobId)).toBeNull();
    expect(await r.getJob('tx', committed.jobId)).toMatchObject({ data: { n: 2 }, state: 'created' });
  } finally {
    await tx.end();
  }
});

it('keeps the connection string out of its logs', () => {
  expect(logs.length).toBeGreaterThan(0);
  expect(logs.some((l) => l.includes(db.url))).toBe(false);
});
