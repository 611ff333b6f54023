/**
 * Query hardening: depth, aliases, directives, tokens (graphql-armor). Apollo's plugins and
 * validation rules do not run on the WebSocket path, so both transports take their rules from here.
 * Cost is limited by query-complexity.ts (page-size aware); armor's estimate grows with depth.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
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
    maxTokens: { n: 5000 },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
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
