/**
 * A thin layer over pg-boss 10 (v11+ needs Node 22): the queues depgate uses, workers, sends that
 * cannot vanish silently, per-key exclusivity across instances, and a stop that lets running jobs
 * finish.
 *
 * pg-boss 10 behaviours this layer exists for:
 * - A queue must be created before anything is sent to it, and a send into a missing queue
 *   resolves null, the same answer as a send that a queue policy deduplicated. Queues are
 *   declared with `defineQueue` and created at `start()`; `send` refuses undeclared queues and
 *   turns an unexplained null into an error.
 * - `createQueue` on an existing queue changes nothing, so `start()` also runs `updateQueue`:
 *   the options in code are the options in the database.
 * - The `singleton` and `stately` policies block the whole queue while a waiting job's key is
 *   running (the fetch's UPDATE hits their unique index and pg-boss swallows the error, returning
 *   no job at all): a second sync request for token A would hold up token B's sync. Exclusivity
 *   here therefore comes from advisory locks (see `WorkOptions.exclusive`), and the `short` policy
 *   is the one to pair with it (at most one *waiting* job per key, no fetch blocking).
 * - At a job's expiry pg-boss fails it but does not stop the handler. Handlers get an AbortSignal
 *   that fires then, and the key lock is held until the handler really returns.
 * - Two instances creating the same queue at once deadlock inside pg-boss's create_queue: queue
 *   setup is serialised across instances with an advisory lock.
 * - Options given as `undefined` fail pg-boss's asserts (`'retryLimit' in options`): they are
 *   dropped before every call.
 * - pg-boss's loops may turn once more after stop() and its `delay` requires a module on every
 *   call, which crashes a Jest worker after teardown: pg-boss-delay.ts gives it one without.
 * - Every pg-boss worker polls its own queue, so an idle instance asks PostgreSQL a dozen or more
 *   times a second. Here its workers poll only as a slow safety net (`SAFETY_NET_POLL_S`): one
 *   readiness check per polling interval asks which queues have a due job and wakes just those
 *   queues' idle workers (queue-readiness.ts), a send wakes this instance's workers of its queue,
 *   and a worker that ran a job fetches again at once (it drains a backlog without a pause).
 */
// First: it replaces pg-boss's delay before pg-boss's modules take it (see the file).
import './pg-boss-delay';
import PgBoss from 'pg-boss';
import { Client, Pool } from 'pg';
import { systemClock, systemSleep, type Clock, type Sleep } from '../clock';
import type { SqlRunner } from '../database/sql-runner';
import type { Logger } from '../logger';
import {
  JobExpiredError,
  JobKeyLockLostError,
  JobNotQueuedError,
  JobRunnerStateError,
  JobRunnerStoppingError,
  QueueNotFoundError,
  UnknownQueueError,
} from './jobs.errors';
import { advisoryLockId, tryAcquireKeyLock } from './key-lock';
import { QueueReadiness } from './queue-readiness';

/**
 * pg-boss's own poll interval of every worker: only a safety net behind the readiness check (a
 * check that failed, a wake-up lost in a race), so it may be slow.
 */
export const SAFETY_NET_POLL_S = 60;
/** pg-boss's default worker polling interval, seconds. */
const DEFAULT_POLL_S = 2;
/** pg-boss's minimum polling interval, seconds. */
const MIN_POLL_S = 0.5;

/** What `withKeyIfFree` answers: the callback's value, or that the key was busy (the callback did not run). */
export type KeyIfFree<R> = { free: true; value: R } | { free: false };

export type QueuePolicy = 'standard' | 'short' | 'singleton' | 'stately';

export interface QueueOptions {
  /**
   * pg-boss's storage policy. `standard`: no limits. `short`: at most one waiting job per
   * singletonKey (later sends answer `duplicate`). `singleton`: at most one active job per key;
   * `stately`: one waiting and one active per key - both block the queue while a waiting job's
   * key is running (see the module comment). Default `standard`.
   */
  policy?: QueuePolicy;
  /** Retries after the first failure. pg-boss default 2. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A job still active after this is failed (and retried); its handler's signal aborts. pg-boss default 15 min, max < 24 h. */
  expireInSeconds?: number;
  retentionMinutes?: number;
  /** A queue defined earlier that receives jobs failing for good. */
  deadLetter?: string;
}


