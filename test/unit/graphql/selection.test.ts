/**
 * selectsPath and fieldsSelectedAt (src/graphql/selection.ts): the look-ahead a list uses to
 * prefetch what its rows' nested fields need and to read only the columns they need. They must
 * find a path however the operation spells it, and err towards "selected" where they do not
 * evaluate (type conditions, @skip/@include).
 */
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { fieldsSelectedAt, selectsPath } from '../../../src/graphql/selection';

/** The info of the operation's first root field, as graphql-js hands it to that field's resolver. */
function infoOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const root = operation.selectionSet.selections[0] as FieldNode;
  const fieldNodes = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === root.name.value);
  return { fieldNodes, fragments };
}

const TOKEN = ['edges', 'node', 'token'];

it.each([
  ['directly', `{ devices { edges { node { token { name } } } } }`],
  ['under an alias', `{ devices { edges { node { owner: token { name } } } } }`],
  ['in a named fragment, nested in another', `{ devices { ...List } } fragment List on DeviceConnection { edges { node { ...Node } } } fragment Node on Device { token { name } }`],
  ['in an inline fragment', `{ devices { edges { node { ... on Device { token { name } } } } } }`],
  ['in a fragment on another type (not evaluated: counts)', `{ devices { edges { node { ... on Other { token { name } } } } } }`],
  ['under @skip (not evaluated: counts)', `{ devices { edges { node { token @skip(if: true) { name } } } } }`],
  ['in the second of two root nodes of the same field', `{ devices { totalCount } devices { edges { node { token { name } } } } }`],
])('finds a path selected %s', (_label, source) => {
  expect(selectsPath(infoOf(source), TOKEN)).toBe(true);
});

it.each([
  ['a sibling field', `{ devices { edges { node { serialNumber profile { name } } } } }`],
  ['the same name at another depth', `{ devices { edges { token node { serialNumber } } } }`],
  ['an alias named like the field', `{ devices { edges { node { token: serialNumber } } } }`],
  ['a fragment spread twice', `{ devices { edges { node { ...F ...F } } } } fragment F on Device { serialNumber }`],
])('finds no path where the operation has %s', (_label, source) => {
  expect(selectsPath(infoOf(source), TOKEN)).toBe(false);
});

it('looks into a fragment again at another depth', () => {
  const info = infoOf(`{ devices { edges { ...E node { ...E } } } } fragment E on Device { token { name } }`);
  expect(selectsPath(info, TOKEN)).toBe(true);
});

it('refuses an empty path', () => {
  expect(() => selectsPath(infoOf(`{ devices { totalCount } }`), [])).toThrow(/at least one field/);
});

describe('fieldsSelectedAt', () => {
  const NODE = ['edges', 'node'];
  const fields = (source: string, path = NODE) => [...fieldsSelectedAt(infoOf(source), path)].sort();

  it('names the fields at the path by schema name, not alias', () => {
    expect(fields(`{ devices { edges { cursor node { id label: serialNumber model } } } }`)).toEqual(['id', 'model', 'serialNumber']);
  });

  it('gathers fragments, inline fragments, several nodes of the path and other root nodes', () => {
    const source = `{ devices { edges { node { id ...F } node { color } } ...C } devices { edges { node { ... on Device { os } } } } }
      fragment F on Device { description ...G } fragment G on Device { model }
      fragment C on DeviceConnection { edges { node { assetTag } } }`;
    expect(fields(source)).toEqual(['assetTag', 'color', 'description', 'id', 'model', 'os']);
  });

  it('counts what it does not evaluate: another type condition, @skip, __typename', () => {
    expect(fields(`{ devices { edges { node { __typename ... on Other { model } color @skip(if: true) } } } }`)).toEqual(['__typename', 'color', 'model']);
  });

  it('names no fields below a leaf or where the path is not selected', () => {
    expect(fields(`{ devices { totalCount } }`)).toEqual([]);
    expect(fields(`{ devices { edges { cursor } } }`)).toEqual([]);
    expect(fields(`{ devices { edges { node { token { name } } } } }`, ['edges', 'node', 'token'])).toEqual(['name']);
  });

  it('names the root field\'s own selection for an empty path', () => {
    expect(fields(`{ devices { totalCount edges { cursor } } }`, [])).toEqual(['edges', 'totalCount']);
  });
});
