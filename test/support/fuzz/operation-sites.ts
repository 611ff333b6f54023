/**
 * The fuzz suite's map of the API, read from the introspected schema (what a hostile client sees):
 * every field that takes arguments is a site, root fields of Query, Mutation and Subscription and
 * fields of Node types reached through `node(id:)`. Each site has a type-correct base value for
 * its arguments and a list of positions (every argument, every input field at any depth, a list's
 * first item) where a case puts one hostile value. The operation is written with its arguments
 * inline or as variables.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/** An enum value: bare in a document, a string in variables. */
export class EnumValue {
  constructor(readonly name: string) {}
}

/** Removes the value at a position (a required argument or field goes missing). */
export const MISSING = Symbol('missing');

export type Path = readonly (string | number)[];

export interface Site {
  /** `Mutation.createEnrollmentProfile`, `DepToken.profiles` (through node(id:)). */
  label: string;
  operation: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
  /** For a field of a Node type: the type and the id of one object of it. */
  through?: { type: GraphQLObjectType; id: string };
  positions: Path[];
}

/** Where base values come from: ids of the caller's own objects, and plain text. */
export interface BaseValues {
  id(argOrField: string, fieldName: string): string;
  string(name: string): string;
  now: string;
}

const MAX_INPUT_DEPTH = 4;

function positionsOf(type: GraphQLInputType, path: Path, out: Path[], depth = 0): void {
  out.push(path);
  if (depth >= MAX_INPUT_DEPTH) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) positionsOf(nullable.ofType, [...path, 0], out, depth + 1);
  else if (isInputObjectType(nullable)) {
    for (const field of Object.values(nullable.getFields())) positionsOf(field.type, [...path, field.name], out, depth + 1);
  }
}

function argumentPositions(args: readonly GraphQLArgument[]): Path[] {
  const out: Path[] = [];
  for (const arg of args) positionsOf(arg.type, [arg.name], out);
  return out;
}

/** Every site of the schema; `nodeIds` gives an id of an object of a Node type (sites of types without one are left out). */
export function sitesOf(schema: GraphQLSchema, nodeIds: (typeName: string) => string | undefined): Site[] {
  const sites: Site[] = [];
  const roots: [Site['operation'], GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  for (const [operation, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.args.length) sites.push({ label: `${root!.name}.${field.name}`, operation, field, positions: argumentPositions(field.args) });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || !type.getInterfaces().some((i) => i.name === 'Node')) continue;
    const id = nodeIds(type.name);
    if (!id) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length) sites.push({ label: `${type.name}.${field.name}`, operation: 'query', field, through: { type, id }, positions: argumentPositions(field.args) });
    }
  }
  return sites;
}

/** A type-correct value: required input fields only, one list item, the first enum value. */
export function baseValue(type: GraphQLInputType, name: string, fieldName: string, base: BaseValues): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [baseValue(nullable.ofType, name, fieldName, base)];
  if (isInputObjectType(nullable)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = baseValue(field.type, field.name, fieldName, base);
    }
    return value;
  }
  if (isEnumType(nullable)) return new EnumValue(nullable.getValues()[0]!.name);
  switch (nullable.name) {
    case 'ID':
      return base.id(name, fieldName);
    case 'Int':
      return 5;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return name === 'dataSharingConsent';
    case 'DateTimeISO':
      return base.now;
    default:
      return base.string(name);
  }
}

/** The arguments of a site: base values, then `value` at `position` (creating the input objects and lists on the way). */
export function argumentsWith(site: Site, base: BaseValues, position: Path, value: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of site.field.args) {
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) args[arg.name] = baseValue(arg.type, arg.name, site.field.name, base);
  }
  let holder: any = args;
  for (let i = 0; i < position.length - 1; i++) {
    const key = position[i]!;
    const next = position[i + 1]!;
    if (holder[key] === undefined || holder[key] === null || typeof holder[key] !== 'object' || holder[key] instanceof EnumValue) holder[key] = typeof next === 'number' ? [] : {};
    holder = holder[key];
  }
  const last = position[position.length - 1]!;
  if (value === MISSING) {
    if (Array.isArray(holder) && typeof last === 'number') holder.splice(last, 1);
    else delete holder[last];
  } else holder[last] = value;
  return args;
}

/** A value as a GraphQL literal; anything JSON can say is written, right type or not. */
export function literal(value: unknown): string {
  if (value instanceof EnumValue) return value.name;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')}}`;
}

/** A value as JSON for the variables (enum values become their names). */
function json(value: unknown): unknown {
  if (value instanceof EnumValue) return value.name;
  if (Array.isArray(value)) return value.map(json);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
  return value;
}

/** A small selection: `__typename` and the scalar fields without required arguments, two levels down. */
export function selectionOf(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) || depth >= 2) return '{ __typename }';
  const parts = ['__typename'];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = getNamedType(field.type);
    if (isLeafType(inner)) parts.push(field.name);
    else if (depth < 1) parts.push(`${field.name} ${selectionOf(field.type, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/** The operation of a site with these arguments, inline or as variables (`$a0`, `$a1`...). */
export function operationOf(site: Site, args: Record<string, unknown>, inline: boolean): Operation {
  const selection = selectionOf(site.field.type);
  const names = Object.keys(args);
  const argDefs = new Map(site.field.args.map((a) => [a.name, a]));
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const written = names.map((name, i) => {
    if (inline || !argDefs.has(name)) return `${name}: ${literal(args[name])}`;
    definitions.push(`$a${i}: ${argDefs.get(name)!.type.toString()}`);
    variables[`a${i}`] = json(args[name]);
    return `${name}: $a${i}`;
  });
  const call = `${site.field.name}${written.length ? `(${written.join(', ')})` : ''} ${selection}`;
  const body = site.through ? `node(id: ${JSON.stringify(site.through.id)}) { __typename ... on ${site.through.type.name} { ${call} } }` : call;
  const header = `${site.operation} Fuzz${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  return { query: `${header} { ${body} }`, variables: inline ? undefined : variables };
}
