/**
 * `/metrics` in Prometheus format (prom-client), one registry per running instance.
 *
 * State that lives in the database (tokens, licences, alerts, sync runs) is read at scrape time,
 * so every instance reports the same fleet-wide values and nothing is lost when an instance
 * restarts; scrape one instance (or dedupe by labels) for those. GraphQL operations are counted
 * in memory per instance (sum them across instances).
 *
 * Labels carry token ids (and, with METRICS_TOKEN_NAMES, token names) only: never a secret,
 * never an Apple credential. GraphQL operation names are the client's: they are checked against
 * GraphQL's name syntax and capped (MAX_OPERATION_NAMES) so a client cannot blow up the series
 * count; Apple endpoints are the clients' fixed names, capped all the same.
 *
 * Per instance, in memory: GraphQL operations, Apple calls (src/apple/http-exchange.ts reports
 * each one), open WebSockets and active subscriptions (fed by the server's graphql-ws hooks).
 * From the database at scrape time: tokens, licences, alerts, sync runs (with a duration
 * histogram), devices by token and profile status, and the background job queue.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode, getOperationAST, type DocumentNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ExchangeObserver } from '../apple/http-exchange';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { DatabaseHistogram, type HistogramRow } from './db-histogram';

export const METRICS_PATH = '/metrics';
const MAX_OPERATION_NAMES = 200;
const MAX_APPLE_ENDPOINTS = 100;
/** Resolution of prom-client's event-loop delay histogram (its default is 10 ms). */
const EVENT_LOOP_SAMPLE_MS = 100;
const APPLE_ENDPOINT = /^[A-Z]{3,7} \/[A-Za-z0-9/_.-]{0,100}$/;
/** Sync runs take seconds to tens of minutes (SYNC_TIMEOUT_S is 15 min by default). */
const SYNC_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export type Transport = 'http' | 'ws';
export type Outcome = 'success' | 'error';

export interface MetricsDeps {
  dataSource: DataSource;
  clock: Clock;
  logger: Logger;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
  /** METRICS_TOKEN_NAMES: DEP and VPP token names as labels beside their ids. Default false. */
  tokenNames?: boolean;
}

export type AppleService = 'dep' | 'vpp' | 'business';

const seconds = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() / 1000 : null);

