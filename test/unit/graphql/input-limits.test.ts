/**
 * Every list the schema takes is bounded and says so: the table in schema.ts names each list
 * argument and input field that is not an enum list, names nothing else, and each description
 * states the maximum. Plus the walk itself on documents and raw variables.
 */
import 'reflect-metadata';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  parse,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { listLimitError, listLimitFor } from '../../../src/graphql/input-limits';
import { argumentCoordinate, inputFieldCoordinate } from '../../../src/graphql/input-walk';
import { buildDepgateSchema, LIST_LIMITS } from '../../../src/schema';

let schema: GraphQLSchema;
beforeAll(() => {
  schema = buildDepgateSchema();
});

/** Every list-typed argument and input field, by schema coordinate. */
function listCoordinates(): Map<string, GraphQLArgument | GraphQLInputField> {
  const found = new Map<string, GraphQLArgument | GraphQLInputField>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) if (isListType(getNullableType(arg.type))) found.set(argumentCoordinate(type.name, field.name, arg.name), arg);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (isListType(getNullableType(field.type))) found.set(inputFieldCoordinate(type.name, field.name), field);
    }
  }
  return found;
}

describe('the list limits of the schema', () => {
  it('name every list argument and input field that is not a list of enum values', () => {
    const lists = listCoordinates();
    expect(lists.size).toBeGreaterThan(10);
    const unbounded = [...lists].filter(([coordinate, def]) => !LIST_LIMITS[coordinate] && !isEnumType(getNamedType(def.type))).map(([c]) => c);
    expect(unbounded).toEqual([]); // add these to LIST_LIMITS in src/schema.ts
  });

  it('name nothing that is not a list of the schema', () => {
    const lists = listCoordinates();
    expect(Object.keys(LIST_LIMITS).filter((coordinate) => !lists.has(coordinate))).toEqual([]);
  });

  it('are stated in each description', () => {
    const undocumented = [...listCoordinates()]
      .filter(([coordinate, def]) => {
        const description = def.description ?? '';
        if (!LIST_LIMITS[coordinate]) return !/at most as many as there are/i.test(description);
        const max = listLimitFor(LIST_LIMITS, coordinate, def.type).max;
        return !new RegExp(`at most ${max.toLocaleString('en-US')}\\b`, 'i').test(description);
      })
      .map(([coordinate]) => coordinate);
    expect(undocumented).toEqual([]);
  });

  it('bound an enum list by the number of values', () => {
    const filter = schema.getType('AlertFilter') as GraphQLInputObjectType;
    const kinds = schema.getType('AlertKind') as GraphQLEnumType;
    expect(listLimitFor(LIST_LIMITS, 'AlertFilter.kinds', filter.getFields().kinds!.type).max).toBe(kinds.getValues().length);
  });
});

describe('listLimitError', () => {
  const check = (query: string, variables?: Record<string, unknown>) => listLimitError(schema, LIST_LIMITS, parse(query), variables);
  const many = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`);

  it('passes lists within their limits, absent and null lists', () => {
    expect(check(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: many(100) })).toBeNull();
    expect(check(`query ($f: AlertFilter) { alerts(filter: $f) { totalCount } }`, {})).toBeNull();
    expect(check(`query ($f: AlertFilter) { alerts(filter: $f) { totalCount } }`, { f: { kinds: null } })).toBeNull();
  });

  it('counts a variable list, a literal list, a variable inside a literal input, and a default value', () => {
    expect(check(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: many(101) })?.extensions).toMatchObject({ field: 'ids', max: 100 });
    expect(check(`{ nodes(ids: [${many(101).map((s) => `"${s}"`).join(',')}]) { id } }`)?.extensions).toMatchObject({ field: 'ids', max: 100 });
    expect(check(`mutation ($t: [ID!]) { updateDepToken(input: {tokenId: "x", scopeTagIds: $t}) { token { id } } }`, { t: many(101) })?.extensions).toMatchObject({
      code: 'TOO_MANY_ITEMS',
      field: 'scopeTagIds',
      max: 100,
    });
    expect(check(`query ($ids: [ID!]! = [${many(101).map((s) => `"${s}"`).join(',')}]) { nodes(ids: $ids) { id } }`)?.extensions).toMatchObject({ field: 'ids' });
  });

  it('keeps a feature code and answers 400 before anything runs', () => {
    const error = check(`mutation ($s: [String!]!) { assignEnrollmentProfile(input: {profileId: "p", serialNumbers: $s}) { results { status } } }`, {
      s: Array.from({ length: 300_000 }, () => 'x'),
    });
    expect(error?.extensions).toMatchObject({ code: 'TOO_MANY_SERIAL_NUMBERS', field: 'serialNumbers', max: 10000, http: { status: 400 } });
    expect(error?.message).toBe('serialNumbers holds 300000 items; at most 10000 are accepted');
  });

  it('reads only the fields the input type has, however many keys a variable carries', () => {
    const input: Record<string, unknown> = { tokenId: 'x' };
    for (let i = 0; i < 1000; i++) input[`junk${i}`] = many(1000);
    expect(check(`mutation ($i: UpdateDepTokenInput!) { updateDepToken(input: $i) { token { id } } }`, { i: input })).toBeNull();
  });
});
