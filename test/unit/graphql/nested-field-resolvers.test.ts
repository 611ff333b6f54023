/**
 * Nested fields without type-graphql's per-call wrapper (src/graphql/nested-field-resolvers.ts):
 * plain fields and root/context field resolvers resolve as before, and everything that needs
 * type-graphql (a middleware, arguments, a root to convert, a resolver's state) still has it.
 * The resolver classes are evaluated twice, as jest evaluates the sources once per test file with
 * type-graphql's metadata on the global object: each builds its schema, and the second one's is
 * tested.
 */
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';

type Fixture = typeof import('./nested-field-resolvers.fixture');
function evaluate(): Fixture {
  let fixture: Fixture | undefined;
  jest.isolateModules(() => {
    fixture = require('./nested-field-resolvers.fixture') as Fixture;
  });
  return fixture!;
}
// The first evaluation builds its schema too, as an earlier test file does.
evaluate().build(true);
const { build, getMetadataStorage, graphql, seen, tracer } = evaluate();

function schemas(): { before: GraphQLSchema; after: GraphQLSchema } {
  return { before: build(false), after: build(true) };
}

const itemFields = (schema: GraphQLSchema) => (schema.getType('NfrItem') as GraphQLObjectType).getFields();
const context = { greeting: 'hello' };

beforeEach(() => seen.splice(0));

it('answers every field as type-graphql alone does', async () => {
  expect(getMetadataStorage().objectTypes.filter((o) => o.name === 'NfrItem')).toHaveLength(2);
  const { before, after } = schemas();
  const source = '{ nfrItems { name inherited traced label greeting repeated(times: 2) } nfrPlainItems { name greeting } }';
  const expected = await graphql({ schema: before, source, contextValue: context });
  expect(expected.errors).toBeUndefined();
  const answered = await graphql({ schema: after, source, contextValue: context });
  expect(answered).toEqual(expected);
  expect(answered.data).toEqual({
    nfrItems: [
      { name: 'a', inherited: 'i-a', traced: 't-a', label: '#a', greeting: 'hello instance a', repeated: 'aa' },
      { name: 'b', inherited: 'i-b', traced: 't-b', label: '#b', greeting: 'hello instance b', repeated: 'bb' },
    ],
    nfrPlainItems: [{ name: 'p', greeting: 'hello instance p' }],
  });
});

it("gives plain fields graphql-js's default resolver and calls a root/context field resolver itself", () => {
  const { before, after } = schemas();
  expect(itemFields(before).name.resolve).toBeDefined();
  expect(itemFields(after).name.resolve).toBeUndefined();
  expect(itemFields(after).inherited.resolve).toBeUndefined();
  expect(itemFields(after).greeting.resolve).toBeDefined();
  expect(itemFields(after).greeting.resolve).not.toBe(itemFields(before).greeting.resolve);
});

it('keeps a field middleware, the conversion of arguments and the instance of a resolver with state', async () => {
  const { after } = schemas();
  const res = await graphql({ schema: after, source: '{ nfrItems { traced label } nfrLabelled }', contextValue: context });
  expect(res.errors).toBeUndefined();
  expect(seen).toEqual(['NfrItem.traced', 'NfrItem.traced']);
  // The root field reads the count on type-graphql's instance: the field resolver ran on it too.
  expect(res.data?.nfrLabelled).toBe(2);
  const wrongArgument = await graphql({ schema: after, source: '{ nfrItems { repeated(times: "x") } }', contextValue: context });
  expect(wrongArgument.errors?.[0].message).toMatch(/Int cannot represent/);
});

it('refuses a build whose fields must all go through global middlewares or a container', () => {
  expect(() => build(true, [tracer])).toThrow(/global middlewares or a container/);
});
