import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AppleTokenFields } from '../apple-tokens/apple-token.types';
import { ScopeTag } from '../auth/auth.types';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { OrderByInput } from '../graphql/order';
import type { DepTokenKeyPairEntity } from './key-pair.entity';
import type { DepTokenEntity, TokenType } from './token.entity';
import { DepTokenOrderField } from './token.order';
import { DepTokenStatus } from './token.status';

export enum DepTokenType {
  DEP = 'DEP',
  ASM = 'ASM',
}
registerEnumType(DepTokenType, {
  name: 'DepTokenType',
  valuesConfig: { DEP: { description: 'Apple Business Manager' }, ASM: { description: 'Apple School Manager' } },
});

@ObjectType({ implements: Node, description: 'A vendor key pair: its certificate is uploaded to Apple; the private key never leaves depgate' })
export class DepTokenKeyPair extends Node {
  @Field({ description: 'Upload this PEM to the MDM server in Apple Business Manager' })
  certificatePem: string;

  @Field({ description: 'A key pair not used by an upload before this time can no longer be used' })
  expiresAt: Date;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  usedAt: Date | null;

  static from(entity: DepTokenKeyPairEntity): DepTokenKeyPair {
    return Object.assign(new DepTokenKeyPair(), {
      id: toGlobalId('DepTokenKeyPair', entity.id),
      certificatePem: entity.certificatePem,
      expiresAt: entity.expiresAt,
      createdAt: entity.createdAt,
      usedAt: entity.usedAt,
    });
  }
}

@ObjectType({ implements: Node, description: 'An enrollment program token: one MDM server in Apple Business Manager or Apple School Manager' })
export class DepToken extends AppleTokenFields {
  @Field({ description: 'The Apple ID that created the token; renewals must use it' })
  appleId: string;

  @Field(() => String, { nullable: true })
  orgEmail: string | null;

  @Field(() => String, { nullable: true })
  orgId: string | null;

  @Field(() => String, { nullable: true })
  serverName: string | null;

  @Field()
  serverUuid: string;

  @Field(() => String, { nullable: true, description: "The enrollment URL of the MDM server this token feeds; null: the deployment's ENROLLMENT_URL" })
  enrollmentUrl: string | null;

  @Field(() => DepTokenType)
  tokenType: DepTokenType;

  @Field(() => DepTokenStatus)
  status: DepTokenStatus;

  @Field(() => Date, { nullable: true })
  lastSyncTriggeredAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastSuccessfulSyncAt: Date | null;

  @Field(() => String, { nullable: true })
  lastSyncError: string | null;

  @Field(() => Int)
  syncedDeviceCount: number;

  /** Database id of the key pair, for field resolvers; not exposed. */
  keyPairRowId: string;

  static from(entity: DepTokenEntity, status: DepTokenStatus): DepToken {
    return Object.assign(new DepToken(), AppleTokenFields.sharedFields(entity), {
      id: toGlobalId('DepToken', entity.id),
      keyPairRowId: entity.keyPairId,
      appleId: entity.appleId,
      orgEmail: entity.orgEmail,
      orgId: entity.orgId,
      serverName: entity.serverName,
      serverUuid: entity.serverUuid,
      enrollmentUrl: entity.enrollmentUrl,
      tokenType: entity.tokenType as TokenType as DepTokenType,
      status,
      lastSyncTriggeredAt: entity.lastSyncTriggeredAt,
      lastSuccessfulSyncAt: entity.lastSuccessfulSyncAt,
      lastSyncError: entity.lastSyncError,
      syncedDeviceCount: entity.syncedDeviceCount,
    });
  }
}

export const DepTokenConnection = ConnectionType(DepToken, 'DepToken');

registerEnumType(DepTokenOrderField, {
  name: 'DepTokenOrderField',
  valuesConfig: {
    CREATED_AT: { description: 'When the token was uploaded' },
    NAME: { description: 'Its name in depgate, alphabetically' },
    EXPIRES_AT: { description: 'When Apple’s token expires' },
  },
});

export const DepTokenOrder = OrderByInput<DepTokenOrderField>(DepTokenOrderField, 'DepToken', 'How DEP tokens are listed; ties are ordered by id. Default: CREATED_AT ASC');
export type DepTokenOrder = InstanceType<typeof DepTokenOrder>;

@InputType()
export class CreateDepTokenKeyPairInput {
  @Field({ description: 'Must be true: the admin consents to sending user and device data to Apple' })
  dataSharingConsent: boolean;
}

@ObjectType()
export class CreateDepTokenKeyPairPayload {
  @Field(() => DepTokenKeyPair)
  keyPair: DepTokenKeyPair;
}

@InputType()
export class UploadDepTokenInput {
  @Field(() => ID)
  keyPairId: string;

  @Field({ description: "The .p7m file's text, or base64 of its raw bytes (at most 1 MB)" })
  tokenFile: string;

  @Field({ description: 'The Apple ID used to create the token in the portal (needed again to renew)' })
  appleId: string;

  @Field(() => String, { nullable: true, description: "Defaults to the MDM server's name" })
  name?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Who may see the token; a scoped key defaults to its own tags. At most 100' })
  scopeTagIds?: string[] | null;
}

@ObjectType()
export class DepTokenPayload {
  @Field(() => DepToken)
  token: DepToken;
}

@InputType()
export class RenewDepTokenInput {
  @Field(() => ID)
  tokenId: string;

  @Field()
  tokenFile: string;

  @Field({ description: 'Must be the Apple ID that created the original token' })
  appleId: string;
}

@InputType()
export class UpdateDepTokenInput {
  @Field(() => ID)
  tokenId: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the scope tags; inherited by profiles and devices. At most 100' })
  scopeTagIds?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "The enrollment URL of the MDM server this token feeds (https where Apple is real; at most 2000 characters); an empty string clears it (ENROLLMENT_URL then). Profiles saved afterwards use it",
  })
  enrollmentUrl?: string | null;
}

@InputType()
export class DeleteDepTokenInput {
  @Field(() => ID)
  tokenId: string;
}

@ObjectType()
export class DeleteDepTokenPayload {
  @Field(() => ID)
  deletedDepTokenId: string;
}

export { ScopeTag };