export class DepgateMetrics {
  readonly registry = new Registry();
  private readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome' | 'transport'>;
  private readonly durations: Histogram<'operation_name' | 'operation_type' | 'outcome' | 'transport'>;
  private readonly names = new Set<string>();
  private readonly wsStarts = new WeakMap<object, Map<string, bigint>>();
  private readonly appleRequests: Counter<'service' | 'endpoint' | 'status'>;
  private readonly appleDurations: Histogram<'service' | 'endpoint'>;
  private readonly appleEndpoints = new Set<string>();
  private readonly subscriptions: Gauge<string>;
  /** Subscription ids per socket (graphql-ws extra) that started and have not completed. */
  private readonly activeSubscriptions = new WeakMap<object, Set<string>>();
  private openWebSockets: () => number = () => 0;

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    // The event-loop delay histogram samples on a timer of its own, by default every 10 ms: 100
    // wake-ups a second, a measurable share of an idle instance's CPU. At 100 ms it still sees the
    // stalls worth alerting on (a blocked loop shows up as a large max/p99 either way).
    if (deps.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry, prefix: 'depgate_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }

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
    // Token names are operator-chosen text (an organisation or school name): only when asked.
    const names = deps.tokenNames === true;
    const depLabelNames = names ? ['token_id', 'token_name'] : ['token_id'];
    const vppLabelNames = names ? ['vpp_token_id', 'vpp_token_name'] : ['vpp_token_id'];
    const dep = (id: string, name: string): Record<string, string> => (names ? { token_id: id, token_name: name } : { token_id: id });
    const vpp = (id: string, name: string): Record<string, string> => (names ? { vpp_token_id: id, vpp_token_name: name } : { vpp_token_id: id });

    new Gauge({
      name: 'depgate_dep_token_expiry_timestamp_seconds',
      help: 'When each DEP token expires (Unix time)',
      labelNames: depLabelNames,
      registers,
      collect: db('dep_token_expiry', async (g) => {
        for (const r of await query<{ id: string; name: string; expires_at: Date }>(`SELECT id, name, expires_at FROM dep_tokens`)) {
          g.set(dep(r.id, r.name), seconds(r.expires_at)!);
        }
      }),
    });
    new Gauge({
      name: 'depgate_vpp_token_expiry_timestamp_seconds',
      help: 'When each VPP (Apps and Books) token expires (Unix time)',
      labelNames: vppLabelNames,
      registers,
      collect: db('vpp_token_expiry', async (g) => {
        for (const r of await query<{ id: string; name: string; expires_at: Date }>(`SELECT id, name, expires_at FROM vpp_tokens`)) {
          g.set(vpp(r.id, r.name), seconds(r.expires_at)!);
        }
      }),
    });
    new Gauge({
      name: 'depgate_apns_certificate_expiry_timestamp_seconds',
      help: 'When the Apple MDM push certificate expires (Unix time); absent while none is uploaded',
      labelNames: ['topic'],
      registers,
      collect: db('apns_certificate_expiry', async (g) => {
        for (const r of await query<{ topic: string; not_after: Date }>(`SELECT topic, not_after FROM apns_certificates`)) {
          g.set({ topic: r.topic }, seconds(r.not_after)!);
        }
      }),
    });
    new Gauge({
      name: 'depgate_dep_token_seconds_since_last_successful_sync',
      help: 'Seconds since each DEP token last synced successfully (since its upload when it never did)',
      labelNames: depLabelNames,
      registers,
      collect: db('dep_token_sync_age', async (g) => {
        const rows = await query<{ id: string; name: string; since: Date }>(
          `SELECT id, name, COALESCE(last_successful_sync_at, created_at) AS since FROM dep_tokens`,
        );
        for (const r of rows) g.set(dep(r.id, r.name), Math.max(0, now() - seconds(r.since)!));
      }),
    });
    const licences = (name: string, help: string, column: string) =>
      new Gauge({
        name,
        help,
        labelNames: vppLabelNames,
        registers,
        collect: db(name, async (g) => {
          const rows = await query<{ id: string; name: string; n: number }>(
            `SELECT id, name, ${column} AS n FROM vpp_tokens WHERE ${column} IS NOT NULL`,
          );
          for (const r of rows) g.set(vpp(r.id, r.name), Number(r.n));
        }),
      });
    licences('depgate_company_portal_licenses_available', 'Company Portal licences available on each VPP token (last read from Apple)', 'cp_available_count');
    licences('depgate_company_portal_licenses_purchased', 'Company Portal licences held by each VPP token (last read from Apple)', 'cp_total_count');
    new Gauge({
      name: 'depgate_alerts_active',
      help: 'Active (unresolved) alerts by kind',
      labelNames: ['kind'],
      registers,
      // Every kind, 0 when none is active: alert_kinds is the list (each feature's migration adds its own).
      collect: db('alerts_active', async (g) => {
        const rows = await query<{ kind: string; n: number }>(
          `SELECT k.kind, count(a.id)::int AS n FROM alert_kinds k LEFT JOIN alerts a ON a.kind = k.kind AND a.resolved_at IS NULL GROUP BY k.kind`,
        );
        for (const r of rows) g.set({ kind: r.kind }, Number(r.n));
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
      labelNames: [...depLabelNames, 'outcome'],
      registers,
      collect: db('sync_run_last', async (g) => {
        const rows = await query<{ token_id: string; name: string; status: string; v: string | number }>(
          `SELECT DISTINCT ON (r.token_id) r.token_id, t.name, r.status, ${runDuration.replace(/finished_at|started_at|queued_at/g, 'r.$&')} AS v
             FROM sync_runs r JOIN dep_tokens t ON t.id = r.token_id
            WHERE r.finished_at IS NOT NULL
            ORDER BY r.token_id, r.finished_at DESC`,
        );
        for (const r of rows) g.set({ ...dep(r.token_id, r.name), outcome: r.status }, Number(r.v));
      }),
    });
    new DatabaseHistogram(
      'depgate_sync_duration_seconds',
      'Duration of finished sync runs (from start, or from queueing when never started), by kind and outcome',
      SYNC_DURATION_BUCKETS,
      async (buckets) => {
        try {
          return await this.syncDurationRows(buckets, runDuration);
        } catch (err) {
          deps.logger.warn({ metric: 'sync_duration', err: { message: (err as Error).message } }, 'metric collection failed');
          return [];
        }
      },
      this.registry,
    );

    // Row counts grouped in SQL: each row of `sql` has an `n` and the columns `labels` reads.
    const countGauge = (name: string, help: string, labelNames: string[], sql: string, labels: (r: Record<string, string>) => Record<string, string>) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect: db(name, async (g) => {
          for (const r of await query<Record<string, string> & { n: number }>(sql)) g.set(labels(r), Number(r.n));
        }),
      });
    countGauge(
      'depgate_devices',
      'Devices (not deleted) by DEP token and profile status (EMPTY, ASSIGNED, PUSHED, REMOVED)',
      [...depLabelNames, 'profile_status'],
      `SELECT t.id, t.name, d.profile_status, count(*)::int AS n
         FROM devices d JOIN dep_tokens t ON t.id = d.token_id
        WHERE d.deleted_at IS NULL
        GROUP BY 1, 2, 3`,
      (r) => ({ ...dep(r.id, r.name), profile_status: r.profile_status }),
    );
    countGauge(
      'depgate_job_queue_depth',
      'Background jobs (pg-boss) waiting or running, by queue and state (created, retry, active)',
      ['queue', 'state'],
      `SELECT name, state::text AS state, count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active') GROUP BY 1, 2`,
      (r) => ({ queue: r.name, state: r.state }),
    );

    this.appleRequests = new Counter({
      name: 'depgate_apple_requests_total',
      help: "HTTP requests this instance sent to Apple (each retry counts), by service (dep, vpp), endpoint and status: the HTTP status (429 = rate limited), or timeout, unavailable (network), aborted",
      labelNames: ['service', 'endpoint', 'status'],
      registers,
    });
    this.appleDurations = new Histogram({
      name: 'depgate_apple_request_duration_seconds',
      help: 'Time of each HTTP request to Apple, body included, by service and endpoint',
      labelNames: ['service', 'endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'depgate_websocket_connections',
      help: 'WebSocket connections open on this instance (graphql-ws, on /graphql)',
      registers,
      collect() {
        this.set(metrics.openWebSockets());
      },
    });
    this.subscriptions = new Gauge({
      name: 'depgate_graphql_subscriptions_active',
      help: 'GraphQL subscriptions running on this instance',
      registers,
    });
  }

  private async syncDurationRows(buckets: readonly number[], runDuration: string): Promise<HistogramRow[]> {
    const counts = buckets.map((le, i) => `count(*) FILTER (WHERE d <= ${Number(le)})::int AS b${i}`).join(', ');
    const rows = await this.deps.dataSource.query(
      `SELECT kind, status, count(*)::int AS n, COALESCE(sum(d), 0)::float8 AS s, ${counts}
         FROM (SELECT kind, status, ${runDuration}::float8 AS d FROM sync_runs WHERE finished_at IS NOT NULL) r
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows.map((r: Record<string, string | number>) => ({
      labels: { kind: String(r.kind), outcome: String(r.status) },
      cumulative: buckets.map((_, i) => Number(r[`b${i}`])),
      count: Number(r.n),
      sum: Number(r.s),
    }));
  }

  /** For one Apple client factory: counts and times every HTTP exchange its clients make. */
  appleObserver(service: AppleService): ExchangeObserver {
    return ({ endpoint, status, failure, seconds }) => {
      const label = this.appleEndpoint(service, endpoint);
      this.appleRequests.inc({ service, endpoint: label, status: status !== undefined ? String(status) : (failure ?? 'unknown').toLowerCase() });
      this.appleDurations.observe({ service, endpoint: label }, seconds);
    };
  }

  /** The server tells how many WebSockets are open (read at scrape time). */
  countWebSockets(source: () => number): void {
    this.openWebSockets = source;
  }

  /** graphql-ws `onComplete`: an operation of this socket ended (a subscription stops counting). */
  wsCompleted(socketKey: object, id: string): void {
    if (this.activeSubscriptions.get(socketKey)?.delete(id)) this.subscriptions.dec();
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
    // A subscription that started hands back its event stream; it counts until onComplete.
    if (operation?.operation === OperationTypeNode.SUBSCRIPTION && isAsyncIterable(result)) {
      let active = this.activeSubscriptions.get(socketKey);
      if (!active) this.activeSubscriptions.set(socketKey, (active = new Set()));
      if (!active.has(id)) {
        active.add(id);
        this.subscriptions.inc();
      }
    }
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

  private appleEndpoint(service: AppleService, endpoint: string): string {
    if (!APPLE_ENDPOINT.test(endpoint)) return '(invalid)';
    const key = `${service} ${endpoint}`;
    if (!this.appleEndpoints.has(key)) {
      if (this.appleEndpoints.size >= MAX_APPLE_ENDPOINTS) return '(other)';
      this.appleEndpoints.add(key);
    }
    return endpoint;
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
