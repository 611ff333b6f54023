/**
 * How much work a query may ask for, estimated before it runs, the same way on HTTP and WebSocket.
 * A connection field costs its children times `first` (the page it asks for), `nodes(ids)` its
 * children times the ids given, any other field 1 + its children. So
 * `depTokens(first: 50) { profiles(first: 20) { devices(first: 100) { ... } } }` costs about
 * 50 x 20 x 100 x fields: what the database would really have to produce. (graphql-armor's cost
 * limit grows exponentially with depth instead, refusing ordinary dashboard queries.)
 */
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './connection';

export const MAX_QUERY_COMPLEXITY = 250_000;
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

const pagedEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.args.some((a) => a.name === 'first')) {
    const first = typeof args.first === 'number' && args.first >= 0 ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + Math.max(first, 1) * childComplexity;
  }
  if (field.name === 'nodes' && Array.isArray(args.ids)) return 1 + Math.max(args.ids.length, 1) * childComplexity;
  return 1 + childComplexity;
};

export function queryComplexity(schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): number {
  return getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [pagedEstimator] });
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