export interface SendOptions {
  /** Deduplication key for `short`/`singleton`/`stately` queues (e.g. the token id). */
  singletonKey?: string;
  /**
   * When the job may start: a Date on the runner's clock, or seconds from now. Converted to a
   * delay that PostgreSQL adds to its own now(), so instance clocks (and test clocks) cannot skew it.
   */
  startAfter?: Date | number;
  priority?: number;
  retryLimit?: number;
  expireInSeconds?: number;
  /** Insert the job on this executor, e.g. a transaction's QueryRunner: stored only if it commits. */
  executor?: SqlRunner;
}

export type SendResult = { queued: true; jobId: string } | { queued: false; jobId: null; reason: 'duplicate' };

export interface JobContext<T> {
  id: string;
  queue: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  singletonKey: string | null;
  /**
   * Aborts at the job's expiry, when the runner stops before the job finished (not graceful, or
   * past the graceful timeout), and when the connection holding the key lock broke. `reason` is
   * a JobExpiredError, JobRunnerStoppingError or JobKeyLockLostError. Pass it to I/O.
   */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<unknown>;

/**
 * What a worker does with a job whose key another worker (on any instance) is running:
 * - `skip` (default): complete it at once with output `{ skipped: 'key-busy' }`. Skip, don't
 *   wait: the running job does the work.
 * - `{ retryAfterSeconds }`: complete it and send a copy (same data and singletonKey) that may
 *   start after that delay, so the work is done once the key is free; on a `short` queue copies
 *   coalesce into the one already waiting.
 */
export type WhenBusy = 'skip' | { retryAfterSeconds: number };

export interface ExclusiveOptions<T> {
  /** The key at most one job runs for at a time, across every instance (e.g. `data.tokenId`). */
  key(data: T): string;
  /** Lock namespace; queues sharing a scope share their keys (a full and a delta sync). Default: the queue name. */
  scope?: string;
  whenBusy?: WhenBusy;
  /** Told when a job was skipped or deferred because its key was busy (e.g. to mark a run). */
  onBusy?(job: JobContext<T>): void | Promise<void>;
}

export interface WorkOptions<T> {
  /** Jobs this instance runs at once on this queue (one pg-boss worker, batch size 1, each). Default 1. */
  concurrency?: number;
  /**
   * Seconds within which a job queued elsewhere (another instance, cron, a retry coming due) is
   * noticed while the queue's workers are idle; pg-boss's minimum is 0.5. The instance's readiness
   * check runs at the shortest interval of its workers.
   */
  pollingIntervalSeconds?: number;
  exclusive?: ExclusiveOptions<T>;
}

export interface StopOptions {
  /**
   * true (default): stop fetching, let running jobs finish for up to `timeoutMs`, then abort the
   * rest. false: abort running jobs now. Aborted jobs are failed, so pg-boss retries them.
   */
  graceful?: boolean;
  /** Default 30000. */
  timeoutMs?: number;
}

export interface JobRunnerOptions {
  connectionString: string;
  logger: Logger;
  /** Reads `SendOptions.startAfter` Dates. Default: the system clock. */
  clock?: Clock;
  /** Waits out the graceful stop's `timeoutMs`. Default: real timers; tests pass a ManualClock's. */
  sleep?: Sleep;
  /** Default `pgboss`. */
  schema?: string;
  /** application_name of pg-boss's connections. Default `depgate-jobs`. */
  applicationName?: string;
  /** pg-boss's pool size. Default 10. Exclusive workers use a pool of their own (one per running job). */
  maxConnections?: number;
  /** Default poll interval of workers, seconds (min 0.5). pg-boss default 2. */
  pollingIntervalSeconds?: number;
  /** Run pg-boss's cron scheduler on this instance. Default true. */
  cron?: boolean;
  /** Run pg-boss's maintenance (expiry, archiving) on this instance. Default true. */
  maintenance?: boolean;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

interface Registration {
  queue: string;
  handler: JobHandler<any>;
  options: WorkOptions<any>;
  lockPool?: Pool;
  workers: WorkerSlot[];
}

/** One pg-boss worker (batch size 1) and whether it is running a job now. */
interface WorkerSlot {
  id: string;
  busy: boolean;
}

interface RunningJob {
  controller: AbortController;
  /** Makes pg-boss stop waiting for the handler (the job is failed); the handler itself winds down on its signal. */
  abandon(reason: Error): void;
  /** Settles when the handler really returned and its key lock is released. */
  settled: Promise<void>;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** pg-boss asserts on keys that are present with an undefined value. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function errorFields(err: unknown): { message: string; code?: string } {
  const e = err as { message?: string; code?: string };
  return defined({ message: String(e?.message ?? err), code: e?.code });
}

export class JobRunner {
  private readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private state: State = 'new';
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private readonly queues = new Map<string, QueueOptions>();
  private readonly registrations: Registration[] = [];
  private readonly running = new Set<RunningJob>();
  /** Connections for `withKeyIfFree` (made on first use): never the workers' lock pools, so a check cannot hold up a job. */
  private keyPool?: Pool;
  private readonly readiness: QueueReadiness;

