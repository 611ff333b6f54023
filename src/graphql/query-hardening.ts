/**
 * Query hardening: depth, aliases, directives (graphql-armor) and tokens. Apollo's plugins and
 * validation rules do not run on the WebSocket path, so both transports take their rules from here.
 * Cost is limited by query-complexity.ts (page-size aware); armor's estimate grows with depth.
 *
 * The token limit is graphql-js's own `maxTokens` parse option, not armor's: armor's Apollo plugin
 * parses the query a second time and throws from a hook, which Apollo answers with HTTP 500 (and
 * armor relabels as GRAPHQL_VALIDATION_FAILED). In the parser, too many tokens is a syntax error
 * like any other: GRAPHQL_PARSE_FAILED, a client error, on both transports.
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
    maxTokens: { enabled: false }, // PARSE_OPTIONS below
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

export const MAX_TOKENS = 5000;

/** Options every parse of a client's operation uses (Apollo's parseOptions, the WebSocket's parse). */
export const PARSE_OPTIONS: ParseOptions = { maxTokens: MAX_TOKENS };

/** The document, or the syntax error a client gets for it (GRAPHQL_PARSE_FAILED, as Apollo codes it). */
export function parseOperation(query: string): { document: DocumentNode; error?: undefined } | { document?: undefined; error: GraphQLError } {
  try {
    return { document: parse(query, PARSE_OPTIONS) };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { error: new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } }) };
  }
}

/**
 * Validation errors as Apollo codes them on HTTP (GRAPHQL_VALIDATION_FAILED), for the WebSocket:
 * graphql-armor labels its depth and alias refusals BAD_USER_INPUT, which Apollo overrides and
 * graphql-ws would not, so the same query would get two codes on the two transports.
 */
export function asValidationErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
      }),
  );
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
