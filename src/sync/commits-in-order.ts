/**
 * Writes that overlap and commit in the order they were started.
 *
 * A full fetch's pages list disjoint devices, so page N+1's upsert need not wait for page N's: two
 * statements run on two connections at once (two PostgreSQL backends, two cores, where one page
 * at a time left the second idle). What must stay in order is what a page commits with: its cursor
 * (a crash resumes after the newest saved cursor, and the sweep deletes what the fetch did not
 * list, so a cursor committed before an earlier page's devices could lose those devices) and the
 * run's counters and progress event. So each write gets a `turn`: it may write its rows before its
 * turn comes, and must await the turn before it saves its cursor and commits.
 *
 * Contract:
 * - `add(write)` starts `write(turn)` at once. `turn` settles when every write added before it has
 *   finished, and rejects when one of them failed (the write then fails too, rolling back). It is
 *   `undefined` when nothing was in flight at `add`: the write is alone and may commit at once (the
 *   engine then writes its page in one statement, as without overlap).
 * - `add` resolves when fewer than `depth` writes are in flight, so the caller holds at most that
 *   many pages; it rejects with the first failure, and every `add` after a failure rejects with it.
 * - `drain()` waits for every write and rejects with the first failure; `settle()` waits for every
 *   write whatever happened (for `finally`: nothing may still commit once the caller has returned).
 */
export class CommitsInOrder {
  private last: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly depth: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`CommitsInOrder: depth must be a positive integer, got ${depth}`);
  }

  async add(write: (turn: Promise<void> | undefined) => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure.error;
    const turn = this.inFlight.size > 0 ? this.last : undefined;
    const done = Promise.resolve().then(() => write(turn));
    this.last = done;
    this.inFlight.add(done);
    done.then(
      () => this.inFlight.delete(done),
      (error: unknown) => {
        this.inFlight.delete(done);
        this.failure ??= { error };
      },
    );
    while (this.inFlight.size >= this.depth && !this.failed()) await Promise.race([...this.inFlight].map((p) => p.catch(() => undefined)));
    const failure = this.failed();
    if (failure) throw failure.error;
  }

  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure.error;
  }

  /** A method, not the field: TypeScript would keep `failure` narrowed across the awaits. */
  private failed(): { error: unknown } | undefined {
    return this.failure;
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
