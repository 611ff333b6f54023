import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AppleTokenFields } from '../apple-tokens/apple-token.types';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { VppTokenEntity } from './vpp-token.entity';
import { VppTokenStatus } from './vpp-token.status';

@ObjectType({ description: 'Company Portal licences of a VPP token, as Apple reported them at refreshedAt' })
export class CompanyPortalLicenses {
  @Field(() => Int)
  total: number;

  @Field(() => Int)
  assigned: number;

  @Field(() => Int)
  available: number;

  @Field({ description: `Fewer available than VPP_LICENSES_LOW or 10 % of the total (or none at all)` })
  low: boolean;

  @Field({ description: 'When these counts were read from Apple' })
  refreshedAt: Date;
}

@ObjectType({
  implements: Node,
  description: 'An Apps and Books (VPP) location token: installs Company Portal with a purchased licence, with no Apple ID on the device',
})
export class VppToken extends AppleTokenFields {
  @Field(() => String, { nullable: true, description: 'The Apple ID that manages the location, if recorded' })
  appleId: string | null;

  @Field(() => String, { nullable: true })
  locationName: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 country of the location' })
  countryCode: string | null;

  @Field(() => VppTokenStatus)
  status: VppTokenStatus;

  @Field(() => CompanyPortalLicenses, { nullable: true, description: 'Null until licences were read from Apple once' })
  companyPortalLicenses: CompanyPortalLicenses | null;

  @Field(() => Date, { nullable: true, description: 'The last attempt to read licences from Apple' })
  lastRefreshAttemptAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last licence read failed; null when it succeeded' })
  lastRefreshError: string | null;

  static from(entity: VppTokenEntity, status: VppTokenStatus, low: boolean): VppToken {
    const counted = entity.cpTotalCount !== null && entity.cpAvailableCount !== null && entity.licensesRefreshedAt !== null;
    return Object.assign(new VppToken(), AppleTokenFields.sharedFields(entity), {
      id: toGlobalId('VppToken', entity.id),
      appleId: entity.appleId,
      locationName: entity.locationName,
      countryCode: entity.countryCode,
      status,
      companyPortalLicenses: counted
        ? Object.assign(new CompanyPortalLicenses(), {
            total: entity.cpTotalCount,
            assigned: entity.cpAssignedCount ?? Math.max(0, entity.cpTotalCount! - entity.cpAvailableCount!),
            available: entity.cpAvailableCount,
            low,
            refreshedAt: entity.licensesRefreshedAt,
          })
        : null,
      lastRefreshAttemptAt: entity.lastRefreshAttemptAt,
      lastRefreshError: entity.lastRefreshError,
    });
  }
}

export const VppTokenConnection = ConnectionType(VppToken, 'VppToken');

@InputType()
export class UploadVppTokenInput {
  @Field({ description: "The .vpptoken file's text (base64 of its bytes also accepted)" })
  tokenFile: string;

  @Field(() => String, { nullable: true, description: "Defaults to the location's name" })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'The Apple ID that manages the location (for the record)' })
  appleId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Who may see the token; a scoped key defaults to its own tags. At most 100' })
  scopeTagIds?: string[] | null;
}

@InputType()
export class RenewVppTokenInput {
  @Field(() => ID)
  vppTokenId: string;

  @Field({ description: 'The newly downloaded .vpptoken of the same location' })
  tokenFile: string;
}

@InputType()
export class UpdateVppTokenInput {
  @Field(() => ID)
  vppTokenId: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty string clears it' })
  appleId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the scope tags. At most 100' })
  scopeTagIds?: string[] | null;
}

@InputType()
export class DeleteVppTokenInput {
  @Field(() => ID)
  vppTokenId: string;
}

@InputType()
export class RefreshVppTokenLicensesInput {
  @Field(() => ID)
  vppTokenId: string;
}

@ObjectType()
export class VppTokenPayload {
  @Field(() => VppToken)
  vppToken: VppToken;
}

@ObjectType()
export class DeleteVppTokenPayload {
  @Field(() => ID)
  deletedVppTokenId: string;
}