  constructor(private readonly options: JobRunnerOptions) {
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? systemSleep;
    this.boss = new PgBoss(
      defined({
        connectionString: options.connectionString,
        schema: options.schema ?? 'pgboss',
        application_name: options.applicationName ?? 'depgate-jobs',
        max: options.maxConnections ?? 10,
        pollingIntervalSeconds: options.pollingIntervalSeconds,
        schedule: options.cron ?? true,
        supervise: options.maintenance ?? true,
        migrate: true,
      }),
    );
    // pg-boss is an EventEmitter: an 'error' without a listener would crash the process.
    this.boss.on('error', (err: Error & { queue?: string; worker?: string }) => {
      this.logger.error({ err: errorFields(err), queue: err.queue }, 'job queue error');
    });
    this.readiness = new QueueReadiness({
      db: this.boss.getDb(),
      schema: options.schema ?? 'pgboss',
      logger: this.logger,
      idleWorkers: () => this.idleWorkers(),
      intervalMs: () => this.readinessIntervalMs(),
      onDue: (queue, due) => this.notifyWorkers(queue, due),
    });
  }

  /** Declares a queue; created (and its options applied) at start(), or now if already started. */
  async defineQueue(name: string, options: QueueOptions = {}): Promise<void> {
    if (!QUEUE_NAME.test(name)) throw new Error(`Invalid queue name "${name}": letters, digits, "_", "-", "." (max 100)`);
    if (options.deadLetter && !this.queues.has(options.deadLetter)) throw new UnknownQueueError(options.deadLetter);
    if (this.state === 'stopping' || this.state === 'stopped') throw new JobRunnerStateError('define a queue', this.state);
    this.queues.set(name, options);
    if (this.state === 'started') await this.ensureQueues([[name, options]]);
  }

  /** Registers a handler; workers start at start(), or now if already started. */
  async work<T extends object>(name: string, handler: JobHandler<T>, options: WorkOptions<T> = {}): Promise<void> {
    if (!this.queues.has(name)) throw new UnknownQueueError(name);
    if (this.state === 'stopping' || this.state === 'stopped') throw new JobRunnerStateError('add a worker', this.state);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a whole number >= 1');
    // pg-boss no longer sees this interval (its workers poll on the safety net): its minimum is kept here.
    if (options.pollingIntervalSeconds !== undefined && !(options.pollingIntervalSeconds >= MIN_POLL_S)) {
      throw new Error(`pollingIntervalSeconds must be at least ${MIN_POLL_S}`);
    }
    const registration: Registration = { queue: name, handler, options: { ...options, concurrency }, workers: [] };
    this.registrations.push(registration);
    if (this.state === 'started') await this.startWorkers(registration);
  }

