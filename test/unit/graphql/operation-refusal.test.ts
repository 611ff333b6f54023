import 'reflect-metadata';
import { parse, type GraphQLSchema } from 'graphql';
import { operationRefusal } from '../../../src/graphql/query-hardening';
import { buildDepgateSchema } from '../../../src/schema';

let schema: GraphQLSchema;
beforeAll(() => {
  schema = buildDepgateSchema();
});

// operationRefusal remembers the operations that passed, per parsed document and variables.
describe('operationRefusal on a repeated document', () => {
  const document = () => parse(`query ($first: Int!, $prefix: String) { devices(first: $first, filter: { serialNumberPrefix: $prefix }) { edges { cursor } } }`);

  it('still refuses what the same document refuses with other variables, after passing it once', () => {
    const doc = document();
    expect(operationRefusal(schema, doc, { first: 10 }, undefined)).toBeNull();
    expect(operationRefusal(schema, doc, { first: 10 }, undefined)).toBeNull();
    expect(operationRefusal(schema, doc, { first: 'ten' }, undefined)?.extensions.code).toBe('BAD_USER_INPUT');
    expect(operationRefusal(schema, doc, { first: 10, prefix: 'C02\u0000' }, undefined)).not.toBeNull();
    expect(operationRefusal(schema, doc, { first: 10 }, undefined)).toBeNull();
  });

  it('answers each refusal with an error of its own (each request ties its error to its own id)', () => {
    const doc = document();
    const first = operationRefusal(schema, doc, { first: 'ten' }, undefined);
    const again = operationRefusal(schema, doc, { first: 'ten' }, undefined);
    expect(first).not.toBeNull();
    expect(again).not.toBeNull();
    expect(again).not.toBe(first);
  });
});
