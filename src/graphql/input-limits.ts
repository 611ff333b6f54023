/**
 * How long a list in a request may be, checked on the document and its raw JSON variables before
 * anything else reads them: graphql-js coerces every variable item, the cost estimate coerces them
 * again, resolvers classify them. 300,000 serial numbers are refused before any of that, on HTTP
 * and WebSocket alike (server.ts runs this next to the cost check).
 *
 * Every list argument and input field has a maximum, keyed by its schema coordinate
 * (`Query.nodes(ids:)`, `AlertFilter.kinds`; the table is in schema.ts and its descriptions say
 * it). A list of enum values is bounded by the number of values unless the table says otherwise.
 * graphql-armor's token limit keeps lists written into the document small; it has no rule for
 * variables, and graphql-js validation rules never see variables, hence this walk.
 */
import { GraphQLError, getNamedType, isEnumType, type DocumentNode, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { walkOperationInputs } from './input-walk';

export interface ListLimit {
  max: number;
  /** The refusal's code when the feature already has one; TOO_MANY_ITEMS otherwise. */
  code?: ErrorCode;
}

/** Limits by schema coordinate: `Type.field` for input fields, `Type.field(arg:)` for arguments. */
export type ListLimits = Readonly<Record<string, ListLimit>>;

/** Ids named in one input (scope tags, certificates): far more than anyone names at once. */
export const MAX_IDS_PER_INPUT = 100;

/** The limit of a list: the table's, else one of each value of an enum, else MAX_IDS_PER_INPUT (a list the table forgot stays bounded). */
export function listLimitFor(limits: ListLimits, coordinate: string, listType: GraphQLInputType): ListLimit {
  const explicit = limits[coordinate];
  if (explicit) return explicit;
  const item = getNamedType(listType);
  return isEnumType(item) ? { max: item.getValues().length } : { max: MAX_IDS_PER_INPUT };
}

class TooManyItems extends Error {
  constructor(
    readonly field: string,
    readonly count: number,
    readonly limit: ListLimit,
  ) {
    super(`${field} holds ${count} items; at most ${limit.max} are accepted`);
  }
}

/**
 * A typed error (400) for the first list over its maximum, with `extensions.field` and
 * `extensions.max`; null when every list fits. Unknown fields and arguments are left to
 * graphql-js validation.
 */
export function listLimitError(schema: GraphQLSchema, limits: ListLimits, document: DocumentNode, variables?: Record<string, unknown> | null): GraphQLError | null {
  try {
    walkOperationInputs(schema, document, variables, {
      list(count, listType, at) {
        const limit = listLimitFor(limits, at.coordinate, listType);
        if (count > limit.max) throw new TooManyItems(at.field, count, limit);
      },
    });
  } catch (error) {
    if (!(error instanceof TooManyItems)) throw error;
    const code = error.limit.code ?? ErrorCode.TOO_MANY_ITEMS;
    const details = { field: error.field, max: error.limit.max };
    return new GraphQLError(error.message, {
      originalError: new DomainError(code, error.message, details),
      extensions: { code, ...details, http: { status: 400 } },
    });
  }
  return null;
}
