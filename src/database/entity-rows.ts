/**
 * `getMany()` for list pages and loaders, without typeorm's result transformer. That transformer
 * is general: it handles joins, embeddeds, relation ids, transformers and load listeners, and
 * walks a column map for every value of every row. On the device list it was about a tenth of a
 * request's CPU (issue #15: 30 columns a device, 100 to 500 devices a page). The query here
 * selects only its own entity's columns, so each row maps to one entity with a plain loop,
 * built once per entity and alias.
 *
 * The contract is narrow, and misuse fails loudly rather than hydrating something half-right:
 * - the query must select its main alias alone, or some of its columns by property
 *   (`select(['d.id', 'd.serialNumber'])`, the page's projection): no joined selection, no other
 *   expression; the entity then holds those properties only, as typeorm leaves a partial one;
 * - every column of the entity must be plain (no transformer, embedded, relation or
 *   virtual column); relations without columns (many-to-many) are left unset, as unjoined;
 * - its type must be one whose pg value typeorm would hand back unchanged, or a timestamp, which
 *   pg already parses to a Date (src/database/timestamp-parser.ts).
 * Entity listeners (`@AfterLoad`) and subscribers are not called. depgate declares none, and
 * `entity-rows.test.ts` fails if one is added.
 *
 * It leans on two of typeorm's internals, pinned with typeorm's version in package-lock.json: the
 * query's `expressionMap` (what it selects) and the names of its SELECT list (DriverUtils.buildAlias,
 * called as SelectQueryBuilder calls it). A typeorm that changed either makes a read throw ("the row
 * has no ..."), never guess, and entity-rows.test.ts compares every entity with getMany().
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Driver } from 'typeorm/driver/Driver';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { withRememberedQuery } from './statement-cache';

/** Types whose pg value typeorm's PostgresDriver.prepareHydratedValue returns as it is. */
const AS_IS = new Set<unknown>(['text', 'varchar', 'character varying', 'uuid', 'integer', 'int', 'int4', 'smallint', 'bigint', 'jsonb', 'json', 'bytea', String]);
/** Timestamp types: typeorm turns a string into a Date; pg's parser already gave one. */
const TIMESTAMP = new Set<unknown>(['timestamptz', 'timestamp with time zone', Date]);

interface ColumnRead {
  rawKey: string;
  property: string;
  kind: 'as-is' | 'boolean' | 'timestamp';
}

type Hydrate<E> = (raw: Record<string, unknown>) => E;

const hydrators = new WeakMap<EntityMetadata, Map<string, Hydrate<ObjectLiteral>>>();

function columnRead(driver: Driver, metadata: EntityMetadata, alias: string, column: ColumnMetadata): ColumnRead {
  const where = `${metadata.name}.${column.propertyName}`;
  if (column.transformer || column.embeddedMetadata || column.relationMetadata || column.isVirtual || column.isVirtualProperty) {
    throw new Error(`entity-rows: ${where} is not a plain column; read ${metadata.name} with getMany()`);
  }
  const kind = column.type === Boolean || column.type === 'boolean' ? 'boolean' : TIMESTAMP.has(column.type) ? 'timestamp' : AS_IS.has(column.type) ? 'as-is' : null;
  // pg parses arrays of these types (text[], uuid[]) into arrays, which typeorm also keeps as they are.
  if (kind === null || (column.isArray && kind !== 'as-is')) throw new Error(`entity-rows: ${where} has type ${String(column.type)}${column.isArray ? '[]' : ''}, which entity-rows does not read; read ${metadata.name} with getMany()`);
  // The name typeorm gives the column in its SELECT list, made as SelectQueryBuilder makes it.
  return { rawKey: DriverUtils.buildAlias(driver, undefined, alias, column.databaseName), property: column.propertyName, kind };
}

/** null: every column (the alias selected whole); else the properties selected. */
type Projection = ReadonlySet<string> | null;

function buildHydrator<E extends ObjectLiteral>(driver: Driver, metadata: EntityMetadata, alias: string, projection: Projection): Hydrate<E> {
  // Relations without columns of their own (many-to-many) stay unset, as typeorm leaves a relation
  // it did not join; lazy ones would need typeorm's loader.
  if (metadata.lazyRelations.length > 0 || metadata.embeddeds.length > 0 || metadata.afterLoadListeners.length > 0 || typeof metadata.target !== 'function') {
    throw new Error(`entity-rows: ${metadata.name} has lazy relations, embeddeds or load listeners; read it with getMany()`);
  }
  // Columns declared `select: false` are left out of the query, and so of the entity, as by typeorm.
  const reads = metadata.columns.filter((c) => (projection ? projection.has(c.propertyName) : c.isSelect)).map((c) => columnRead(driver, metadata, alias, c));
  // One function per entity and alias, written out column by column: a loop over the columns made
  // every read and store a keyed one (`entity[property]`), which cost as much as typeorm's
  // transformer saved. Names are written with JSON.stringify, so any property name is a string
  // literal, never code.
  const body = reads
    .map((r) => `entity[${JSON.stringify(r.property)}] = ${READER_NAME[r.kind]}(raw[${JSON.stringify(r.rawKey)}], ${JSON.stringify(r.rawKey)});`)
    .join('\n');
  const kinds = Object.keys(READERS) as ColumnRead['kind'][];
  const make = new Function('prototype', ...kinds.map((k) => READER_NAME[k]), `return function hydrate(raw) {\nconst entity = Object.create(prototype);\n${body}\nreturn entity;\n};`);
  // As typeorm makes the entities it loads (EntityMetadata.create with fromDeserializer).
  return make((metadata.target as { prototype: object }).prototype, ...kinds.map((k) => READERS[k])) as Hydrate<E>;
}

