/**
 * SECRET_KEY rotation: re-seals every stored secret under the current key (`npm run
 * rotate-secret-key`, scripts/rotate-secret-key.ts). Built to run while instances serve:
 *
 * - one row at a time, each in its own statement: no long transaction, no table lock;
 * - compare-and-swap (`... WHERE id = $1 AND <column> = <the value read>`): a value a running
 *   instance rewrote meanwhile (a renewal, sealed under the current key) is read again, never
 *   overwritten with a stale plaintext;
 * - idempotent, hence resumable: a value already under the current key is left alone, so a rerun
 *   after an interruption only does what is left; keyset paging by id, so rows added meanwhile
 *   are visited too when their id sorts after the cursor, and a rerun catches the others.
 *
 * Without a previous key the same walk is a check: every value must open under the current key
 * (what has to hold before SECRET_KEY_PREVIOUS is dropped).
 *
 * `updated_at` is not touched: the secret's plaintext does not change, so neither does the row
 * as the API shows it (and caches keyed on it, like the DEP client cache, stay right).
 */
import type { DataSource, QueryRunner } from 'typeorm';
import { SecretBoxError, type SecretBox } from './secret-box';

/** A text column holding SecretBox values, and the context its owner seals each row's value with. */
export interface SealedColumn {
  table: string;
  column: string;
  context(id: string): string;
}

export interface ColumnRotation {
  table: string;
  column: string;
  /** Values re-sealed under the current key by this run. */
  rotated: number;
  /** Values that already were under the current key. */
  current: number;
  /** Ids of rows whose value opens under neither key (or was altered). */
  failed: string[];
}

export interface RotationOptions {
  /** Rows read per page (default 200). */
  batchSize?: number;
  /** Stops after the row in hand (SIGINT); the report says `interrupted`. */
  signal?: AbortSignal;
  /** Called after each page, e.g. to print progress. */
  onProgress?(column: ColumnRotation): void;
}

export interface RotationReport {
  columns: ColumnRotation[];
  interrupted: boolean;
}

/** How often one row is re-read when running instances keep rewriting it under our feet. */
const MAX_ATTEMPTS_PER_ROW = 5;

export async function rotateSealedColumns(
  dataSource: DataSource,
  box: SecretBox,
  columns: readonly SealedColumn[],
  options: RotationOptions = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 200;
  const report: RotationReport = { columns: [], interrupted: false };
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    for (const sealed of columns) {
      const progress: ColumnRotation = { table: sealed.table, column: sealed.column, rotated: 0, current: 0, failed: [] };
      report.columns.push(progress);
      const { table, column } = quoted(sealed);
      let after: string | null = null;
      for (;;) {
        const rows: { id: string; value: string }[] = await runner.query(
          `SELECT id::text AS id, ${column} AS value FROM ${table} WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
          [after, batchSize],
        );
        for (const row of rows) {
          if (options.signal?.aborted) {
            report.interrupted = true;
            return report;
          }
          await rotateRow(runner, box, sealed, row, progress);
        }
        options.onProgress?.(progress);
        if (rows.length < batchSize) break;
        after = rows[rows.length - 1].id;
      }
    }
    return report;
  } finally {
    await runner.release();
  }
}

async function rotateRow(runner: QueryRunner, box: SecretBox, sealed: SealedColumn, row: { id: string; value: string }, progress: ColumnRotation): Promise<void> {
  const { table, column } = quoted(sealed);
  let value: string | undefined = row.value;
  for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_ROW && value !== undefined; attempt++) {
    let next: string | null;
    try {
      next = box.reseal(value, sealed.context(row.id));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      progress.failed.push(row.id);
      return;
    }
    if (next === null) {
      progress.current++;
      return;
    }
    const swapped = await runner.query(`UPDATE ${table} SET ${column} = $1 WHERE id = $2 AND ${column} = $3`, [next, row.id, value], true);
    if (swapped.affected) {
      progress.rotated++;
      return;
    }
    // Rewritten (renewed) or deleted since it was read: look again.
    const [again]: { value: string }[] = await runner.query(`SELECT ${column} AS value FROM ${table} WHERE id = $1`, [row.id]);
    value = again?.value;
  }
  if (value !== undefined) progress.failed.push(row.id); // still changing after every attempt: a rerun will see it
}

/** Table and column names come from code (src/database/sealed-columns.ts), quoted all the same. */
function quoted(sealed: SealedColumn): { table: string; column: string } {
  const ident = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
    return `"${name}"`;
  };
  return { table: ident(sealed.table), column: ident(sealed.column) };
}

/** True when every value opens under the current key and nothing was left over. */
export function rotationComplete(report: RotationReport): boolean {
  return !report.interrupted && report.columns.every((c) => c.failed.length === 0);
}
