/**
 * Walks every input value of an operation, with its schema type, before graphql-js coerces it:
 * literals written in the document and the raw JSON of the variables that stand in for them
 * (or their defaults), through nested input objects and lists. The checks that must run before
 * anything executes, on HTTP and WebSocket alike (input-limits.ts counts lists,
 * input-characters.ts reads strings), share this one walk so that they see the same values.
 *
 * Only fields and arguments the schema has are walked; unknown ones are left to graphql-js
 * validation. Directive arguments are skipped (@include/@skip take booleans).
 */
import {
  Kind,
  TypeInfo,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLLeafType,
  type GraphQLList,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';

export const argumentCoordinate = (type: string, field: string, arg: string) => `${type}.${field}(${arg}:)`;
export const inputFieldCoordinate = (type: string, field: string) => `${type}.${field}`;

/** Where a value sits: its schema coordinate, the argument or input field's name, and the path from the argument. */
export interface InputPosition {
  coordinate: string;
  field: string;
  path: readonly (string | number)[];
}

export interface InputVisitor {
  /** A list value with its item count (a single value where a list is expected is a list of one). */
  list?(count: number, type: GraphQLList<GraphQLInputType>, at: InputPosition): void;
  /** A scalar or enum value: a string literal's text (escapes resolved), or a variable's raw JSON value (any JSON type). */
  leaf?(value: unknown, type: GraphQLLeafType, at: InputPosition): void;
}

interface Walk {
  visitor: InputVisitor;
  variables: Record<string, unknown>;
  defaults: Map<string, ValueNode>;
}

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

/** A value written in the document (a literal, or a variable standing in for one). */
function walkLiteral(walk: Walk, node: ValueNode, type: GraphQLInputType, at: InputPosition): void {
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    if (has(walk.variables, name)) walkJson(walk, walk.variables[name], type, at);
    else if (walk.defaults.has(name)) walkLiteral(walk, walk.defaults.get(name)!, type, at);
    return;
  }
  if (node.kind === Kind.NULL) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = node.kind === Kind.LIST ? node.values : [node];
    walk.visitor.list?.(items.length, nullable, at);
    items.forEach((item, i) => walkLiteral(walk, item, nullable.ofType, { ...at, path: [...at.path, i] }));
  } else if (isInputObjectType(nullable)) {
    if (node.kind !== Kind.OBJECT) return;
    const fields = nullable.getFields();
    for (const entry of node.fields) {
      const def = fields[entry.name.value];
      if (def) walkLiteral(walk, entry.value, def.type, { coordinate: inputFieldCoordinate(nullable.name, def.name), field: def.name, path: [...at.path, def.name] });
    }
  } else if (isLeafType(nullable) && node.kind === Kind.STRING) {
    // Numbers, booleans and enum names written in the document are plain tokens; only string literals carry text.
    walk.visitor.leaf?.(node.value, nullable, at);
  }
}

/** A variable's raw JSON value. Only the type's fields are read. */
function walkJson(walk: Walk, value: unknown, type: GraphQLInputType, at: InputPosition): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    walk.visitor.list?.(items.length, nullable, at);
    items.forEach((item, i) => walkJson(walk, item, nullable.ofType, { ...at, path: [...at.path, i] }));
  } else if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    for (const def of Object.values(nullable.getFields())) {
      if (has(record, def.name)) {
        walkJson(walk, record[def.name], def.type, { coordinate: inputFieldCoordinate(nullable.name, def.name), field: def.name, path: [...at.path, def.name] });
      }
    }
  } else if (isLeafType(nullable)) {
    walk.visitor.leaf?.(value, nullable, at);
  }
}

/** Visits every argument value of every field in the document. A visitor stops the walk by throwing. */
export function walkOperationInputs(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, visitor: InputVisitor): void {
  const walk: Walk = { visitor, variables: variables ?? {}, defaults: new Map() };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of definition.variableDefinitions ?? []) if (v.defaultValue) walk.defaults.set(v.variable.name.value, v.defaultValue);
  }
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const arg = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (arg && field && parent && !typeInfo.getDirective()) {
          walkLiteral(walk, node.value, arg.type, { coordinate: argumentCoordinate(parent.name, field.name, arg.name), field: arg.name, path: [arg.name] });
        }
        return false; // the value was walked above, with its type
      },
    }),
  );
}
