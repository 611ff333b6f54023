/**
 * Variables that do not fit their declared types (a list for an Int, an object for an ID, a
 * missing required one) are the client's mistake: BAD_USER_INPUT with graphql-js's message, on
 * both transports. Apollo tags graphql-js's coercion errors itself on HTTP; graphql-ws does not,
 * and graphql-js wraps the scalar's own GraphQLError in them, so over WebSocket they reached
 * error-masking as errors of unknown origin, masked as INTERNAL_SERVER_ERROR (found by the fuzz
 * suite). Coercing once before execution, with the other operation checks, answers both alike.
 */
import { GraphQLError, getOperationAST, getVariableValues, isInputType, typeFromAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../errors/error-codes';

/** BAD_USER_INPUT (400) for the first variable that does not coerce; null when all do (or when validation will refuse the document). */
export function variableCoercionError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null; // graphql-js names the missing or ambiguous operation
  const definitions = operation.variableDefinitions ?? [];
  // Over WebSocket this runs before validation: an unknown type is validation's to report.
  if (definitions.some((d) => !isInputType(typeFromAST(schema, d.type as never)))) return null;
  const { errors } = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: 1 });
  if (!errors?.length) return null;
  return new GraphQLError(errors[0]!.message, { nodes: errors[0]!.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}
