/**
 * How an idle JobRunner watches its queues: one readiness check per polling interval for all of
 * them (not a fetch per worker), which wakes the workers of a queue that has a due job, also one
 * queued by another instance or coming due later. The runner under test talks to PostgreSQL
 * through a relay that records every statement it sends (test/support/pg-statement-log.ts).
 */
import { Writable } from 'node:stream';
import { createJobRunner, type JobRunner, type JobRunnerOptions } from '../../../src/jobs';
import { createLogger } from '../../../src/logger';
import { createTestDatabase, type TestDatabase } from '../../support/database-server';
import { statementLog, type StatementLog } from '../../support/pg-statement-log';
import { waitFor } from '../../support/wait-for';

let db: TestDatabase;
let log: StatementLog;
const logger = createLogger('warn', new Writable({ write: (_chunk, _enc, cb) => cb() }));
const runners: JobRunner[] = [];

function runner(options: Partial<JobRunnerOptions> = {}): JobRunner {
  const r = createJobRunner({ connectionString: db.url, logger, pollingIntervalSeconds: 0.5, cron: false, maintenance: false, ...options });
  runners.push(r);
  return r;
}

// pg-boss 10's fetch (plans.js fetchNextJob) and the runner's readiness check (queue-readiness.ts).
const isFetch = (sql: string) => /^\s*WITH next as/i.test(sql);
const isReadinessCheck = (sql: string) => /unnest\(\$1::text\[\], \$2::int\[\]\) AS q\(name, idle\)/.test(sql);
const since = (mark: number) => log.statements.slice(mark);

beforeAll(async () => {
  db = await createTestDatabase();
  log = await statementLog(db.url);
  // Install pg-boss's schema once, outside the relay.
  const installer = runner();
  await installer.start();
  await installer.stop();
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop({ graceful: false })));
});

afterAll(async () => {
  await log.close();
  await db.drop();
});

it('at rest sends one readiness check per interval for all its queues, and no fetch', async () => {
  const begin = log.statements.length;
  const r = runner({ connectionString: log.url });
  for (const queue of ['rest-a', 'rest-b', 'rest-c']) {
    await r.defineQueue(queue);
    await r.work(queue, async () => undefined, { concurrency: queue === 'rest-a' ? 2 : 1 });
  }
  await r.start();
  // Each of the 4 workers fetches once as it starts.
  await waitFor(() => since(begin).filter(isFetch).length >= 4, 'the workers’ first fetches');
  const mark = log.statements.length;

  await waitFor(() => since(mark).filter(isReadinessCheck).length >= 4, 'four readiness checks');

  // pg-boss's workers, left to themselves, would have sent about 16 fetches in those 4 intervals.
  expect(since(mark).filter(isFetch)).toEqual([]);
  expect(since(mark).every(isReadinessCheck)).toBe(true);
});

it('picks up a job another instance queued (no wake-up reaches this one) and one that comes due later', async () => {
  const begin = log.statements.length;
  const worker = runner({ connectionString: log.url });
  const other = runner();
  const ran: string[] = [];
  for (const r of [worker, other]) await r.defineQueue('elsewhere');
  await worker.work<{ n: string }>('elsewhere', async (job) => {
    ran.push(job.data.n);
  });
  await Promise.all([worker.start(), other.start()]);
  // Its first fetch, done: two checks went out after it (a job sent earlier could still meet that fetch).
  await waitFor(() => {
    const first = since(begin).findIndex(isFetch);
    return first >= 0 && since(begin + first).filter(isReadinessCheck).length >= 2;
  }, 'the worker’s first fetch and two checks');
  const mark = log.statements.length;

  await other.send('elsewhere', { n: 'from the other instance' });
  await waitFor(() => ran.length === 1, 'the job sent by the other instance');
  // It was the readiness check that woke the worker: it sat idle, not polling, until then.
  const firstFetch = since(mark).findIndex(isFetch);
  expect(since(mark).slice(0, firstFetch).filter(isReadinessCheck).length).toBeGreaterThan(0);

  await worker.send('elsewhere', { n: 'delayed' }, { startAfter: 1 });
  await waitFor(() => ran.length === 2, 'the delayed job');
  expect(ran).toEqual(['from the other instance', 'delayed']);
});

it('wakes only the workers of the queue with work', async () => {
  const begin = log.statements.length;
  const r = runner({ connectionString: log.url });
  const other = runner();
  let ran = 0;
  for (const queue of ['busy-queue', 'quiet-queue']) {
    await r.defineQueue(queue);
    await other.defineQueue(queue);
    await r.work(queue, async () => void ran++, { concurrency: 3 });
  }
  await Promise.all([r.start(), other.start()]);
  await waitFor(() => since(begin).filter(isFetch).length >= 6, 'the workers’ first fetches');
  const mark = log.statements.length;

  await other.send('busy-queue', {});
  await waitFor(() => ran === 1, 'the job');
  await waitFor(() => since(mark).filter(isReadinessCheck).length >= 3, 'two more checks');

  // pg-boss binds the queue name as $1 of its fetch: the relay sees only the text, which names no
  // queue, so the count is what shows it: one due job woke one worker (its fetch, then the fetch
  // again after the job that finds the queue empty), none of the other five.
  expect(since(mark).filter(isFetch)).toHaveLength(2);
});

it('refuses a polling interval under pg-boss’s minimum of 0.5 s, as pg-boss itself did', async () => {
  const r = runner();
  await r.defineQueue('too-eager');
  await expect(r.work('too-eager', async () => undefined, { pollingIntervalSeconds: 0.1 })).rejects.toThrow(/at least 0.5/);
});
