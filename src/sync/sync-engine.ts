/**
 * One execution of a sync run: fetch then sync with Apple's cursors (spec/apple-dep-api.md §5).
 *
 * - FULL: `POST /server/devices` page by page until `more_to_follow` is false (a fetch interrupted
 *   earlier resumes from its saved cursor; `EXHAUSTED_CURSOR` means it had ended), then synced
 *   devices the fetch did not list are marked deleted, then the last fetch cursor becomes the sync
 *   cursor and the run continues as below, so it ends with exactly Apple's set.
 * - DELTA (and the end of every FULL): `POST /devices/sync` from the saved cursor until
 *   `more_to_follow` is false. `INVALID_CURSOR` / `EXPIRED_CURSOR` drop the cursor and turn the run
 *   into a full one (once).
 * - Page size: what `/account` advertises for the endpoint, at most 1,000.
 * - Pages are fetched ahead of the page being written (pages-ahead.ts, two pages ahead): cursors
 *   keep the fetch serial, but it does not wait for writes, so the database work hides behind
 *   Apple's latency.
 * - Every page is one transaction: the devices, the cursor it came with and the run's counters
 *   (one statement, page-write.ts), and the progress event. A crash repeats at most one page,
 *   never loses one.
 * - After each committed page, the devices that need a profile go to the assignment service.
 * - Every Apple call carries the run's AbortSignal (deadline, shutdown).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AppleDepError, AppleDepErrorKind, isAppleDepError } from '../apple/dep-errors';
import type { DepClient } from '../apple/dep-client';
import type { DepAccount, DepDevicePage } from '../apple/dep.types';
import type { Clock } from '../clock';
import { liftStatementTimeout } from '../database/statement-timeout';
import type { Logger } from '../logger';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { DepTokenEntity } from '../tokens/token.entity';
import type { SqlRunner } from '../database/sql-runner';
import { countSyncedDevices, ingestPage, listedNeedingProfile, resolvePage, sweepUnlisted, type IngestDevice } from './device-ingest';
import { writePage, writePageBookkeeping } from './page-write';
import { CommitsInOrder } from './commits-in-order';
import { PagesAhead } from './pages-ahead';
import type { FullSyncReasonName, SyncRunEntity } from './sync-run.entity';
import type { SyncRunStore } from './sync-run.store';
import { fullSyncRequired } from './sync.rules';
import type { StoredSyncState, TokenSyncStateStore } from './token-sync-state.store';

export const MAX_PAGE_SIZE = 1000;
/** autovacuum's defaults for ANALYZE (autovacuum_analyze_threshold / _scale_factor). */
const ANALYZE_BASE_THRESHOLD = 50;
const ANALYZE_SCALE_FACTOR = 0.1;
const DEFAULT_PAGE_SIZE = 100;
/**
 * Pages fetched ahead of the page being written (pages-ahead.ts): two, so that a write slower than
 * one fetch (a loaded database, a page that moves many devices) is absorbed by the next, quicker one.
 */
const PAGES_AHEAD = 2;
/**
 * A full fetch's pages written at once (commits-in-order.ts): two, one per core of a small server,
 * so that PostgreSQL maintains the indexes of page N+1 while page N's statement finishes. The sync's
 * pages stay one at a time: one device can be on several of them, in order.
 */
const FETCH_WRITES_IN_FLIGHT = 2;
/**
 * A full fetch's devices that need a profile are handed to the assignment service once its pages
 * have committed, read from the stored state this many at a time (it sends them 1,000 a request):
 * not after each page, because a page written behind another waits for its turn with its
 * transaction open, which must not wait on Apple (nor on a lock the assignment takes).
 */
const FETCH_ASSIGN_BATCH = 5000;

/** The cursor of the page after this one, if Apple said there is one. */
const nextCursor = (page: DepDevicePage): string | undefined => (page.more_to_follow && page.cursor ? page.cursor : undefined);

export interface AutoAssigner {
  autoAssign(
    tokenId: string,
    serials: string[],
    options?: { signal?: AbortSignal },
  ): Promise<{ assigned: number; failed: number; skipped: number; withoutDefault?: number }>;
}

/** A stored token whose Apple token has expired: nothing to ask Apple. */
export class TokenExpiredForSyncError extends Error {
  constructor(readonly expiredAt: Date) {
    super(`The token expired on ${expiredAt.toISOString()}`);
    this.name = 'TokenExpiredForSyncError';
  }
}

