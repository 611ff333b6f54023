/**
 * Anything that runs SQL with positional parameters: a TypeORM DataSource, EntityManager or
 * QueryRunner, a pg Pool or Client. Code that may run inside a caller's transaction takes one of
 * these instead of a DataSource. The answer is typed by the caller (TypeORM answers rows, pg a
 * result object), so it is `any`, as in TypeORM's own `query`.
 */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}
