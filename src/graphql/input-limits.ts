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
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

export interface ListLimit {
  max: number;
  /** The refusal's code when the feature already has one; TOO_MANY_ITEMS otherwise. */
  code?: ErrorCode;
}

/** Limits by schema coordinate: `Type.field` for input fields, `Type.field(arg:)` for arguments. */
export type ListLimits = Readonly<Record<string, ListLimit>>;

/** Ids named in one input (scope tags, certificates): far more than anyone names at once. */
export const MAX_IDS_PER_INPUT = 100;

export const argumentCoordinate = (type: string, field: string, arg: string) => `${type}.${field}(${arg}:)`;
export const inputFieldCoordinate = (type: string, field: string) => `${type}.${field}`;

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

interface Walk {
  limits: ListLimits;
  variables: Record<string, unknown>;
  defaults: Map<string, ValueNode>;
}

function enforce(walk: Walk, count: number, listType: GraphQLInputType, coordinate: string, field: string): void {
  const limit = listLimitFor(walk.limits, coordinate, listType);
  if (count > limit.max) throw new TooManyItems(field, count, limit);
}

/** A value written in the document (a literal, or a variable standing in for one). */
function checkLiteral(walk: Walk, node: ValueNode, type: GraphQLInputType, coordinate: string, field: string): void {
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    if (Object.prototype.hasOwnProperty.call(walk.variables, name)) checkJson(walk, walk.variables[name], type, coordinate, field);
    else if (walk.defaults.has(name)) checkLiteral(walk, walk.defaults.get(name)!, type, coordinate, field);
    return;
  }
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is a list of one.
    const items = node.kind === Kind.LIST ? node.values : [node];
    enforce(walk, items.length, nullable, coordinate, field);
    for (const item of items) checkLiteral(walk, item, nullable.ofType, coordinate, field);
  } else if (isInputObjectType(nullable) && node.kind === Kind.OBJECT) {
    const fields = nullable.getFields();
    for (const entry of node.fields) {
      const def = fields[entry.name.value];
      if (def) checkLiteral(walk, entry.value, def.type, inputFieldCoordinate(nullable.name, def.name), def.name);
    }
  }
}

/** A variable's raw JSON value: counted before it is coerced. Only the type's fields are read. */
function checkJson(walk: Walk, value: unknown, type: GraphQLInputType, coordinate: string, field: string): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    enforce(walk, items.length, nullable, coordinate, field);
    for (const item of items) checkJson(walk, item, nullable.ofType, coordinate, field);
  } else if (isInputObjectType(nullable) && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const def of Object.values(nullable.getFields())) {
      if (Object.prototype.hasOwnProperty.call(record, def.name)) {
        checkJson(walk, record[def.name], def.type, inputFieldCoordinate(nullable.name, def.name), def.name);
      }
    }
  }
}

/**
 * A typed error (400) for the first list over its maximum, with `extensions.field` and
 * `extensions.max`; null when every list fits. Unknown fields and arguments are left to
 * graphql-js validation.
 */
export function listLimitError(schema: GraphQLSchema, limits: ListLimits, document: DocumentNode, variables?: Record<string, unknown> | null): GraphQLError | null {
  const walk: Walk = { limits, variables: variables ?? {}, defaults: new Map() };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of definition.variableDefinitions ?? []) if (v.defaultValue) walk.defaults.set(v.variable.name.value, v.defaultValue);
  }
  const typeInfo = new TypeInfo(schema);
  try {
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Argument(node) {
          const arg = typeInfo.getArgument();
          const field = typeInfo.getFieldDef();
          const parent = typeInfo.getParentType();
          if (arg && field && parent && !typeInfo.getDirective()) {
            checkLiteral(walk, node.value, arg.type, argumentCoordinate(parent.name, field.name, arg.name), arg.name);
          }
          return false; // the value was walked above, with its type
        },
      }),
    );
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
