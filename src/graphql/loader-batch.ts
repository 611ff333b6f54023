/**
 * DataLoader's contract: a batch function answers one value per key, in the keys' order (a wrong
 * length fails the whole batch; a wrong order silently gives callers each other's rows). `byIds`
 * lines rows up with their keys; a key without a row gets null.
 */

/** Thrown when a batch query answered rows that cannot be lined up with the keys: a bug in the query. */
export class LoaderBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoaderBatchError';
  }
}

/**
 * One row or null per key. `keyOf` names a row's key (its `id` unless said otherwise). Two rows for
 * one key (a join that multiplied rows) or a row for a key nobody asked for throws: picking one
 * would hide the bug.
 */
export function byIds<R extends { id: string }>(keys: readonly string[], rows: readonly R[]): (R | null)[];
export function byIds<R>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string): (R | null)[];
export function byIds<R>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string = (row) => (row as { id: string }).id): (R | null)[] {
  const wanted = new Set(keys);
  const found = new Map<string, R>();
  for (const row of rows) {
    const key = keyOf(row);
    if (!wanted.has(key)) throw new LoaderBatchError(`byIds: a row for key ${key}, which was not asked for`);
    if (found.has(key)) throw new LoaderBatchError(`byIds: two rows for key ${key}`);
    found.set(key, row);
  }
  return keys.map((key) => found.get(key) ?? null);
}
