/**
 * Apple's pages fetched ahead of the page being written. Cursors keep the fetch serial (page N+1 is
 * asked with page N's cursor), but nothing makes it wait for page N's write: the next request goes
 * out as soon as the previous answer arrives, until `depth` pages are fetched (or in flight) and not
 * yet taken. With one page ahead, a write longer than the next fetch delays every later fetch by the
 * difference; with two, a slow write is made up by the quicker ones around it, as long as writes
 * are on average shorter than fetches (Apple's hundreds of milliseconds a page).
 *
 * Only the consumer saves cursors, once its page is committed: pages fetched ahead and not written
 * when a run stops are asked again by the next run (a crash still repeats, never loses, a page).
 */
export class PagesAhead<P> {
  /** Pages asked for and not taken yet, oldest first. */
  private readonly queue: Promise<P>[] = [];
  /** The newest page fetched while the queue was full: its successor is asked once there is room. */
  private waiting: { page: P } | undefined;
  private stopped = false;

  /**
   * @param ask one request, from a cursor (undefined: the first page)
   * @param cursorAfter the cursor of the page that follows, or undefined when this page is the last
   */
  constructor(
    private readonly ask: (cursor: string | undefined) => Promise<P>,
    private readonly cursorAfter: (page: P) => string | undefined,
    from: string | undefined,
    private readonly depth: number,
  ) {
    this.push(from);
  }

  /**
   * The next page (in order). Call it for the first page, then once for each page whose
   * `cursorAfter` is defined. A failed request rejects here, when its turn comes: the pages
   * before it are written first, as without lookahead.
   */
  take(): Promise<P> {
    const next = this.queue.shift();
    if (!next) throw new Error('PagesAhead: no page was asked for');
    if (this.waiting) {
      const { page } = this.waiting;
      this.waiting = undefined;
      this.push(this.cursorAfter(page));
    }
    return next;
  }

  /** No request after this one (the consumer has stopped: ended, failed, or starts over). */
  stop(): void {
    this.stopped = true;
    this.waiting = undefined;
  }

  private push(cursor: string | undefined): void {
    const request = this.ask(cursor);
    // Handled now: a request failing while an earlier page commits is not an unhandled rejection;
    // the consumer still gets the error from take().
    request.catch(() => undefined);
    this.queue.push(request);
    request.then(
      (page) => {
        if (this.stopped) return;
        const after = this.cursorAfter(page);
        if (after === undefined) return;
        if (this.queue.length < this.depth) this.push(after);
        else this.waiting = { page };
      },
      () => undefined,
    );
  }
}
