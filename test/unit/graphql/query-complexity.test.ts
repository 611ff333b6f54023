import 'reflect-metadata';
import { parse, type GraphQLSchema } from 'graphql';
import { queryComplexity, SEARCH_COST, TOTAL_COUNT_COST } from '../../../src/graphql/query-complexity';
import { buildDepgateSchema } from '../../../src/schema';

let schema: GraphQLSchema;
beforeAll(() => {
  schema = buildDepgateSchema();
});
const cost = (query: string, variables?: Record<string, unknown>) => queryComplexity(schema, parse(query), variables);

describe('query cost of counts and searches', () => {
  it('a totalCount costs a count, once per connection, not once per edge', () => {
    const page = cost(`{ devices(first: 100) { edges { cursor } } }`);
    expect(cost(`{ devices(first: 100) { totalCount edges { cursor } } }`)).toBe(page + TOTAL_COUNT_COST);
    expect(cost(`{ devices(first: 100) { a: totalCount b: totalCount edges { cursor } } }`)).toBe(page + 2 * TOTAL_COUNT_COST);
  });

  it('is found through inline fragments and fragment spreads', () => {
    const plain = cost(`{ devices(first: 5) { totalCount } }`);
    expect(cost(`{ devices(first: 5) { ... on DeviceConnection { totalCount } } }`)).toBe(plain);
    expect(cost(`{ devices(first: 5) { ...C } } fragment C on DeviceConnection { totalCount }`)).toBe(plain);
  });

  it('a nested totalCount is paid once per parent', () => {
    const withoutCount = cost(`{ depTokens(first: 10) { edges { node { devices(first: 5) { edges { cursor } } } } } }`);
    const withCount = cost(`{ depTokens(first: 10) { edges { node { devices(first: 5) { totalCount edges { cursor } } } } } }`);
    expect(withCount - withoutCount).toBe(10 * TOTAL_COUNT_COST);
  });

  it('a search costs its scan, for the page and again for its count; a blank one is no search', () => {
    const page = cost(`{ devices(first: 10) { edges { cursor } } }`);
    expect(cost(`{ devices(first: 10, filter: {search: "abc"}) { edges { cursor } } }`)).toBe(page + SEARCH_COST);
    expect(cost(`query ($f: DeviceFilter) { devices(first: 10, filter: $f) { totalCount edges { cursor } } }`, { f: { search: 'abc' } })).toBe(
      page + 2 * SEARCH_COST,
    );
    expect(cost(`{ devices(first: 10, filter: {search: "  "}) { edges { cursor } } }`)).toBe(page);
  });
});

describe('query cost of pages read backwards', () => {
  it('last costs what first costs, in the document or in variables', () => {
    const forwards = cost(`{ depTokens(first: 200) { edges { node { devices(first: 100) { edges { cursor } } } } } }`);
    expect(cost(`{ depTokens(last: 200) { edges { node { devices(last: 100) { edges { cursor } } } } } }`)).toBe(forwards);
    expect(cost(`query ($n: Int) { depTokens(last: $n) { edges { node { devices(first: 100) { edges { cursor } } } } } }`, { n: 200 })).toBe(forwards);
    expect(cost(`{ devices(last: 500, orderBy: {field: MODEL, direction: DESC}) { edges { cursor } } }`)).toBe(cost(`{ devices(first: 500) { edges { cursor } } }`));
  });
});
