/**
 * A page of devices, its cursor and the run's counters in ONE statement: the page statement's CTEs
 * (device-ingest.ts), its counts as a CTE, the cursor save (token-sync-state.store.ts) and the
 * counters (sync-run.store.ts) as two more data-modifying CTEs reading those counts.
 *
 * Why: around its statement a page cost five more round trips (the webhook-listener check, the
 * cursor, the counters, the progress event, the transaction's end), each a wait for the database
 * and for this process's event loop; on a loaded machine they were about a tenth of a first
 * sync's page time. Folding the cursor and the counters in takes two of them away; nothing
 * changes in what commits (the same rows, in the same transaction) or in the event announced (the
 * run's row after the page).
 *
 * A page without devices has no statement to ride on: the engine saves its cursor and counts it
 * as before.
 *
 * Pages written while an earlier page is still being written (commits-in-order.ts) split the
 * statement in two: the devices (`ingestPage`) before the page's turn, then `writePageBookkeeping`
 * (the cursor and the counters, from the page's counts) once every earlier page has committed.
 */
import type { SqlRunner } from '../database/sql-runner';
import { placeholder } from '../database/placeholder';
import { INGEST_PAGE_COUNTS, INGEST_PAGE_CTES, INGEST_PAGE_PARAM, ingestPageParams, ingestResultOf, type IngestDevice, type IngestOptions, type IngestResult } from './device-ingest';
import { SyncRunStore } from './sync-run.store';
import { TokenSyncStateStore } from './token-sync-state.store';

export interface PageBookkeeping {
  /** The cursor the page came with, saved as the fetch's or the sync's; none: nothing saved. */
  cursor: { kind: 'fetch' | 'sync'; value: string } | undefined;
  /** When a sync cursor was issued (the page's time). */
  issuedAt: Date;
  /** Progress: the devices a full fetch page listed (0 on sync pages). */
  devicesFetched: number;
  devicesSkipped: number;
  /** The run row's updated_at. */
  updatedAt: Date;
}

export interface PageWritten {
  ingested: IngestResult;
  /** The run's row after the page's counters (not announced yet). */
  runRow: Record<string, any>;
}

/** The statement for a page whose page statement takes `pageParams` parameters. */
function pageWriteSql(pageParams: number): string {
  const at = (offset: number) => placeholder(pageParams + offset);
  return `WITH ${INGEST_PAGE_CTES},
page_counts AS (${INGEST_PAGE_COUNTS}),
cursor_saved AS (
  ${TokenSyncStateStore.saveCursorCte({ tokenId: INGEST_PAGE_PARAM.tokenId, kind: at(0), cursor: at(1), issuedAt: at(2) })}
),
counted AS (
  ${SyncRunStore.pageCountCte({ runId: INGEST_PAGE_PARAM.runId, from: 'page_counts', fetched: at(3), skipped: at(4), updatedAt: at(5) })}
)
SELECT to_jsonb(c) AS page, r.* FROM page_counts c CROSS JOIN counted r`;
}

const statements = new Map<number, string>();

/** The page's bookkeeping as the six parameters both statements take after their own. */
const bookkeepingParams = (b: PageBookkeeping): unknown[] => [b.cursor?.kind ?? null, b.cursor?.value ?? null, b.issuedAt, b.devicesFetched, b.devicesSkipped, b.updatedAt];

/** Writes a page (at least one device) with its cursor and counters; run it in the page's transaction. */
export async function writePage(db: SqlRunner, devices: readonly IngestDevice[], options: IngestOptions, bookkeeping: PageBookkeeping): Promise<PageWritten> {
  if (devices.length === 0) throw new Error('writePage needs a device (an empty page has no statement)');
  const params = ingestPageParams(devices, options);
  let sql = statements.get(params.length);
  if (!sql) statements.set(params.length, (sql = pageWriteSql(params.length)));
  const rows = await db.query(sql, [
    ...params,
    ...bookkeepingParams(bookkeeping),
  ]);
  const [row] = rows as Record<string, any>[];
  if (!row) throw new Error(`sync run ${options.runId} is gone`);
  const { page, ...runRow } = row;
  return { ingested: ingestResultOf(page), runRow };
}

/** The cursor and counters of a page whose devices an earlier statement of its transaction wrote. */
const BOOKKEEPING_SQL = (() => {
  // $1 token, $2 run, $3-$5 the page's counts, then bookkeepingParams.
  const at = (offset: number) => placeholder(5 + offset);
  return `WITH page_counts AS (SELECT ${placeholder(2)}::int AS added, ${placeholder(3)}::int AS modified, ${placeholder(4)}::int AS deleted),
cursor_saved AS (
  ${TokenSyncStateStore.saveCursorCte({ tokenId: placeholder(0), kind: at(0), cursor: at(1), issuedAt: at(2) })}
),
counted AS (
  ${SyncRunStore.pageCountCte({ runId: placeholder(1), from: 'page_counts', fetched: at(3), skipped: at(4), updatedAt: at(5) })}
)
SELECT r.* FROM counted r`;
})();

/**
 * The second half of a split page: saves its cursor and adds its counts to the run, in the page's
 * transaction, after `ingestPage` wrote its devices. Returns the run's row (not announced yet).
 */
export async function writePageBookkeeping(db: SqlRunner, ingested: IngestResult, options: Pick<IngestOptions, 'tokenId' | 'runId'>, bookkeeping: PageBookkeeping): Promise<Record<string, any>> {
  const rows = (await db.query(BOOKKEEPING_SQL, [
    options.tokenId,
    options.runId,
    ingested.added,
    ingested.modified,
    ingested.deleted,
    ...bookkeepingParams(bookkeeping),
  ])) as Record<string, any>[];
  if (!rows[0]) throw new Error(`sync run ${options.runId} is gone`);
  return rows[0];
}
