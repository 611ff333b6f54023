import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/node';
import type { AppleTokenColumns } from './apple-token.columns';

/**
 * The GraphQL fields DepToken and VppToken share, declared once. Both extend it; the schema has no
 * type of this name because no field returns it.
 */
@ObjectType('AppleTokenFields')
export abstract class AppleTokenFields extends Node {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  orgName: string | null;

  @Field()
  expiresAt: Date;

  @Field(() => Date, { nullable: true })
  renewedAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  /** Database id, for field resolvers; not exposed. */
  rowId: string;

  /** The shared fields of a row (the caller adds its global `id` and its own fields). */
  protected static sharedFields(entity: AppleTokenColumns): Omit<AppleTokenFields, 'id'> {
    return {
      rowId: entity.id,
      name: entity.name,
      orgName: entity.orgName,
      expiresAt: entity.expiresAt,
      renewedAt: entity.renewedAt,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    };
  }
}