/** A value the row must hold: undefined means the SELECT list and the entity disagree. */
function present(value: unknown, rawKey: string): unknown {
  if (value === undefined) throw new Error(`entity-rows: the row has no ${rawKey}`);
  return value;
}

/** How a column's pg value becomes the entity's, as PostgresDriver.prepareHydratedValue does it. */
const READERS: Record<ColumnRead['kind'], (value: unknown, rawKey: string) => unknown> = {
  'as-is': present,
  timestamp: (value, rawKey) => (value === null ? null : value instanceof Date ? value : new Date(present(value, rawKey) as string)),
  boolean: (value, rawKey) => (value === null ? null : Boolean(present(value, rawKey))),
};
const READER_NAME: Record<ColumnRead['kind'], string> = { 'as-is': 'readAsIs', timestamp: 'readTimestamp', boolean: 'readBoolean' };

/**
 * Hydrators kept per entity. The column sets are the client's choice (the fields an operation
 * selects), so without a bound a caller asking ever other subsets of fields would grow the cache
 * until the process ran out of memory; past the bound the least recently used one is dropped and
 * made again when asked (a few tens of microseconds).
 */
export const MAX_HYDRATORS_PER_ENTITY = 64;

function hydratorFor<E extends ObjectLiteral>(driver: Driver, metadata: EntityMetadata, alias: string, projection: Projection): Hydrate<E> {
  let byKey = hydrators.get(metadata);
  if (!byKey) hydrators.set(metadata, (byKey = new Map()));
  const key = projection ? `${alias}|${[...projection].sort().join(',')}` : alias;
  let hydrate = byKey.get(key);
  if (hydrate) {
    // Most recently used last (a Map keeps insertion order).
    byKey.delete(key);
  } else {
    hydrate = buildHydrator(driver, metadata, alias, projection);
    if (byKey.size >= MAX_HYDRATORS_PER_ENTITY) byKey.delete(byKey.keys().next().value!);
  }
  byKey.set(key, hydrate);
  return hydrate as Hydrate<E>;
}

/** How many hydrators are kept for an entity (for the bound's test). */
export function cachedHydrators(metadata: EntityMetadata): number {
  return hydrators.get(metadata)?.size ?? 0;
}

/**
 * What the query selects of its main alias: all of it (null), some properties, or refused.
 * `named`: selections given a name of their own (`addSelect(sql, name)`) are allowed and left to
 * the caller, who reads them from the raw rows (getEntitiesAndRows).
 */
function projectionOf(qb: SelectQueryBuilder<ObjectLiteral>, named: boolean): Projection {
  const { mainAlias, joinAttributes } = qb.expressionMap;
  const refuse = () => new Error(`entity-rows: the query of ${mainAlias!.metadata.name} selects more than its own columns; read it with getMany()`);
  if (!named && qb.expressionMap.selects.some((s) => s.aliasName)) throw refuse();
  // A name like the entity's own raw keys (`d_model`) would give the row two columns of one name,
  // and pg keeps the last: the entity would read the other's value.
  if (qb.expressionMap.selects.some((s) => s.aliasName?.startsWith(`${mainAlias!.name}_`))) {
    throw new Error(`entity-rows: a named selection of the query of ${mainAlias!.metadata.name} must not begin with ${mainAlias!.name}_, as its own columns do`);
  }
  const selects = qb.expressionMap.selects.filter((s) => !s.aliasName);
  if (joinAttributes.some((j) => j.isSelected) || selects.length === 0) throw refuse();
  if (selects.length === 1 && selects[0]!.selection === mainAlias!.name) return null;
  const prefix = `${mainAlias!.name}.`;
  const properties = new Set<string>();
  for (const { selection } of selects) {
    const property = selection.startsWith(prefix) ? selection.slice(prefix.length) : null;
    const column = property === null ? undefined : mainAlias!.metadata.findColumnWithPropertyPath(property);
    if (!column || column.propertyPath !== property) throw refuse();
    properties.add(property);
  }
  return properties;
}

/** The query's entities, as `qb.getMany()` would give them (see the contract above). */
export async function getEntities<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): Promise<E[]> {
  return (await read(qb, false)).entities;
}

/**
 * The query's entities and, row for row, its raw rows: for a query that also selects named
 * expressions (`addSelect('"t"."name"', 't_name')`, from a join that is not selected as an entity),
 * which the caller reads from the rows by their names. The entities are as getEntities makes them.
 */
export async function getEntitiesAndRows<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): Promise<{ entities: E[]; rows: Record<string, unknown>[] }> {
  return read(qb, true);
}

async function read<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, named: boolean): Promise<{ entities: E[]; rows: Record<string, unknown>[] }> {
  const { mainAlias } = qb.expressionMap;
  if (!mainAlias?.hasMetadata) throw new Error('entity-rows: the query has no entity to read');
  const hydrate = hydratorFor<E>(qb.connection.driver, mainAlias.metadata, mainAlias.name, projectionOf(qb, named));
  const rows = (await withRememberedQuery(qb, () => qb.getRawMany())) as Record<string, unknown>[];
  return { entities: rows.map(hydrate), rows };
}