/** The page size Apple advertises for an endpoint in `/account`, capped at 1,000. */
export function pageSizeFor(account: Pick<DepAccount, 'urls'> | undefined, uri: string): number {
  const entry = account?.urls?.find((u) => u.uri === uri);
  const advertised = entry?.limit?.maximum ?? entry?.limit?.default;
  if (typeof advertised !== 'number' || !Number.isFinite(advertised) || advertised < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.floor(advertised));
}

function appleKind(error: unknown): AppleDepError['kind'] | undefined {
  return isAppleDepError(error) ? error.kind : undefined;
}

export interface SyncEngineDeps {
  dataSource: DataSource;
  clock: Clock;
  logger: Logger;
  clients: DepClientFactory;
  store: SyncRunStore;
  tokenStates: TokenSyncStateStore;
  assignments: () => AutoAssigner | undefined;
  /** Told of each page inside its transaction, before and after the write (webhooks batch per page). */
  pageObserver?: () => PageObserver | undefined;
}

/** One page about to be written; the returned function runs after the write, in the same transaction. */
export type PageObserver = (
  m: EntityManager,
  page: { tokenId: string; runId: string; serialNumbers: string[]; now: Date },
) => Promise<((m: EntityManager) => Promise<void>) | undefined>;

export class SyncEngine {
  private warnedNoAssigner = false;

  constructor(private readonly deps: SyncEngineDeps) {}

  /** Runs the ingest of a RUNNING run; throws what stopped it (the caller records the outcome). */
  async run(run: SyncRunEntity, signal: AbortSignal): Promise<SyncRunEntity> {
    const { dataSource, clients } = this.deps;
    const token = await dataSource.getRepository(DepTokenEntity).findOneBy({ id: run.tokenId });
    if (!token) throw new Error(`token ${run.tokenId} of sync run ${run.id} is gone`);
    if (token.expiresAt.getTime() <= this.deps.clock.now().getTime()) throw new TokenExpiredForSyncError(token.expiresAt);
    const state = await this.deps.tokenStates.load(dataSource, run.tokenId);
    if (!state) throw new Error(`token ${run.tokenId} of sync run ${run.id} is gone`);
    const client = clients.forToken(token);
    const account = await client.getAccount({ signal });
    const ctx: RunContext = {
      run,
      client,
      signal,
      fetchLimit: pageSizeFor(account, '/server/devices'),
      syncLimit: pageSizeFor(account, '/devices/sync'),
      rowsWritten: 0,
      syncAhead: undefined,
    };

    if (run.kind === 'DELTA' && fullSyncRequired(state)) {
      ctx.run = await this.becomeFull(run.id, state.fetchId ? 'RESUMING_FETCH' : 'NO_CURSOR');
    }
    try {
      return await this.ingest(ctx, state);
    } finally {
      ctx.syncAhead?.pages.stop();
    }
  }

  /** The fetch (for a full run) and the sync, in the run's context. */
  private async ingest(ctx: RunContext, state: StoredSyncState): Promise<SyncRunEntity> {
    const { dataSource } = this.deps;
    const run = ctx.run;
    let cursor: string;
    if (ctx.run.kind === 'FULL') {
      cursor = await this.fullFetch(ctx, state.fetchId, state.fetchCursor);
    } else {
      cursor = state.syncCursor!;
    }
    try {
      await this.syncChanges(ctx, cursor);
    } catch (error) {
      const kind = appleKind(error);
      if ((kind !== AppleDepErrorKind.CURSOR_INVALID && kind !== AppleDepErrorKind.CURSOR_EXPIRED) || ctx.run.kind === 'FULL') throw error;
      // Apple no longer accepts the cursor: drop it and fetch everything (spec §5), in this run.
      this.deps.logger.warn({ runId: run.id, tokenId: run.tokenId, kind }, 'sync cursor refused by Apple; running a full fetch');
      await this.deps.tokenStates.dropSyncCursor(dataSource, run.tokenId);
      ctx.run = await this.becomeFull(run.id, kind === AppleDepErrorKind.CURSOR_EXPIRED ? 'CURSOR_EXPIRED' : 'CURSOR_INVALID');
      cursor = await this.fullFetch(ctx, null, null);
      await this.syncChanges(ctx, cursor);
    }
    await this.analyzeIfChangedInBulk(ctx);
    return ctx.run;
  }

