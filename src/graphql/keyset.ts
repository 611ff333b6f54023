/**
 * Keyset pagination, both ways, in any order a list offers: the SQL conditions and ORDER BY of one
 * page, and the edges and pageInfo made from the rows it fetched. Shared by top-level connections
 * (connection.ts) and nested ones (nested-connection.ts), so both page and encode cursors alike.
 *
 * A list's order is a unique key (its last column is the id, which breaks ties) read in one
 * direction: every column ascending, or every column descending, so one row comparison
 * `(a, id) > (:a, :id)` finds the rows after a cursor and an index on `(a, id)` serves the order
 * either way (backwards index scans). `last`/`before` read the same order from the other end:
 * the page is fetched in the reverse direction and handed back in the list's order.
 */
import { badInput } from '../errors/domain-error';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export type KeyCast = 'timestamptz' | 'uuid' | 'text' | 'int';

export interface KeysetColumn<E> {
  /** SQL expression, e.g. `t.created_at`. */
  sql: string;
  /** Reads the key from a loaded row (its JSON form goes into the cursor). */
  value: (row: E) => string | number | null;
  /** How the cursor value is cast back in SQL. */
  cast?: KeyCast;
  /**
   * The column may be NULL. NULL is ordered as the lowest value (first ascending, last descending):
   * the key is `COALESCE(sql, lowest)` (see `keySql`), which is also what the order's index holds.
   */
  nullable?: boolean;
}

export interface KeysetOrder<E> {
  /**
   * Written at the start of the order's cursors (`MODEL:DESC`), so a cursor made for another order
   * is refused. Null for the list's default order: its cursors hold only the key's values, as they
   * did before lists had orders, so cursors handed out then still work.
   */
  name: string | null;
  key: readonly KeysetColumn<E>[];
  descending: boolean;
}

/** The first, after, last and before arguments of a connection. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** The SQL type a cursor value is cast to (bigint: any safe integer a cursor may hold fits). */
const SQL_TYPE: Record<KeyCast, string> = { text: 'text', timestamptz: 'timestamptz', uuid: 'uuid', int: 'bigint' };

/** NULL's stand-in per type: lower than any value a column holds. */
const LOWEST: Record<KeyCast, string> = {
  text: `''`,
  timestamptz: `CAST('-infinity' AS timestamptz)`,
  int: `${Number.MIN_SAFE_INTEGER}`,
  uuid: `CAST('00000000-0000-0000-0000-000000000000' AS uuid)`,
};

/** The SQL a key column is ordered and compared by (an index serving the order must hold exactly this). */
export function keySql(column: KeysetColumn<never>): string {
  return column.nullable ? `COALESCE(${column.sql}, ${LOWEST[column.cast ?? 'text']})` : column.sql;
}

function cursorValueSql(column: KeysetColumn<never>, parameter: string): string {
  const cast = `CAST(:${parameter} AS ${SQL_TYPE[column.cast ?? 'text']})`;
  return column.nullable ? `COALESCE(${cast}, ${LOWEST[column.cast ?? 'text']})` : cast;
}

function checkSize(value: number, name: 'first' | 'last'): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) throw badInput(`${name} must be between 0 and ${MAX_PAGE_SIZE}`, name);
  return value;
}

/** How many rows a page holds and from which end it is read. */
export function pageWindow(args: PageArgs): { size: number; backwards: boolean } {
  const first = args.first ?? null;
  const last = args.last ?? null;
  if (first !== null && last !== null) throw badInput('Give first (with after) or last (with before), not both', 'last');
  if (last !== null) return { size: checkSize(last, 'last'), backwards: true };
  return { size: first === null ? DEFAULT_PAGE_SIZE : checkSize(first, 'first'), backwards: false };
}

export function encodeCursor<E>(order: KeysetOrder<E>, row: E): string {
  const values = order.key.map((k) => k.value(row));
  return Buffer.from(JSON.stringify(order.name === null ? values : [order.name, ...values]), 'utf8').toString('base64url');
}

/** Longer than any cursor this API hands out (an order name and three keys of a few dozen characters). */
const MAX_CURSOR_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether a cursor value fits its key's type as encodeCursor writes it. Cursors are base64 JSON a
 * client can write by hand; a value PostgreSQL cannot cast (`["x","y"]` where a timestamp belongs)
 * would otherwise fail the statement and surface as a masked 500.
 */
