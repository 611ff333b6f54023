import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { AppleBusinessAccountEntity } from './account.entity';

export enum AppleBusinessScope {
  BUSINESS = 'BUSINESS',
  SCHOOL = 'SCHOOL',
}
registerEnumType(AppleBusinessScope, {
  name: 'AppleBusinessScope',
  description: 'Which API the account belongs to: Apple Business (business.api) or Apple School Manager (school.api)',
});

export enum AppleBusinessAccountStatus {
  ACTIVE = 'ACTIVE',
  REFUSED = 'REFUSED',
}
registerEnumType(AppleBusinessAccountStatus, {
  name: 'AppleBusinessAccountStatus',
  description:
    'REFUSED: Apple refused the account on its last call (invalid_client or invalid_scope, or a 401 / a 403 to a read even with a new access token: the key was revoked or the account deleted); ACTIVE again after the next call Apple answers',
});

@ObjectType({
  implements: Node,
  description:
    'An Apple School and Business API account (Settings > API in the portal): the organisation-wide inventory, MDM servers and device assignment. Only the server token (.p7m) of a DEP token still has to be downloaded in the portal.',
})
export class AppleBusinessAccount extends Node {
  @Field()
  name: string;

  @Field({ description: 'The Client ID (BUSINESSAPI.<uuid> or SCHOOLAPI.<uuid>)' })
  clientId: string;

  @Field({ description: "The private key's Key ID" })
  keyId: string;

  @Field(() => AppleBusinessScope)
  scope: AppleBusinessScope;

  @Field(() => AppleBusinessAccountStatus)
  status: AppleBusinessAccountStatus;

  @Field(() => Date, { nullable: true, description: 'When Apple refused the account; null while it works' })
  refusedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'What Apple answered when it refused the account (e.g. invalid_client); null while it works' })
  refusedReason: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the current client assertion expires (depgate makes a new one 30 days before, stored once Apple accepts it; APPLE_BUSINESS_ASSERTION_EXPIRING alerts when that keeps failing)',
  })
  assertionExpiresAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last scheduled renewal of the client assertion failed; null once one succeeds' })
  assertionRenewalError: string | null;

  @Field(() => Date, { nullable: true, description: 'When the inventory mirror last completed' })
  inventorySyncedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last inventory mirror failed; null when it succeeded' })
  inventorySyncError: string | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  /** Database id, for resolvers; not exposed. */
  rowId: string;

  static from(entity: AppleBusinessAccountEntity): AppleBusinessAccount {
    return Object.assign(new AppleBusinessAccount(), {
      id: toGlobalId('AppleBusinessAccount', entity.id),
      rowId: entity.id,
      name: entity.name,
      clientId: entity.clientId,
      keyId: entity.keyId,
      scope: entity.scope as AppleBusinessScope,
      status: entity.refusedAt ? AppleBusinessAccountStatus.REFUSED : AppleBusinessAccountStatus.ACTIVE,
      refusedAt: entity.refusedAt,
      refusedReason: entity.refusedReason,
      assertionExpiresAt: entity.assertionExpiresAt,
      assertionRenewalError: entity.assertionRenewalError,
      inventorySyncedAt: entity.inventorySyncedAt,
      inventorySyncError: entity.inventorySyncError,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    });
  }
}

export const AppleBusinessAccountConnection = ConnectionType(AppleBusinessAccount, 'AppleBusinessAccount');

@InputType()
export class ConnectAppleBusinessAccountInput {
  @Field({ description: '1 to 100 characters' })
  name: string;

  @Field({ description: 'The Client ID the portal shows' })
  clientId: string;

  @Field({ description: 'The Key ID the portal shows' })
  keyId: string;

  @Field({ description: 'The P-256 private key .pem the portal downloaded (SEC1 or PKCS#8); write-only, stored encrypted' })
  privateKeyPem: string;

  @Field(() => AppleBusinessScope)
  scope: AppleBusinessScope;

  @Field(() => [ID], { nullable: true, description: "Scope tags; a key with scope tags may only give its own (default: all of them). At most 100" })
  scopeTagIds?: string[] | null;
}

@InputType()
export class UpdateAppleBusinessAccountInput {
  @Field(() => ID)
  accountId: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the scope tags this key may change. At most 100' })
  scopeTagIds?: string[] | null;

  @Field(() => String, { nullable: true, description: "A new key's Key ID (with privateKeyPem): after Apple refused the old key, or to rotate it" })
  keyId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The new P-256 private key .pem (with keyId; SEC1 or PKCS#8); proved with Apple like a connect before it replaces the old key; write-only, stored encrypted',
  })
  privateKeyPem?: string | null;
}

@InputType()
export class DisconnectAppleBusinessAccountInput {
  @Field(() => ID)
  accountId: string;
}

@ObjectType()
export class AppleBusinessAccountPayload {
  @Field(() => AppleBusinessAccount)
  appleBusinessAccount: AppleBusinessAccount;
}

@ObjectType()
export class DisconnectAppleBusinessAccountPayload {
  @Field(() => ID)
  deletedAppleBusinessAccountId: string;
}