  /**
   * PostgreSQL plans the device list and search by the table's statistics; where autovacuum is off
   * (the embedded development server) or lags behind a bulk load, a table filled by a first sync is
   * planned as if empty. A run that wrote more rows than autovacuum's own analyze threshold
   * (50 + 10 % of the table) refreshes them itself. A failure only costs the refresh.
   */
  private async analyzeIfChangedInBulk(ctx: RunContext): Promise<void> {
    if (ctx.rowsWritten === 0) return;
    try {
      const [row] = await this.deps.dataSource.query(`SELECT reltuples::float8 AS tuples FROM pg_class WHERE oid = 'devices'::regclass`);
      const tuples = Number(row?.tuples ?? -1);
      if (tuples >= 0 && ctx.rowsWritten <= ANALYZE_BASE_THRESHOLD + ANALYZE_SCALE_FACTOR * tuples) return;
      await this.deps.dataSource.query(`ANALYZE devices`);
    } catch (error) {
      this.deps.logger.warn({ runId: ctx.run.id, err: { message: (error as Error).message } }, 'could not refresh the devices table statistics');
    }
  }

  /** Token bookkeeping of a successful run (in the transaction that ends it). */
  async recordSuccess(db: SqlRunner, tokenId: string): Promise<void> {
    const syncedDeviceCount = await countSyncedDevices(db, tokenId);
    await this.deps.tokenStates.recordSuccess(db, tokenId, { at: this.deps.clock.now(), syncedDeviceCount });
  }

  private async becomeFull(runId: string, reason: FullSyncReasonName): Promise<SyncRunEntity> {
    return this.deps.dataSource.transaction((m) => this.deps.store.becomeFull(m, runId, reason));
  }

  /** Pages through the whole list; returns the cursor the sync continues from. */
  private async fullFetch(ctx: RunContext, resumeFetchId: string | null, resumeCursor: string | null): Promise<string> {
    const { dataSource, clock, store, tokenStates } = this.deps;
    const tokenId = ctx.run.tokenId;
    let fetchId = resumeFetchId;
    let cursor: string | undefined = resumeCursor ?? undefined;
    const begin = async () => {
      fetchId = randomUUID();
      cursor = undefined;
      await tokenStates.beginFetch(dataSource, tokenId, fetchId, clock.now());
    };
    if (!fetchId) await begin();
    let restarted = false;
    const ahead = (from: string | undefined) =>
      new PagesAhead((at) => ctx.client.fetchDevices({ cursor: at, limit: ctx.fetchLimit }, { signal: ctx.signal }), nextCursor, from, PAGES_AHEAD);
    let pages = ahead(cursor);
    const writes = new CommitsInOrder(FETCH_WRITES_IN_FLIGHT);
    // The serials of the page written before this one: a page repeating one of them waits for it.
    let previousSerials = new Set<string>();
    try {
      for (;;) {
        let page: DepDevicePage;
        try {
          page = await pages.take();
        } catch (error) {
          // The pages before the failed request are written first, as one page at a time did.
          await writes.drain();
          const kind = appleKind(error);
          // The resumed fetch had already reached its end: the cursor is where the sync starts.
          if (kind === AppleDepErrorKind.CURSOR_EXHAUSTED && cursor) break;
          // A fetch cursor Apple no longer takes: start the fetch over (once).
          if ((kind === AppleDepErrorKind.CURSOR_INVALID || kind === AppleDepErrorKind.CURSOR_EXPIRED) && cursor && !restarted) {
            restarted = true;
            this.deps.logger.warn({ runId: ctx.run.id, tokenId, kind }, 'fetch cursor refused by Apple; fetching from the start');
            await begin();
            pages.stop();
            pages = ahead(cursor);
            continue;
          }
          throw error;
        }
        // The last page's cursor is where the sync starts: its first page is asked now, while this
        // page, the sweep and the fetch's bookkeeping commit (one Apple round trip off the run's tail).
        if (!page.more_to_follow && page.cursor) ctx.syncAhead = { from: page.cursor, pages: this.syncPages(ctx, page.cursor) };
        const listedBy = fetchId!;
        const resolved = resolvePage(page.devices);
        // Apple should not list a device twice in one fetch; if it does, the later page is written
        // after the earlier one committed, so that its counts and webhook events see that page.
        if (resolved.devices.some((d) => previousSerials.has(d.serialNumber))) await writes.drain();
        previousSerials = new Set(resolved.devices.map((d) => d.serialNumber));
        // Profiles come after the fetch's pages have committed (FETCH_ASSIGN_BATCH), not per page.
        await writes.add(async (turn) => void (await this.commitPage(ctx, page, resolved, { fetchId: listedBy, cursor: 'fetch' }, turn)));
        if (page.more_to_follow && !page.cursor) {
          await writes.drain();
          throw missingCursor('POST /server/devices');
        }
        cursor = page.cursor;
        if (!page.more_to_follow) break;
      }
      await writes.drain();
    } catch (error) {
      // Whatever stopped the fetch, no page of it commits after this returns. The pages that did
      // commit still get their profiles (a resumed fetch would not list them again), unless the
      // run was stopped: then the resumed run hands them over at its end.
      await writes.settle();
      if (fetchId && !ctx.signal.aborted) {
        await this.assignListed(ctx, fetchId).catch((assignError: unknown) =>
          this.deps.logger.warn({ runId: ctx.run.id, tokenId, err: assignError }, 'profiles of a failed fetch not assigned'),
        );
      }
      throw error;
    } finally {
      pages.stop();
    }
    if (!cursor) throw new Error('Apple ended a fetch without a cursor');
    const syncFrom = cursor;
    await this.assignListed(ctx, fetchId!);
    // Everything the fetch did not list has left the MDM server; the sync takes over from here.
    ctx.run = await dataSource.transaction(async (m) => {
      const now = clock.now();
      await liftStatementTimeout(m); // one UPDATE over every device of the token
      const deleted = await sweepUnlisted(m, tokenId, fetchId!, now);
      ctx.rowsWritten += deleted;
      await tokenStates.completeFetch(m, tokenId, { syncCursor: syncFrom, at: now, fullSyncAt: ctx.run.queuedAt });
      return store.count(m, ctx.run.id, { devicesDeleted: deleted });
    });
    return syncFrom;
  }