function fitsKey(value: unknown, column: KeysetColumn<never>): boolean {
  if (value === null) return column.nullable === true;
  switch (column.cast) {
    case 'timestamptz':
      // Exactly what Date#toISOString wrote: no other shape, no date that does not exist.
      return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value);
    default:
      return typeof value === 'string' && !value.includes('\u0000');
  }
}

/** The key values of a cursor made for this order; BAD_USER_INPUT on `field` for anything else. */
export function decodeCursor<E>(cursor: string, order: KeysetOrder<E>, field: 'after' | 'before' = 'after'): (string | number | null)[] {
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    try {
      const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (Array.isArray(decoded)) {
        const values = order.name === null ? decoded : decoded[0] === order.name ? decoded.slice(1) : null;
        if (values && values.length === order.key.length && values.every((v, i) => fitsKey(v, order.key[i]!))) {
          return values as (string | number | null)[];
        }
      }
    } catch {
      /* fall through */
    }
  }
  throw badInput(`${field} is not a cursor from this list in this order`, field);
}

export interface PageInfoValues {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** One page's SQL and how its rows become edges. */
export interface KeysetPage<E> {
  /** Rows fetched: one more than the page holds, to know whether more follow. 0: fetch nothing. */
  limit: number;
  /** Conditions for `after` and `before`, each with its parameters. */
  where: { sql: string; parameters: Record<string, unknown> }[];
  /** ORDER BY terms in fetch order (reversed for `last`). */
  orderBy: { sql: string; direction: 'ASC' | 'DESC' }[];
  /** The fetched rows (in fetch order) as the page's edges, in the list's order, and its pageInfo. */
  finish(rows: readonly E[]): { edges: { cursor: string; node: E }[]; pageInfo: PageInfoValues };
}

/**
 * An edge whose cursor is encoded when first read: most clients select `pageInfo { endCursor }`
 * and never `edges { cursor }`, and a 500-row page would otherwise build 500 base64 strings
 * nobody reads (issue #15).
 */
class KeysetEdge<E> {
  private encoded: string | undefined;

  constructor(
    private readonly order: KeysetOrder<E>,
    readonly node: E,
  ) {}

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.order, this.node));
  }
}

/**
 * Plans a page of `order` for the arguments. Parameter names start with `prefix` so a page can
 * sit inside another query's parameters.
 */
export function keysetPage<E>(order: KeysetOrder<E>, args: PageArgs, prefix = '__k'): KeysetPage<E> {
  const { size, backwards } = pageWindow(args);
  const lhs = `(${order.key.map(keySql).join(', ')})`;
  const where: KeysetPage<E>['where'] = [];
  const bound = (cursor: string, field: 'after' | 'before', comparison: '>' | '<') => {
    const values = decodeCursor(cursor, order, field);
    const names = values.map((_, i) => `${prefix}${field}${i}`);
    const rhs = `(${order.key.map((k, i) => cursorValueSql(k, names[i]!)).join(', ')})`;
    where.push({ sql: `${lhs} ${comparison} ${rhs}`, parameters: Object.fromEntries(values.map((v, i) => [names[i], v])) });
  };
  // "After" means further along the list's order: greater when ascending, smaller when descending.
  if (args.after) bound(args.after, 'after', order.descending ? '<' : '>');
  if (args.before) bound(args.before, 'before', order.descending ? '>' : '<');
  const fetchDescending = order.descending !== backwards;
  const direction = fetchDescending ? 'DESC' : 'ASC';
  return {
    limit: size === 0 ? 0 : size + 1,
    where,
    orderBy: order.key.map((k) => ({ sql: keySql(k), direction })),
    finish(rows) {
      const more = rows.length > size;
      const kept = rows.slice(0, size);
      if (backwards) kept.reverse();
      const edges = kept.map((node) => new KeysetEdge(order, node));
      return {
        edges,
        pageInfo: {
          // Reading forwards, rows before `after` exist (as far as a client needs to know); likewise backwards.
          hasNextPage: backwards ? Boolean(args.before) : more,
          hasPreviousPage: backwards ? more : Boolean(args.after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
  };
}
