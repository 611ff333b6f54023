/**
 * One question to PostgreSQL per polling interval, for every queue at once: which queues hold a
 * job that may start now? pg-boss 10 has each worker poll its own queue (a fetch every second or
 * two per worker, a dozen or two workers per instance), which at rest is nearly all the CPU an
 * idle instance spends. With this check the workers sleep on a slow safety-net interval and are
 * woken only when their queue has work, so a job queued by another instance (or by cron, or a
 * retry or delayed job coming due) still starts within the interval, while an idle instance sends
 * one statement per interval instead of one per worker.
 *
 * The statement reads pg-boss's job table the way its fetch does (`state < 'active'` and
 * `start_after < now()`, served by its partial index job_i5), counting at most as many jobs per
 * queue as that queue has idle workers to wake.
 */
import type PgBoss from 'pg-boss';
import type { Logger } from '../logger';

export interface ReadinessOptions {
  db: PgBoss.Db;
  /** pg-boss's schema (a plain identifier, as pg-boss itself interpolates it). */
  schema: string;
  logger: Logger;
  /** Asked before each check: queue name -> idle workers on this instance. Queues without idle workers are left out. */
  idleWorkers(): Map<string, number>;
  /** Asked before each wait: ms until the next check (the shortest polling interval of the workers). */
  intervalMs(): number;
  /** Told that `queue` has `due` jobs that may start now (at most its idle worker count). */
  onDue(queue: string, due: number): void;
}

export class QueueReadiness {
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private stopped = true;
  /** Failures in a row: logged once when they start, so a database outage does not flood the log. */
  private failures = 0;
  private readonly sql: string;

  constructor(private readonly options: ReadinessOptions) {
    this.sql = `
      SELECT q.name, d.due
        FROM unnest($1::text[], $2::int[]) AS q(name, idle)
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS due
            FROM (SELECT 1 FROM ${options.schema}.job j
                   WHERE j.name = q.name AND j.state < 'active' AND j.start_after < now()
                   LIMIT q.idle) AS ready
        ) AS d
       WHERE d.due > 0`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Resolves once no check is in flight, so the pool it runs on may be closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private schedule(): void {
    if (this.stopped) return;
    // Unref'd like pg-boss's own waits: the server and pools keep a running process alive.
    this.timer = setTimeout(() => {
      this.checking = this.check().finally(() => {
        this.checking = undefined;
        this.schedule();
      });
    }, this.options.intervalMs()).unref();
  }

  private async check(): Promise<void> {
    const idle = this.options.idleWorkers();
    if (idle.size === 0) return;
    try {
      const { rows } = await this.options.db.executeSql(this.sql, [[...idle.keys()], [...idle.values()]]);
      if (this.failures > 0) this.options.logger.info({ failures: this.failures }, 'job readiness check recovered');
      this.failures = 0;
      if (this.stopped) return;
      for (const row of rows as { name: string; due: number }[]) this.options.onDue(row.name, row.due);
    } catch (err) {
      // The workers' own slow polling still runs; the next check tries again.
      if (this.failures++ === 0) this.options.logger.warn({ err: { message: String((err as Error)?.message ?? err) } }, 'job readiness check failed');
    }
  }
}