  private syncPages(ctx: RunContext, from: string): PagesAhead<DepDevicePage> {
    return new PagesAhead((at) => ctx.client.syncDevices({ cursor: at!, limit: ctx.syncLimit }, { signal: ctx.signal }), nextCursor, from, PAGES_AHEAD);
  }

  private async syncChanges(ctx: RunContext, from: string): Promise<void> {
    const pages = ctx.syncAhead?.from === from ? ctx.syncAhead.pages : this.syncPages(ctx, from);
    if (ctx.syncAhead && ctx.syncAhead.pages !== pages) ctx.syncAhead.pages.stop();
    ctx.syncAhead = undefined;
    try {
      for (;;) {
        let page: DepDevicePage;
        try {
          page = await pages.take();
        } catch (error) {
          // Not documented for sync; read as "nothing more since this cursor".
          if (appleKind(error) === AppleDepErrorKind.CURSOR_EXHAUSTED) return;
          throw error;
        }
        const toAssign = await this.commitPage(ctx, page, resolvePage(page.devices), { fetchId: null, cursor: 'sync' });
        if (toAssign.length > 0) await this.assign(ctx, toAssign);
        if (page.more_to_follow && !page.cursor) throw missingCursor('POST /devices/sync');
        if (!page.more_to_follow) return;
      }
    } finally {
      pages.stop();
    }
  }

