/**
 * `/metrics` in Prometheus format (prom-client), one registry per running instance.
 *
 * State that lives in the database (tokens, licences, alerts, sync runs) is read at scrape time,
 * so every instance reports the same fleet-wide values and nothing is lost when an instance
 * restarts; scrape one instance (or dedupe by labels) for those. GraphQL operations are counted
 * in memory per instance (sum them across instances).
 *
 * Labels carry token ids and names only: never a secret, never an Apple credential. GraphQL
 * operation names are the client's: they are checked against GraphQL's name syntax and capped
 * (MAX_OPERATION_NAMES) so a client cannot blow up the series count.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode, getOperationAST, type DocumentNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Logger } from '../logger';

export const METRICS_PATH = '/metrics';
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const ALERT_KINDS = [
  'DEP_TOKEN_EXPIRING',
  'DEP_TOKEN_EXPIRED',
  'DEP_TERMS_NOT_ACCEPTED',
  'DEP_SYNC_FAILING',
  'VPP_TOKEN_EXPIRING',
  'VPP_TOKEN_EXPIRED',
  'VPP_LICENSES_LOW',
  'VPP_LICENSES_EXHAUSTED',
] as const;

export type Transport = 'http' | 'ws';
export type Outcome = 'success' | 'error';

export interface MetricsDeps {
  dataSource: DataSource;
  clock: Clock;
  logger: Logger;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

const seconds = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() / 1000 : null);

export class DepgateMetrics {
  readonly registry = new Registry();
  private readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome' | 'transport'>;
  private readonly durations: Histogram<'operation_name' | 'operation_type' | 'outcome' | 'transport'>;
  private readonly names = new Set<string>();
  private readonly wsStarts = new WeakMap<object, Map<string, bigint>>();

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    if (deps.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'depgate_' });

    this.operations = new Counter({
      name: 'depgate_graphql_operations_total',
      help: 'GraphQL operations executed by this instance, by operation name, type, outcome (any error in the response = error) and transport',
      labelNames: ['operation_name', 'operation_type', 'outcome', 'transport'],
      registers,
    });
    this.durations = new Histogram({
      name: 'depgate_graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to its response (over WebSocket: to its first result or subscription start)',
      labelNames: ['operation_name', 'operation_type', 'outcome', 'transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });

    const db = (label: string, collect: (gauge: Gauge<string>) => Promise<void>) =>
      async function (this: Gauge<string>) {
        this.reset();
        try {
          await collect(this);
        } catch (err) {
          deps.logger.warn({ metric: label, err: { message: (err as Error).message } }, 'metric collection failed');
        }
      };
    const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> => deps.dataSource.query(sql, params);
    const now = () => deps.clock.now().getTime() / 1000;

    new Gauge({
      name: 'depgate_dep_token_expiry_timestamp_seconds',
      help: 'When each DEP token expires (Unix time)',
      labelNames: ['token_id', 'token_name'],
      registers,
      collect: db('dep_token_expiry', async (g) => {
        for (const r of await query<{ id: string; name: string; expires_at: Date }>(`SELECT id, name, expires_at FROM dep_tokens`)) {
          g.set({ token_id: r.id, token_name: r.name }, seconds(r.expires_at)!);
        }
      }),
    });
    new Gauge({
      name: 'depgate_vpp_token_expiry_timestamp_seconds',
      help: 'When each VPP (Apps and Books) token expires (Unix time)',
      labelNames: ['vpp_token_id', 'vpp_token_name'],
      registers,
      collect: db('vpp_token_expiry', async (g) => {
        for (const r of await query<{ id: string; name: string; expires_at: Date }>(`SELECT id, name, expires_at FROM vpp_tokens`)) {
          g.set({ vpp_token_id: r.id, vpp_token_name: r.name }, seconds(r.expires_at)!);
        }
      }),
    });
    new Gauge({
      name: 'depgate_dep_token_seconds_since_last_successful_sync',
      help: 'Seconds since each DEP token last synced successfully (since its upload when it never did)',
      labelNames: ['token_id', 'token_name'],
      registers,
      collect: db('dep_token_sync_age', async (g) => {
        const rows = await query<{ id: string; name: string; since: Date }>(
          `SELECT id, name, COALESCE(last_successful_sync_at, created_at) AS since FROM dep_tokens`,
        );
        for (const r of rows) g.set({ token_id: r.id, token_name: r.name }, Math.max(0, now() - seconds(r.since)!));
      }),
    });
    const licences = (name: string, help: string, column: string) =>
      new Gauge({
        name,
        help,
        labelNames: ['vpp_token_id', 'vpp_token_name'],
        registers,
        collect: db(name, async (g) => {
          const rows = await query<{ id: string; name: string; n: number }>(
            `SELECT id, name, ${column} AS n FROM vpp_tokens WHERE ${column} IS NOT NULL`,
          );
          for (const r of rows) g.set({ vpp_token_id: r.id, vpp_token_name: r.name }, Number(r.n));
        }),
      });
    licences('depgate_company_portal_licenses_available', 'Company Portal licences available on each VPP token (last read from Apple)', 'cp_available_count');
    licences('depgate_company_portal_licenses_purchased', 'Company Portal licences held by each VPP token (last read from Apple)', 'cp_total_count');
    new Gauge({
      name: 'depgate_alerts_active',
      help: 'Active (unresolved) alerts by kind',
      labelNames: ['kind'],
      registers,
      collect: db('alerts_active', async (g) => {
        for (const kind of ALERT_KINDS) g.set({ kind }, 0);
        for (const r of await query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM alerts WHERE resolved_at IS NULL GROUP BY kind`)) {
          g.set({ kind: r.kind }, Number(r.n));
        }
      }),
    });

    // Sync runs, from the sync_runs table (every instance's runs).
    const runDuration = `EXTRACT(EPOCH FROM (finished_at - COALESCE(started_at, queued_at)))`;
    new Gauge({
      name: 'depgate_sync_runs',
      help: 'Sync runs recorded, by kind and outcome (QUEUED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT)',
      labelNames: ['kind', 'outcome'],
      registers,
      collect: db('sync_runs', async (g) => {
        for (const r of await query<{ kind: string; status: string; n: number }>(`SELECT kind, status, count(*)::int AS n FROM sync_runs GROUP BY 1, 2`)) {
          g.set({ kind: r.kind, outcome: r.status }, Number(r.n));
        }
      }),
    });
    const durationStat = (name: string, help: string, aggregate: string) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind', 'outcome'],
        registers,
        collect: db(name, async (g) => {
          const rows = await query<{ kind: string; status: string; v: string | number }>(
            `SELECT kind, status, ${aggregate}(${runDuration}) AS v FROM sync_runs WHERE finished_at IS NOT NULL GROUP BY 1, 2`,
          );
          for (const r of rows) g.set({ kind: r.kind, outcome: r.status }, Number(r.v));
        }),
      });
    durationStat('depgate_sync_run_duration_seconds_sum', 'Total duration of finished sync runs (divide by depgate_sync_runs for the mean)', 'sum');
    durationStat('depgate_sync_run_duration_seconds_max', 'Longest finished sync run', 'max');
    new Gauge({
      name: 'depgate_sync_run_last_duration_seconds',
      help: "Duration of each DEP token's most recent finished sync run, labelled with its outcome",
      labelNames: ['token_id', 'token_name', 'outcome'],
      registers,
      collect: db('sync_run_last', async (g) => {
        const rows = await query<{ token_id: string; name: string; status: string; v: string | number }>(
          `SELECT DISTINCT ON (r.token_id) r.token_id, t.name, r.status, ${runDuration.replace(/finished_at|started_at|queued_at/g, 'r.$&')} AS v
             FROM sync_runs r JOIN dep_tokens t ON t.id = r.token_id
            WHERE r.finished_at IS NOT NULL
            ORDER BY r.token_id, r.finished_at DESC`,
        );
        for (const r of rows) g.set({ token_id: r.token_id, token_name: r.name, outcome: r.status }, Number(r.v));
      }),
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** One GraphQL operation. */
  recordOperation(op: { name: string | null | undefined; type: string | undefined; outcome: Outcome; transport: Transport; seconds: number }): void {
    const labels = { operation_name: this.operationName(op.name, op.type), operation_type: op.type ?? 'unknown', outcome: op.outcome, transport: op.transport };
    this.operations.inc(labels);
    this.durations.observe(labels, op.seconds);
  }

  /** Counts HTTP operations (Apollo runs plugins on HTTP only). */
  apolloPlugin(): ApolloServerPlugin {
    const metrics = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        return {
          async willSendResponse(rc) {
            const body = rc.response.body;
            const failed = Boolean(rc.errors?.length) || (body.kind === 'single' && Boolean(body.singleResult.errors?.length));
            metrics.recordOperation({
              name: rc.operation ? (rc.operationName ?? null) : undefined,
              type: rc.operation?.operation,
              outcome: failed ? 'error' : 'success',
              transport: 'http',
              seconds: Number(process.hrtime.bigint() - started) / 1e9,
            });
          },
        };
      },
    };
  }

  /** graphql-ws `onSubscribe`: remembers when the operation arrived. `socketKey` is the socket's extra object. */
  wsSubscribed(socketKey: object, id: string): void {
    let starts = this.wsStarts.get(socketKey);
    if (!starts) this.wsStarts.set(socketKey, (starts = new Map()));
    starts.set(id, process.hrtime.bigint());
  }

  /** graphql-ws `onOperation`: the operation executed (query/mutation) or its subscription started. */
  wsOperated(socketKey: object, id: string, document: DocumentNode, operationName: string | null | undefined, result: unknown): void {
    const started = this.wsStarts.get(socketKey)?.get(id) ?? process.hrtime.bigint();
    this.wsStarts.get(socketKey)?.delete(id);
    const operation = getOperationAST(document, operationName ?? undefined);
    const errors = result && typeof result === 'object' && 'errors' in result ? (result as { errors?: unknown[] }).errors : undefined;
    this.recordOperation({
      name: operation ? (operation.name?.value ?? null) : undefined,
      type: operation?.operation ?? OperationTypeNode.QUERY,
      outcome: errors?.length ? 'error' : 'success',
      transport: 'ws',
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
  }

  /** graphql-ws `onError`: the operation was refused before executing (validation, parse). */
  wsRefused(socketKey: object, id: string): void {
    const started = this.wsStarts.get(socketKey)?.get(id);
    if (started === undefined) return;
    this.wsStarts.get(socketKey)?.delete(id);
    this.recordOperation({ name: undefined, type: undefined, outcome: 'error', transport: 'ws', seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  }

  private operationName(name: string | null | undefined, type: string | undefined): string {
    if (name === undefined || type === undefined) return '(unparsed)';
    if (name === null || name === '') return '(anonymous)';
    if (!OPERATION_NAME.test(name)) return '(invalid)';
    if (!this.names.has(name)) {
      if (this.names.size >= MAX_OPERATION_NAMES) return '(other)';
      this.names.add(name);
    }
    return name;
  }
}
