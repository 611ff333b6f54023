// Cursor paging both ways for a connection (Devices, the organisation's devices): the query's
// first/after or last/before, back to the first page when a filter or the order changes, and the
// Previous page / Next page buttons from its pageInfo.
import { useState } from 'react';

export const PAGE_SIZE = 25;

type Page = { after?: string; before?: string };

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor?: string | null;
  endCursor?: string | null;
}

export interface Paging {
  /** The query's paging variables. */
  variables: { first: number; after: string | null } | { last: number; before: string };
  /** Back to the first page. */
  reset: () => void;
  /** A setter that also goes back to the first page: for a filter's onChange. */
  refilter: <T>(setter: (value: T) => void) => (value: T) => void;
  go: (page: Page) => void;
}

export function usePaging(): Paging {
  const [page, setPage] = useState<Page>({});
  const reset = () => setPage({});
  return {
    variables: page.before ? { last: PAGE_SIZE, before: page.before } : { first: PAGE_SIZE, after: page.after ?? null },
    reset,
    refilter: (setter) => (value) => {
      setter(value);
      reset();
    },
    go: setPage,
  };
}

export function Pager({ label, paging, pageInfo }: { label: string; paging: Paging; pageInfo: PageInfo | undefined }) {
  return (
    <nav aria-label={label} className="toolbar">
      <button type="button" className="secondary" disabled={!pageInfo?.hasPreviousPage} onClick={() => paging.go({ before: pageInfo!.startCursor! })}>
        Previous page
      </button>
      <button type="button" className="secondary" disabled={!pageInfo?.hasNextPage} onClick={() => paging.go({ after: pageInfo!.endCursor! })}>
        Next page
      </button>
    </nav>
  );
}
