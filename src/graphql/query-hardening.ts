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
  const key = passKey(variables, operationName);
  const passed = key === undefined ? undefined : passedOperations(schema, document);
  if (passed?.has(key!)) return null;
  const refusal =
    listLimitError(schema, LIST_LIMITS, document, variables) ??
    invalidCharactersError(schema, TEXT_POLICIES, document, variables) ??
    variableCoercionError(schema, document, variables, operationName) ??
    complexityError(schema, document, variables, operationName) ??
    null;
  if (refusal === null && passed) {
    if (passed.size >= MAX_PASSES_PER_DOCUMENT) passed.clear();
    passed.add(key!);
  }
  return refusal;
}

/*
 * The checks above are a pure function of the schema, the parsed document, its variables and the
 * operation's name, and they walk the whole operation and its inputs: about 5 % of the CPU of a
 * page request. Clients repeat the same operation with the same variables (a console paging, a
 * dashboard polling), and Apollo hands the same DocumentNode for the same query text (its
 * document cache), so the operations that passed are remembered per document, for small variable
 * sets only. Refusals are not remembered: each is a fresh error object of its own request.
 */
const MAX_PASS_KEY_LENGTH = 2048;
const MAX_PASSES_PER_DOCUMENT = 64;
const passes = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Set<string>>>();

function passKey(variables: Record<string, unknown> | undefined, operationName: string | undefined): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(variables ?? null);
  } catch {
    return undefined; // not JSON (a cycle, a BigInt): let the checks say what is wrong
  }
  if (json === undefined || json.length > MAX_PASS_KEY_LENGTH) return undefined;
  return `${operationName ?? ''}\u0000${json}`;
}

function passedOperations(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  let bySchema = passes.get(schema);
  if (!bySchema) passes.set(schema, (bySchema = new WeakMap()));
  let passed = bySchema.get(document);
  if (!passed) bySchema.set(document, (passed = new Set()));
  return passed;
}
