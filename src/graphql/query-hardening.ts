/**
 * Query hardening: depth, aliases, directives (graphql-armor) and tokens (graphql-js's own
 * parser limit). Apollo's plugins and validation rules do not run on the WebSocket path, so both
 * transports take their rules from here.
 * Cost is limited by query-complexity.ts (page-size aware); armor's estimate grows with depth.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, parse, type DocumentNode, type GraphQLSchema, type ParseOptions } from 'graphql';
import { ErrorCode } from '../errors/error-codes';
import { LIST_LIMITS, TEXT_POLICIES } from '../schema';
import { invalidCharactersError } from './input-characters';
import { variableCoercionError } from './variable-coercion';
import { listLimitError } from './input-limits';
import { complexityError } from './query-complexity';

export type QueryHardening = ReturnType<ApolloArmor['protect']>;

export function createQueryHardening(): QueryHardening {
  return new ApolloArmor({
    maxDepth: { n: 12 },
    maxAliases: { n: 30 },
    maxDirectives: { n: 30 },
    // armor's token limit parses again in an Apollo plugin hook, where every syntax error
    // (an unknown escape, a missing brace) became an HTTP 500: the parser's own limit instead.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

/** The token limit, where each transport parses: Apollo's `parseOptions`, and parseOperation on the WebSocket. */
export const PARSE_OPTIONS: ParseOptions = { maxTokens: 5000 };

/** The WebSocket's parse, as Apollo's: a document, or GRAPHQL_PARSE_FAILED for a syntax error or too many tokens. */
export function parseOperation(query: string): DocumentNode | GraphQLError {
  try {
    return parse(query, PARSE_OPTIONS);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } });
  }
}

/**
 * Checks that need the operation and its variables (list lengths, the characters of every string,
 * variables of the declared types, then page-size aware cost), run by both transports before anything executes. Null when the
 * operation may run.
 */
export function operationRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): GraphQLError | null {
  return (
    listLimitError(schema, LIST_LIMITS, document, variables) ??
    invalidCharactersError(schema, TEXT_POLICIES, document, variables) ??
    variableCoercionError(schema, document, variables, operationName) ??
    complexityError(schema, document, variables, operationName) ??
    null
  );
}
