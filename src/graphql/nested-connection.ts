/**
 * Connections nested under a list of parents (a token's devices, a profile's devices) loaded for a
 * whole page of parents at once: one query for every parent's first page (a window function ranks
 * the children per parent, keyset order), and one grouped count when `totalCount` is selected.
 * Resolvers reach them through DataLoaders keyed by the field's arguments (see `loaderPerKey`), so a
 * page of 100 tokens costs the same two statements as a page of one.
 */
import DataLoader from 'dataloader';
import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { ConnectionResult } from './connection';
import { type KeysetOrder, keysetPage, type PageArgs } from './keyset';
import { getEntities } from '../database/entity-rows';

export interface NestedConnectionSpec<E extends ObjectLiteral> {
  repository: Repository<E>;
  /** Child rows under `alias` with the field's filters applied (not yet restricted to parents). */
  base: (alias: string) => SelectQueryBuilder<E>;
  /** The child table's column naming its parent, e.g. `token_id`. */
  parentColumn: string;
  /** The children's order (a unique key), as SQL on the given alias. */
  order: (alias: string) => KeysetOrder<E>;
  args: PageArgs;
  /** The properties the page reads (its parent's added), for a projection; absent: every column. */
  columns?: readonly string[] | null;
}

/** Pages of children for each parent id (in one query) with a batched lazy count. */
export async function paginateNested<E extends ObjectLiteral>(
  spec: NestedConnectionSpec<E>,
  parentIds: readonly string[],
  counter: DataLoader<string, number>,
): Promise<ConnectionResult<E>[]> {
  const inner = keysetPage(spec.order('c'), spec.args);
  const outer = keysetPage(spec.order('o'), spec.args);
  const grouped = new Map<string, E[]>(parentIds.map((id) => [id, []]));
  if (inner.limit > 0 && parentIds.length > 0) {
    const ranked = spec.base('c');
    ranked.andWhere(`c.${spec.parentColumn} = ANY(CAST(:__parents AS uuid[]))`, { __parents: [...parentIds] });
    for (const condition of inner.where) ranked.andWhere(condition.sql, condition.parameters);
    // Ranked in fetch order (reversed for `last`), so the first `limit` of each parent are its page.
    ranked
      .select('c.id', 'id')
      .addSelect(`row_number() OVER (PARTITION BY c.${spec.parentColumn} ORDER BY ${inner.orderBy.map((t) => `${t.sql} ${t.direction}`).join(', ')})`, 'rn');
    const query = spec.repository
      .createQueryBuilder('o')
      .where(`o.id IN (SELECT ranked.id FROM (${ranked.getQuery()}) ranked WHERE ranked.rn <= :__limit)`)
      .setParameters(ranked.getParameters())
      .setParameter('__limit', inner.limit)
      .orderBy(`o.${spec.parentColumn}`, 'ASC');
    for (const term of outer.orderBy) query.addOrderBy(term.sql, term.direction);
    const parentProperty =
      spec.repository.metadata.columns.find((c) => c.databaseName === spec.parentColumn)?.propertyName ?? spec.parentColumn;
    if (spec.columns) query.select([...new Set([...spec.columns, parentProperty])].map((property) => `o.${property}`));
    for (const row of await getEntities(query)) grouped.get(row[parentProperty] as string)?.push(row);
  }
  return parentIds.map((parentId) => {
    const { edges, pageInfo } = outer.finish(grouped.get(parentId) ?? []);
    return new ConnectionResult(edges, pageInfo, () => counter.load(parentId));
  });
}

/** Children per parent for the same filters, in one grouped query. */
export async function countNested<E extends ObjectLiteral>(
  base: (alias: string) => SelectQueryBuilder<E>,
  parentColumn: string,
  parentIds: readonly string[],
): Promise<number[]> {
  const rows: { parent: string; n: number }[] = await base('c')
    .select(`c.${parentColumn}`, 'parent')
    .addSelect('count(*)::int', 'n')
    .andWhere(`c.${parentColumn} = ANY(CAST(:__parents AS uuid[]))`, { __parents: [...parentIds] })
    .groupBy(`c.${parentColumn}`)
    .getRawMany();
  const counts = new Map(rows.map((r) => [r.parent, Number(r.n)]));
  return parentIds.map((id) => counts.get(id) ?? 0);
}

/** A nested connection's arguments as its loaders see them: the page and the order asked for. */
export interface NestedArgs<O = unknown> extends PageArgs {
  orderBy?: O | null;
}

/**
 * The loader key for a nested connection's arguments, and back: one encoding for every caller
 * (a resolver and its loader once disagreed, and `first`/`after` were silently ignored).
 */
export function connectionArgsKey(args: NestedArgs): string {
  return JSON.stringify({
    first: args.first ?? null,
    after: args.after ?? null,
    last: args.last ?? null,
    before: args.before ?? null,
    orderBy: args.orderBy ?? null,
  });
}

export function connectionArgsFromKey<O = unknown>(key: string): NestedArgs<O> {
  const parsed = JSON.parse(key) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`connectionArgsFromKey: expected a key from connectionArgsKey ({"first","after",...}), got ${key}`);
  }
  const { first, after, last, before, orderBy } = parsed as NestedArgs<O>;
  return { first, after, last, before, orderBy };
}

/**
 * One DataLoader per distinct key (the field's arguments as JSON), created on first use. Parents
 * asked with the same arguments batch together.
 */
export function loaderPerKey<K, V>(create: (key: string) => DataLoader<K, V>): (key: string) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (key) => {
    let loader = loaders.get(key);
    if (!loader) {
      loader = create(key);
      loaders.set(key, loader);
    }
    return loader;
  };
}