  /**
   * Writes a page, its cursor and its counters in one transaction, and returns the serials to hand
   * to the assignment service. With a `turn` (an earlier page is still being written:
   * commits-in-order.ts) the devices are written first and the cursor and counters, which must
   * follow the earlier page's, once the turn has come.
   */
  private async commitPage(
    ctx: RunContext,
    page: DepDevicePage,
    { devices, skipped }: { devices: IngestDevice[]; skipped: number },
    options: { fetchId: string | null; cursor: 'fetch' | 'sync' },
    turn?: Promise<void>,
  ): Promise<string[]> {
    const { dataSource, clock, store, tokenStates } = this.deps;
    const tokenId = ctx.run.tokenId;
    ctx.rowsWritten += devices.length;
    const result = await dataSource.transaction(async (m) => {
      const now = clock.now();
      const afterPage = await this.deps.pageObserver?.()?.(m, { tokenId, runId: ctx.run.id, serialNumbers: devices.map((d) => d.serialNumber), now });
      const ingest = { tokenId, now, fetchId: options.fetchId, reviveDepgateTombstones: options.fetchId !== null, runId: ctx.run.id };
      // Progress counts what a full fetch lists (each listed device, changed or not).
      const devicesFetched = options.fetchId !== null ? devices.length : 0;
      if (devices.length > 0) {
        const cursor = page.cursor ? { kind: options.cursor, value: page.cursor } : undefined;
        const bookkeeping = () => ({ cursor, issuedAt: now, devicesFetched, devicesSkipped: skipped, updatedAt: clock.now() });
        if (!turn) {
          // The devices, the cursor and the counters in one statement (page-write.ts).
          const written = await writePage(m, devices, ingest, bookkeeping());
          await afterPage?.(m);
          ctx.run = await store.announceRow(m, written.runRow);
          return written.ingested;
        }
        const ingested = await ingestPage(m, devices, ingest);
        // The page's webhook events are stored in its turn too: their jobs' singleton rows would
        // otherwise make page N wait in PostgreSQL on page N+1, which waits here on page N.
        await turn;
        await afterPage?.(m);
        ctx.run = await store.announceRow(m, await writePageBookkeeping(m, ingested, ingest, bookkeeping()));
        return ingested;
      }
      await turn;
      // No devices (a sync page with no changes, or only records that cannot be stored).
      if (page.cursor && options.cursor === 'sync') await tokenStates.saveSyncCursor(m, tokenId, page.cursor, now);
      else if (page.cursor) await tokenStates.saveFetchCursor(m, tokenId, page.cursor);
      ctx.run = await store.count(m, ctx.run.id, { pagesFetched: 1, devicesFetched, devicesSkipped: skipped });
      return { added: 0, modified: 0, deleted: 0, toAssign: [] as string[] };
    });
    return result.toAssign;
  }

  /** Hands the devices a fetch listed that need a profile to the assignment service, from the stored state. */
  private async assignListed(ctx: RunContext, fetchId: string): Promise<void> {
    for (let after = ''; ; ) {
      const serials = await listedNeedingProfile(this.deps.dataSource, ctx.run.tokenId, fetchId, after, FETCH_ASSIGN_BATCH);
      if (serials.length === 0) return;
      await this.assign(ctx, serials);
      if (serials.length < FETCH_ASSIGN_BATCH) return;
      after = serials[serials.length - 1]!;
    }
  }

  private async assign(ctx: RunContext, serials: string[]): Promise<void> {
    const assigner = this.deps.assignments();
    if (!assigner) {
      if (!this.warnedNoAssigner) this.deps.logger.warn('no assignment service: synced devices get no default profile');
      this.warnedNoAssigner = true;
      return;
    }
    const outcome = await assigner.autoAssign(ctx.run.tokenId, serials, { signal: ctx.signal });
    const withoutDefault = outcome.withoutDefault ?? 0;
    if (outcome.assigned === 0 && outcome.failed === 0 && withoutDefault === 0) return;
    ctx.run = await this.deps.dataSource.transaction((m) =>
      this.deps.store.count(m, ctx.run.id, {
        assignmentsMade: outcome.assigned,
        assignmentsFailed: outcome.failed,
        devicesWithoutDefaultProfile: withoutDefault,
      }),
    );
  }
}

interface RunContext {
  run: SyncRunEntity;
  client: DepClient;
  signal: AbortSignal;
  fetchLimit: number;
  syncLimit: number;
  /** Device rows the run's pages and sweep wrote (an upper bound: what decides the ANALYZE). */
  rowsWritten: number;
  /** The sync's pages, asked for as soon as the full fetch's last page gave their cursor. */
  syncAhead: { from: string; pages: PagesAhead<DepDevicePage> } | undefined;
}

/**
 * `more_to_follow` without a cursor would make us ask the same page (or, on a fetch, the first page)
 * forever until the run's deadline: after committing the page, the run fails as on an unreadable
 * answer, with a code, and the next run starts clean.
 */
function missingCursor(operation: string): AppleDepError {
  return new AppleDepError({ kind: AppleDepErrorKind.UNAVAILABLE, status: 200, operation });
}
