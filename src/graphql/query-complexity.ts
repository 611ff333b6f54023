/**
 * How much work a query may ask for, estimated before it runs, the same way on HTTP and WebSocket.
 * A connection field costs its children times `first` or `last` (the page it asks for), `nodes(ids)` its
 * children times the ids given, any other field 1 + its children. So
 * `depTokens(first: 50) { profiles(first: 20) { devices(first: 100) { ... } } }` costs about
 * 50 x 20 x 100 x fields: what the database would really have to produce. (graphql-armor's cost
 * limit grows exponentially with depth instead, refusing ordinary dashboard queries.)
 *
 * Work that does not scale with `first` is added once per connection: a selected `totalCount`
 * (a count over every matching row, however small the page) and a `filter.search` (an ILIKE over
 * serials, models and descriptions, paid by the page and again by its count). 30 aliases of a
 * search with its count are refused; a dashboard with a few counts and one search is not.
 */
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './connection';
import { ErrorCode } from '../errors/error-codes';

export const MAX_QUERY_COMPLEXITY = 250_000;
export const QUERY_TOO_COMPLEX = ErrorCode.QUERY_TOO_COMPLEX;
/** A count over the rows a connection's filter matches (indexed): a few are a dashboard. */
export const TOTAL_COUNT_COST = 1_000;
/** A substring search (trigram index, then a recheck of every candidate row), per page and per count. */
export const SEARCH_COST = 10_000;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** How many times `totalCount` is selected directly on this connection (aliases and fragments included). */
function totalCountSelections(selectionSet: SelectionSetNode | undefined, fragments: Fragments, seen = new Set<string>()): number {
  let n = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) n += selection.name.value === 'totalCount' ? 1 : 0;
    else if (selection.kind === Kind.INLINE_FRAGMENT) n += totalCountSelections(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value); // fragment cycles are a validation error, reported elsewhere
      n += totalCountSelections(fragments.get(selection.name.value)?.selectionSet, fragments, seen);
    }
  }
  return n;
}

const searches = (args: Record<string, unknown>): boolean => {
  const search = (args.filter as { search?: unknown } | null | undefined)?.search;
  return typeof search === 'string' && search.trim() !== '';
};

const pagedEstimator: ComplexityEstimator = ({ field, args, childComplexity, node, context }) => {
  if (field.args.some((a) => a.name === 'first')) {
    // `last` asks for a page as much as `first` does (both at once are refused when the field runs).
    const sizes = [args.first, args.last].filter((n): n is number => typeof n === 'number' && n >= 0);
    const first = sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE;
    const scan = searches(args) ? SEARCH_COST : 0;
    const counts = totalCountSelections(node.selectionSet, (context as { fragments: Fragments }).fragments);
    return 1 + scan + Math.max(first, 1) * childComplexity + counts * (scan || TOTAL_COUNT_COST);
  }
  // Paid by its connection above, once rather than once per edge.
  if (field.name === 'totalCount') return 0;
  if (field.name === 'nodes' && Array.isArray(args.ids)) return 1 + Math.max(args.ids.length, 1) * childComplexity;
  return 1 + childComplexity;
};

export function queryComplexity(schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): number {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [pagedEstimator],
    context: { fragments },
  });
}

/** A typed error when the query asks for too much; null when it may run. */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
  operationName?: string,
): GraphQLError | null {
  let cost: number;
  try {
    cost = queryComplexity(schema, document, variables, operationName);
  } catch {
    return null; // unknown operation name or bad variables: graphql-js reports those itself
  }
  if (cost <= MAX_QUERY_COMPLEXITY) return null;
  return new GraphQLError(
    `This query asks for too much at once (estimated cost ${Math.round(cost)}, limit ${MAX_QUERY_COMPLEXITY}): ask for smaller pages (first) or fewer nested connections`,
    { extensions: { code: QUERY_TOO_COMPLEX, cost: Math.round(cost), limit: MAX_QUERY_COMPLEXITY, http: { status: 400 } } },
  );
}
