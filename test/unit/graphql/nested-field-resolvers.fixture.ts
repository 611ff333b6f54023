/**
 * Resolver classes for test/unit/graphql/nested-field-resolvers.test.ts and the builds of their
 * schema, in a module of their own so that the test can evaluate them twice, as jest evaluates the
 * sources once per test file: each evaluation has its own type-graphql and graphql-js, as a test
 * file has, and type-graphql's metadata storage (on the global object) holds both.
 */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root, UseMiddleware, buildSchemaSync, type MiddlewareFn } from 'type-graphql';
import { resolveNestedFieldsDirectly } from '../../../src/graphql/nested-field-resolvers';

export { graphql } from 'graphql';
export { getMetadataStorage } from 'type-graphql';

export const seen: string[] = [];
export const tracer: MiddlewareFn = async ({ info }, next) => {
  seen.push(`${info.parentType.name}.${info.fieldName}`);
  return next();
};

@ObjectType()
class NfrBase {
  @Field()
  inherited: string;
}

@ObjectType()
export class NfrItem extends NfrBase {
  @Field()
  name: string;

  @Field()
  @UseMiddleware(tracer)
  traced: string;

  static of(name: string): NfrItem {
    return Object.assign(new NfrItem(), { name, traced: `t-${name}`, inherited: `i-${name}` });
  }
}

@Resolver(() => NfrItem)
class NfrItemResolver {
  /** State a second instance would not share: the pass must leave this class to type-graphql. */
  private labelled = 0;

  @Query(() => [NfrItem])
  nfrItems(): NfrItem[] {
    return [NfrItem.of('a'), NfrItem.of('b')];
  }

  @Query(() => [NfrItem], { description: 'Plain objects, not NfrItem instances' })
  nfrPlainItems(): unknown[] {
    return [{ name: 'p', traced: 't-p', inherited: 'i-p' }];
  }

  @Query(() => Int)
  nfrLabelled(): number {
    return this.labelled;
  }

  @FieldResolver(() => String)
  label(@Root() item: NfrItem): string {
    this.labelled++;
    return `#${item.name}`;
  }
}

@Resolver(() => NfrItem)
class NfrStatelessResolver {
  @FieldResolver(() => String)
  greeting(@Root() item: NfrItem, @Ctx() ctx: { greeting: string }): string {
    // An instance of the root's class whichever way the field was resolved: type-graphql converts
    // a plain root before calling.
    return `${ctx.greeting} ${item instanceof NfrItem ? 'instance' : 'plain'} ${item.name}`;
  }

  @FieldResolver(() => String)
  repeated(@Root() item: NfrItem, @Arg('times', () => Int) times: number): string {
    return item.name.repeat(times);
  }
}

const resolvers = [NfrItemResolver, NfrStatelessResolver] as const;

/** The schema as type-graphql builds it, or with the pass; `globalMiddlewares` told to the pass. */
export function build(pass: boolean, globalMiddlewares?: MiddlewareFn[]): GraphQLSchema {
  const schema = buildSchemaSync({ resolvers: [...resolvers], validate: false });
  return pass ? resolveNestedFieldsDirectly(schema, { resolvers: [...resolvers], globalMiddlewares }) : schema;
}
