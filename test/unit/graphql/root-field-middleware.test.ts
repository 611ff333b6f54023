/**
 * The role guard and the audit run on root fields only (src/graphql/root-field-middleware.ts):
 * a root field without a declared role is still refused, a declared role is still enforced, and
 * nested fields resolve without going through the middlewares at all.
 */
import { graphql, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { authGuard, REQUIRED_ROLE_EXTENSION } from '../../../src/auth/guard';
import { Role } from '../../../src/auth/role';
import { applyRootFieldMiddlewares } from '../../../src/graphql/root-field-middleware';

const item = new GraphQLObjectType({ name: 'Item', fields: { name: { type: GraphQLString }, label: { type: GraphQLString, resolve: (r) => `#${r.name}` } } });
const items = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];

function schemaWith(middlewares: MiddlewareFn<any>[]) {
  return applyRootFieldMiddlewares(
    new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          items: { type: new GraphQLList(item), extensions: { [REQUIRED_ROLE_EXTENSION]: Role.READER }, resolve: () => items },
          admin: { type: GraphQLString, extensions: { [REQUIRED_ROLE_EXTENSION]: Role.ADMIN }, resolve: () => 'secret' },
          undeclared: { type: GraphQLString, resolve: () => 'open' },
        },
      }),
    }),
    middlewares,
  );
}

const reader = { principal: { role: Role.READER } };

it('refuses a root field that declares no role, even for a valid key', async () => {
  const res = await graphql({ schema: schemaWith([authGuard]), source: '{ undeclared }', contextValue: reader });
  expect(res.data).toEqual({ undeclared: null });
  expect(res.errors?.[0].message).toMatch(/Query.undeclared declares no required role/);
});

it('enforces the declared role and lets a sufficient one through', async () => {
  const forbidden = await graphql({ schema: schemaWith([authGuard]), source: '{ admin }', contextValue: reader });
  expect((forbidden.errors?.[0].originalError as any)?.code).toBe('FORBIDDEN');
  const anonymous = await graphql({ schema: schemaWith([authGuard]), source: '{ items { name } }', contextValue: { principal: null } });
  expect((anonymous.errors?.[0].originalError as any)?.code).toBe('UNAUTHENTICATED');
  const ok = await graphql({ schema: schemaWith([authGuard]), source: '{ items { name label } }', contextValue: reader });
  expect(ok).toEqual({ data: { items: [{ name: 'a', label: '#a' }, { name: 'b', label: '#b' }, { name: 'c', label: '#c' }] } });
});

it('runs the middlewares once per root field, in order, and never on nested fields', async () => {
  const seen: string[] = [];
  const tracer = (tag: string): MiddlewareFn<any> => async ({ info }, next) => {
    seen.push(`${tag}:${info.parentType.name}.${info.fieldName}`);
    return next();
  };
  const res = await graphql({ schema: schemaWith([tracer('outer'), tracer('inner')]), source: '{ items { name label } }', contextValue: reader });
  expect(res.errors).toBeUndefined();
  expect(seen).toEqual(['outer:Query.items', 'inner:Query.items']);
});
