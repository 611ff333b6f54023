/**
 * The SQL text of a select query builder, remembered by the shape it was built from. typeorm
 * writes a query's SQL anew every time it runs (`getQuery()`: the select list column by column,
 * every condition, then a pass renaming property paths across the whole text). On the device list
 * that was about 8 % of a request's CPU for its three statements (issue #15), though a page, its
 * tokens and its profiles are the same few shapes request after request: only the parameter values
 * differ, and typeorm binds those after the text is written (`escapeQueryWithParameters`), so the
 * text can be reused as it is.
 *
 * The contract, narrow on purpose:
 * - The key is everything of the query's expression map that `getQuery()` reads: the aliases, the
 *   selection, the conditions (their text, with parameter names, not values), the order, limit
 *   and offset, and the flags. Parameter names must not change from request to request for a
 *   shape to be found again (keyset.ts and AccessScope name theirs deterministically).
 * - Joins are keyed when they join an entity by its class under a condition written out (a device
 *   page joining its token, device-joined-relations.ts), not a relation path. Shapes this module
 *   does not key (relation joins, common table expressions, grouping, locks, skip/take, time
 *   travel, index hints) are not remembered: such a query is built as typeorm builds it.
 * - Under `NODE_ENV=test` every remembered text is built again and compared, and a difference
 *   throws: the whole test suite checks that the key misses nothing typeorm reads. The check leans
 *   on typeorm's internals (the expression map), pinned with typeorm's version in package-lock.json.
 * - At most MAX_REMEMBERED shapes, the least recently used dropped first: shapes follow the
 *   client's choices (filters, orders, the fields a page reads), so they must not grow unbounded.
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Alias } from 'typeorm/query-builder/Alias';
import type { JoinAttribute } from 'typeorm/query-builder/JoinAttribute';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';

export const MAX_REMEMBERED = 500;

const remembered = new Map<string, string>();
/** Texts built for a shape not remembered, and texts reused (for tests). */
const counts = { built: 0, reused: 0 };
const verify = process.env.NODE_ENV === 'test';

const aliasKey = (a: Alias) => [a.type, a.name, a.hasMetadata ? a.metadata.name : null, a.tablePath ?? null, a.subQuery ?? null];

/** A join's key: only an entity joined by its class with a written condition (no relation, no mapping). */
function joinKey(join: JoinAttribute): unknown[] | null {
  if (typeof join.entityOrProperty !== 'function' || join.condition === undefined || join.mapToProperty !== undefined || join.mapAsEntity !== undefined || !join.alias.hasMetadata) {
    return null;
  }
  return [join.direction, aliasKey(join.alias), join.condition];
}

/** The shape's key, or null when the query uses something this module does not key. */
function shapeKey(map: QueryExpressionMap): string | null {
  if (
    map.queryType !== 'select' ||
    map.relationIdAttributes.length > 0 ||
    map.commonTableExpressions.length > 0 ||
    map.groupBys.length > 0 ||
    map.havings.length > 0 ||
    map.lockMode !== undefined ||
    map.skip !== undefined ||
    map.take !== undefined ||
    map.timeTravel ||
    map.useIndex !== undefined ||
    map.maxExecutionTime > 0 ||
    map.subQuery ||
    map.comment
  ) {
    return null;
  }
  const joins = map.joinAttributes.map(joinKey);
  if (joins.includes(null)) return null;
  return JSON.stringify([
    map.mainAlias ? aliasKey(map.mainAlias) : null,
    joins,
    map.aliases.map(aliasKey),
    map.selects,
    map.selectDistinct,
    map.selectDistinctOn,
    map.wheres,
    map.extraAppendedAndWhereCondition,
    map.withDeleted,
    map.allOrderBys,
    map.limit ?? null,
    map.offset ?? null,
    map.queryEntity,
    map.aliasNamePrefixingEnabled,
    map.disableEscaping,
    map.options,
  ]);
}

function remember(key: string, sql: string): void {
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(key, sql);
}

/**
 * Runs `read` (one execution of `qb`: getRawMany, getMany...) with the query's SQL text
 * remembered from the last query of the same shape, or built and remembered now.
 */
export async function withRememberedQuery<E extends ObjectLiteral, T>(qb: SelectQueryBuilder<E>, read: () => Promise<T>): Promise<T> {
  // As getRawMany() sets it before it builds the query: it selects raw rows, not entities.
  qb.expressionMap.queryEntity = false;
  const key = shapeKey(qb.expressionMap);
  if (key === null) return read();
  let sql = remembered.get(key);
  if (sql === undefined) {
    sql = qb.getQuery();
    counts.built++;
  } else {
    counts.reused++;
    remembered.delete(key); // most recently used last (a Map keeps insertion order)
    if (verify) {
      const built = qb.getQuery();
      if (built !== sql) throw new Error(`statement-cache: a query of the same shape was built as\n${sql}\nand now as\n${built}\n(key ${key})`);
    }
  }
  remember(key, sql);
  const text = sql;
  // An own property for this one execution, removed after it: the builder may be changed and run
  // again, and then builds its new text.
  qb.getQuery = () => text;
  try {
    return await read();
  } finally {
    delete (qb as Partial<SelectQueryBuilder<E>>).getQuery;
  }
}

/** How many shapes are remembered (for the bound's test). */
export function rememberedShapes(): number {
  return remembered.size;
}

/** How many texts were built for shapes not remembered, and how many were reused, so far. */
export function statementCounts(): Readonly<typeof counts> {
  return { ...counts };
}