  /** Installs or migrates pg-boss's schema, creates the declared queues, starts the workers. */
  start(): Promise<void> {
    if (this.state === 'started') return Promise.resolve();
    if (this.starting) return this.starting;
    if (this.state !== 'new') return Promise.reject(new JobRunnerStateError('start', this.state));
    this.state = 'starting';
    this.starting = (async () => {
      try {
        await this.boss.start();
        await this.ensureQueues([...this.queues]);
        this.state = 'started';
        for (const registration of this.registrations) await this.startWorkers(registration);
        this.readiness.start();
        this.logger.info({ queues: [...this.queues.keys()] }, 'job runner started');
      } catch (err) {
        this.state = 'stopped';
        await this.boss.stop({ graceful: false }).catch(() => undefined);
        throw err;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  /**
   * Sends a job. `{queued: false, reason: 'duplicate'}` means the queue's policy already holds a
   * job for that key (or throttle slot). Throws when the queue is unknown or missing in the
   * database: a job is never dropped without an answer.
   */
  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<SendResult> {
    if (this.state !== 'started' && this.state !== 'stopping') throw new JobRunnerStateError('send', this.state);
    const queue = this.queues.get(name);
    if (!queue) throw new UnknownQueueError(name);
    const startAfter = this.startAfterSeconds(options.startAfter);
    const jobId = await this.boss.send(
      name,
      data,
      defined({
        singletonKey: options.singletonKey,
        startAfter,
        priority: options.priority,
        retryLimit: options.retryLimit,
        expireInSeconds: options.expireInSeconds,
        db: options.executor ? executorAsDb(options.executor) : undefined,
      }),
    );
    if (jobId) {
      // Wake this instance's idle workers instead of waiting for their next poll.
      if (startAfter === undefined) this.notifyWorkers(name);
      return { queued: true, jobId };
    }
    const stored = await this.boss.getQueue(name);
    if (!stored) throw new QueueNotFoundError(name);
    if (stored.policy && stored.policy !== 'standard') return { queued: false, jobId: null, reason: 'duplicate' };
    throw new JobNotQueuedError(name);
  }

  /** A cron schedule (pg-boss's, evaluated by instances running with `cron`); one per queue. */
  async schedule<T extends object>(name: string, cron: string, data?: T, options: { tz?: string; singletonKey?: string } = {}): Promise<void> {
    if (this.state !== 'started') throw new JobRunnerStateError('schedule', this.state);
    if (!this.queues.has(name)) throw new UnknownQueueError(name);
    await this.boss.schedule(name, cron, data, defined({ tz: options.tz, singletonKey: options.singletonKey }));
  }

  async unschedule(name: string): Promise<void> {
    if (this.state !== 'started') throw new JobRunnerStateError('unschedule', this.state);
    await this.boss.unschedule(name);
  }

  /** A job with its state (`created`, `active`, `completed`, `retry`, `failed`...), or null. */
  async getJob<T = object>(name: string, id: string): Promise<PgBoss.JobWithMetadata<T> | null> {
    if (this.state !== 'started' && this.state !== 'stopping') throw new JobRunnerStateError('read a job', this.state);
    return this.boss.getJobById<T>(name, id, { includeArchive: true });
  }

  /**
   * Runs `fn` while holding the key's lock (the one exclusive workers of that scope take), if no
   * worker on any instance holds it: "is this key busy?" answered so that no job for the key can
   * start while the caller acts on the answer (e.g. recovering a run whose instance died).
   */
  async withKeyIfFree<R>(scope: string, key: string, fn: () => Promise<R>): Promise<KeyIfFree<R>> {
    if (this.state !== 'started') throw new JobRunnerStateError('check a key', this.state);
    this.keyPool ??= this.createLockPool(2, 'key-checks', (err) => this.logger.warn({ err: errorFields(err) }, 'job key-check pool error'));
    // A broken connection drops the lock; fn is one short transaction, so it is only logged (by the lock).
    const lock = await tryAcquireKeyLock(this.keyPool, scope, key, this.logger, () => undefined);
    if (!lock) return { free: false };
    try {
      return { free: true, value: await fn() };
    } finally {
      await lock.release();
    }
  }

  /** See StopOptions. Resolves once pg-boss is stopped, handlers have returned and locks are released. */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return Promise.resolve();
    }
    const graceful = options.graceful ?? true;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.stopping = (async () => {
      await this.starting?.catch(() => undefined);
      this.state = 'stopping';
      const abortAll = () => {
        for (const job of this.running) {
          const reason = new JobRunnerStoppingError();
          job.controller.abort(reason);
          job.abandon(reason);
        }
      };
      const grace = new AbortController();
      if (graceful) this.sleep(timeoutMs, grace.signal).then(abortAll, noop);
      else abortAll();
      try {
        // No more wake-ups; a check in flight finishes before pg-boss closes the pool it runs on.
        await this.readiness.stop();
        // pg-boss's own graceful path: workers stop fetching, it waits until no handler is in
        // flight, then fails what is still active and closes its pool. Abandoned handlers count as
        // returned, so this ends soon after abortAll.
        await this.boss.stop({ graceful: true, wait: true, close: true, timeout: timeoutMs + 2000 });
      } finally {
        grace.abort();
      }
      // Abandoned handlers may still be winding down; give them a moment to release their locks
      // (ending the lock pools below drops any lock still held in any case).
      await settleWithin(
        [...this.running].map((job) => job.settled),
        5000,
      );
      await Promise.all([...this.registrations.map((r) => r.lockPool), this.keyPool].map((pool) => pool?.end().catch(() => undefined)));
      this.state = 'stopped';
      this.logger.info({ graceful }, 'job runner stopped');
    })();
    return this.stopping;
  }

  /**
   * Creates the queues and applies their options, one instance at a time: pg-boss 10's
   * create_queue (insert + CREATE TABLE + ATTACH PARTITION) deadlocks when two instances create
   * the same queue at once, as a fleet starting together would.
   */
  private async ensureQueues(queues: [string, QueueOptions][]): Promise<void> {
    if (queues.length === 0) return;
    const client = new Client({
      connectionString: this.options.connectionString,
      application_name: `${this.options.applicationName ?? 'depgate-jobs'}-setup`,
    });
    client.on('error', (err) => this.logger.warn({ err: errorFields(err) }, 'job queue setup connection error'));
    await client.connect();
    try {
      const lockId = advisoryLockId('pg-boss queue setup', this.options.schema ?? 'pgboss');
      await client.query('SELECT pg_advisory_lock($1::bigint)', [lockId]);
      for (const [name, options] of queues) {
        const queue: PgBoss.Queue = defined({
          name,
          policy: options.policy ?? 'standard',
          retryLimit: options.retryLimit,
          retryDelay: options.retryDelaySeconds,
          retryBackoff: options.retryBackoff,
          expireInSeconds: options.expireInSeconds,
          retentionMinutes: options.retentionMinutes,
          deadLetter: options.deadLetter,
        });
        await this.boss.createQueue(name, queue);
        // createQueue leaves an existing queue as it was; this makes the database follow the code.
        await this.boss.updateQueue(name, queue);
      }
    } finally {
      // Ending the session releases the lock, also when a query above failed.
      await client.end().catch(() => undefined);
    }
  }

  private async startWorkers(registration: Registration): Promise<void> {
    const { queue, options } = registration;
    if (options.exclusive && !registration.lockPool) {
      registration.lockPool = this.createLockPool(options.concurrency!, 'locks', (err) =>
        this.logger.warn({ queue, err: errorFields(err) }, 'job lock pool error'),
      );
    }
    const pollingIntervalSeconds = Math.max(SAFETY_NET_POLL_S, this.pollSeconds(registration));
    for (let i = 0; i < options.concurrency!; i++) {
      const slot: WorkerSlot = { id: '', busy: false };
      slot.id = await this.boss.work<object>(queue, { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds }, async ([job]) => {
        slot.busy = true;
        try {
          return await this.runJob(registration, job);
        } finally {
          slot.busy = false;
          // Fetch again at once instead of sleeping out the interval: more may be waiting, and a
          // fetch that finds nothing costs one statement before the worker sleeps.
          if (this.state === 'started') this.boss.notifyWorker(slot.id);
        }
      });
      registration.workers.push(slot);
    }
  }

  private pollSeconds(registration: Registration): number {
    return registration.options.pollingIntervalSeconds ?? this.options.pollingIntervalSeconds ?? DEFAULT_POLL_S;
  }

  /** The readiness check's period: the shortest polling interval of the workers. */
  private readinessIntervalMs(): number {
    const seconds = this.registrations.map((r) => this.pollSeconds(r));
    return (seconds.length ? Math.min(...seconds) : DEFAULT_POLL_S) * 1000;
  }

  /** Queue -> idle workers, for the queues that have any. */
  private idleWorkers(): Map<string, number> {
    const idle = new Map<string, number>();
    for (const registration of this.registrations) {
      const n = registration.workers.filter((w) => !w.busy).length;
      if (n > 0) idle.set(registration.queue, (idle.get(registration.queue) ?? 0) + n);
    }
    return idle;
  }

  /** A pool whose connections hold session advisory locks (see key-lock.ts). */
  private createLockPool(max: number, role: string, onError: (err: Error) => void): Pool {
    const pool = new Pool({
      connectionString: this.options.connectionString,
      max,
      application_name: `${this.options.applicationName ?? 'depgate-jobs'}-${role}`,
      keepAlive: true,
    });
    pool.on('error', onError);
    return pool;
  }

  private async runJob(registration: Registration, job: PgBoss.JobWithMetadata<object>): Promise<unknown> {
    // A fetch already in flight when stop() began (slow under load) still hands pg-boss its job
    // afterwards. Running it would outlive stop(): its handler, and pg-boss's wait for that worker,
    // would go on after the database and the process's modules are gone. Refused, it is failed and
    // retried per its queue policy, like a job stop() aborts.
    if (this.state === 'stopping' || this.state === 'stopped') throw new JobRunnerStoppingError();
    const controller = new AbortController();
    const expireInSeconds = Number(job.expireInSeconds);
    const expiry = setTimeout(() => controller.abort(new JobExpiredError(expireInSeconds)), Math.max(1, expireInSeconds) * 1000);
    let abandon: (reason: Error) => void = () => undefined;
    const abandoned = new Promise<never>((_, reject) => (abandon = reject));
    abandoned.catch(() => undefined); // only ever observed through the race below
    const context: JobContext<object> = {
      id: job.id,
      queue: registration.queue,
      data: job.data,
      retryCount: job.retryCount ?? 0,
      singletonKey: job.singletonKey ?? null,
      signal: controller.signal,
      logger: this.logger.child({ queue: registration.queue, jobId: job.id }),
    };
    const execution = this.execute(registration, context, controller);
    const running: RunningJob = { controller, abandon, settled: execution.then(noop, noop) };
    this.running.add(running);
    void running.settled.then(() => {
      clearTimeout(expiry);
      this.running.delete(running);
    });
    try {
      return await Promise.race([execution, abandoned]);
    } catch (err) {
      context.logger.warn({ err: errorFields(err), retryCount: context.retryCount }, 'job failed');
      throw err;
    }
  }

  private async execute(registration: Registration, job: JobContext<object>, controller: AbortController): Promise<unknown> {
    const exclusive = registration.options.exclusive;
    if (!exclusive) return registration.handler(job);
    const key = exclusive.key(job.data);
    const lock = await tryAcquireKeyLock(registration.lockPool!, exclusive.scope ?? registration.queue, key, job.logger, () =>
      controller.abort(new JobKeyLockLostError()),
    );
    if (!lock) return this.whenBusy(registration, job, exclusive);
    try {
      return await registration.handler(job);
    } finally {
      await lock.release();
    }
  }

  private async whenBusy(registration: Registration, job: JobContext<object>, exclusive: ExclusiveOptions<object>): Promise<unknown> {
    const whenBusy = exclusive.whenBusy ?? 'skip';
    await exclusive.onBusy?.(job);
    if (whenBusy === 'skip') {
      job.logger.info('job skipped: its key is running elsewhere');
      return { skipped: 'key-busy' };
    }
    const copy = await this.send(registration.queue, job.data, {
      singletonKey: job.singletonKey ?? undefined,
      startAfter: whenBusy.retryAfterSeconds,
    });
    job.logger.info({ deferredJobId: copy.jobId }, 'job deferred: its key is running elsewhere');
    return { deferred: 'key-busy', jobId: copy.jobId };
  }

  /**
   * Wakes this instance's idle workers of a queue now. `send` does it itself, except that a job
   * sent on a transaction's executor is invisible until that transaction commits: call this after
   * the commit, or the workers only see the job at their next poll.
   */
  wake(name: string): void {
    if (this.state === 'started') this.notifyWorkers(name);
  }

  /** Wakes up to `limit` idle workers of the queue (default all); busy ones fetch again when their job ends anyway. */
  private notifyWorkers(name: string, limit = Infinity): void {
    if (this.state !== 'started') return;
    let left = limit;
    for (const registration of this.registrations) {
      if (registration.queue !== name) continue;
      for (const worker of registration.workers) {
        if (left <= 0) return;
        if (worker.busy) continue;
        this.boss.notifyWorker(worker.id);
        left--;
      }
    }
  }

  private startAfterSeconds(startAfter: Date | number | undefined): number | undefined {
    if (startAfter === undefined) return undefined;
    const seconds = startAfter instanceof Date ? (startAfter.getTime() - this.clock.now().getTime()) / 1000 : startAfter;
    if (!Number.isFinite(seconds)) throw new Error('startAfter must be a valid Date or a number of seconds');
    return seconds > 0 ? seconds : undefined;
  }
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  return new JobRunner(options);
}

function noop(): void {}

/** pg-boss's `db` option: its SQL on the caller's executor, with a pg-style `{rows}` answer. */
function executorAsDb(executor: SqlRunner): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = await executor.query(text, values);
      // TypeORM answers with the rows array; pg with a result object.
      return { rows: Array.isArray(result) ? result : ((result as { rows?: unknown[] })?.rows ?? []) };
    },
  };
}

async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(promises), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
