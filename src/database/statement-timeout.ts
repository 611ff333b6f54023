/**
 * The pool's statement_timeout (REQUEST_STATEMENT_TIMEOUT_MS, set in data-source.ts) bounds what a
 * request can make PostgreSQL do. Background work shares the pool; its statements whose work grows
 * with the data (a full sync's sweep over every device of a token) lift it for their transaction.
 */
export async function liftStatementTimeout(manager: { query(sql: string): Promise<unknown> }): Promise<void> {
  // SET LOCAL: only until the transaction ends, so the pooled connection keeps the request limit.
  await manager.query('SET LOCAL statement_timeout = 0');
}
