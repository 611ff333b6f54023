import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { ApiKeyEntity } from './api-key.entity';
import { Role } from './role';
import type { ScopeTagEntity } from './scope-tag.entity';

@ObjectType({ implements: Node, description: 'A label that limits what an API key sees; tokens carry tags and pass them to their profiles, devices and sync runs' })
export class ScopeTag extends Node {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field()
  createdAt: Date;

  /** Database id, for resolvers; not exposed. */
  rowId: string;

  static from(entity: ScopeTagEntity): ScopeTag {
    return Object.assign(new ScopeTag(), {
      id: toGlobalId('ScopeTag', entity.id),
      rowId: entity.id,
      name: entity.name,
      description: entity.description,
      createdAt: entity.createdAt,
    });
  }
}

@ObjectType({ implements: Node, description: 'An API key; its secret is shown once, at creation, and stored hashed' })
export class ApiKey extends Node {
  @Field()
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => [ScopeTag], { description: 'Empty: the key is unrestricted' })
  scopeTags: ScopeTag[];

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  static from(entity: ApiKeyEntity): ApiKey {
    return Object.assign(new ApiKey(), {
      id: toGlobalId('ApiKey', entity.id),
      name: entity.name,
      role: entity.role,
      scopeTags: (entity.scopeTags ?? []).map(ScopeTag.from),
      createdAt: entity.createdAt,
      lastUsedAt: entity.lastUsedAt,
      revokedAt: entity.revokedAt,
    });
  }
}

export const ApiKeyConnection = ConnectionType(ApiKey, 'ApiKey');

@ObjectType({ description: 'The API key making this request' })
export class Viewer {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field(() => Role)
  role: Role;

  @Field({ description: 'True when the key has no scope tags and sees everything' })
  unrestricted: boolean;
}

@InputType()
export class CreateApiKeyInput {
  @Field()
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => [ID], { defaultValue: [], description: 'Empty: unrestricted (only an unrestricted key may create one). At most 100' })
  scopeTagIds: string[];
}

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field({ description: 'The secret, shown only in this response: send it as `Authorization: Bearer <secret>`' })
  secret: string;
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID)
  apiKeyId: string;
}

@ObjectType()
export class RevokeApiKeyPayload {
  @Field(() => ApiKey)
  apiKey: ApiKey;
}

@InputType()
export class CreateScopeTagInput {
  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType()
export class CreateScopeTagPayload {
  @Field(() => ScopeTag)
  scopeTag: ScopeTag;
}

@InputType()
export class DeleteScopeTagInput {
  @Field(() => ID)
  scopeTagId: string;
}

@ObjectType()
export class DeleteScopeTagPayload {
  @Field(() => ID)
  deletedScopeTagId: string;
}
