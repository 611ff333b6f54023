import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { deviceFilterCommand } from '../devices/device.resolver';
import { nestedDevicesKey } from '../devices/device.loaders';
import { DEVICE_NODE_PATH, deviceColumnsFor } from '../devices/device-projection';
import { Device, DeviceConnection, DeviceFilter, DeviceOrder, DEVICE_ORDER_ARG } from '../devices/device.types';
import { ConnectionArgs, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { connectionArgsKey } from '../graphql/nested-connection';
import { registerNodeType } from '../graphql/node';
import { toDepToken } from '../tokens/token.resolver';
import { DepToken, DepTokenPayload } from '../tokens/token.types';
import { toVppToken } from '../vpp/vpp-token.resolver';
import { VppToken } from '../vpp/vpp-token.types';
import type { ProfileSettingsPatch } from './profile.service';
import {
  AddAppleConfiguratorCertificateInput,
  AppleConfiguratorCertificate,
  AppleConfiguratorCertificateConnection,
  AppleConfiguratorCertificatePayload,
  CreateEnrollmentProfileInput,
  DeleteAppleConfiguratorCertificateInput,
  DeleteAppleConfiguratorCertificatePayload,
  DefaultEnrollmentProfile,
  DeleteEnrollmentProfileInput,
  DeleteEnrollmentProfilePayload,
  EnrollmentProfile,
  EnrollmentProfileConnection,
  EnrollmentProfilePayload,
  EnrollmentProfileWarning,
  SetDefaultEnrollmentProfileInput,
  UpdateEnrollmentProfileInput,
  UpdateEnrollmentProfilePayload,
} from './profile.types';
import { profileWarnings } from './profile.warnings';
import { PROFILE_PLATFORMS } from './profile-platform';
import { settingsOf } from './profile.service';

/** The settings a create/update input carries, global ids parsed; absent stays absent. */
function settingsPatch(input: CreateEnrollmentProfileInput | UpdateEnrollmentProfileInput): ProfileSettingsPatch {
  const patch: ProfileSettingsPatch = {
    name: input.name,
    description: input.description,
    userAffinity: input.userAffinity,
    authenticationMethod: input.authenticationMethod,
    installCompanyPortal: input.installCompanyPortal,
    companyPortalVppTokenId:
      input.companyPortalVppTokenId == null
        ? input.companyPortalVppTokenId
        : fromGlobalId(input.companyPortalVppTokenId, 'VppToken', 'companyPortalVppTokenId'),
    singleAppModeUntilAuthentication: input.singleAppModeUntilAuthentication,
    supervised: input.supervised,
    lockedEnrollment: input.lockedEnrollment,
    awaitFinalConfiguration: input.awaitFinalConfiguration,
    syncWithComputers: input.syncWithComputers,
    appleConfiguratorCertificateIds:
      input.appleConfiguratorCertificateIds == null
        ? input.appleConfiguratorCertificateIds
        : input.appleConfiguratorCertificateIds.map((id) => fromGlobalId(id, 'AppleConfiguratorCertificate', 'appleConfiguratorCertificateIds')),
    deviceNameTemplate: input.deviceNameTemplate,
    departmentName: input.departmentName,
    departmentPhone: input.departmentPhone,
    hiddenSetupPanes: input.hiddenSetupPanes,
    language: input.language,
    region: input.region,
    supportEmailAddress: input.supportEmailAddress,
    orgMagic: input.orgMagic,
    autoAdvanceSetup: input.autoAdvanceSetup,
    configurationWebUrl: input.configurationWebUrl,
    multiUser: input.multiUser,
    anchorCertificates: input.anchorCertificates,
    returnToService: input.returnToService,
    doNotUseProfileFromBackup: input.doNotUseProfileFromBackup,
  };
  if ('platform' in input) patch.platform = input.platform;
  return patch;
}

@Resolver(() => EnrollmentProfile)
export class EnrollmentProfileResolver {
  @FieldResolver(() => DepToken)
  async token(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<DepToken> {
    return toDepToken(ctx, (await ctx.loaders.tokenById.load(profile.tokenRowId))!);
  }

  @FieldResolver(() => Boolean, { description: "Whether this is its token's default profile for its platform" })
  async isDefault(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<boolean> {
    return (await ctx.loaders.defaultProfileIdByToken.load(profile.tokenRowId))[profile.platform] === profile.rowId;
  }

  @FieldResolver(() => VppToken, {
    nullable: true,
    description: 'The VPP token that installs Company Portal; null when none is chosen or this key cannot see it (VPP tokens carry their own scope tags)',
  })
  async companyPortalVppToken(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<VppToken | null> {
    const id = profile.entity.companyPortalVppTokenId;
    if (!id) return null;
    const token = await ctx.loaders.vppTokenById.load(id);
    return token ? toVppToken(ctx, token) : null;
  }

  @FieldResolver(() => [AppleConfiguratorCertificate], { description: 'With ALLOW_BY_CERTIFICATE: the hosts allowed to pair' })
  async appleConfiguratorCertificates(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<AppleConfiguratorCertificate[]> {
    return (await ctx.loaders.certificatesByProfile.load(profile.rowId)).map(AppleConfiguratorCertificate.from);
  }

  @FieldResolver(() => [EnrollmentProfileWarning], { description: 'What the settings mean for devices and users' })
  async warnings(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<EnrollmentProfileWarning[]> {
    const vppTokenId = profile.entity.companyPortalVppTokenId;
    const vppToken = vppTokenId ? await ctx.loaders.vppTokenState.load(vppTokenId) : null;
    return profileWarnings(settingsOf(profile.entity, []), { vppToken }).map(EnrollmentProfileWarning.from);
  }

  @FieldResolver(() => DeviceConnection, { description: 'Devices holding this profile, by serial number unless orderBy says otherwise' })
  async devices(
    @Root() profile: EnrollmentProfile,
    @Arg('filter', () => DeviceFilter, { nullable: true }) filter: DeviceFilter | null,
    @Arg('orderBy', () => DeviceOrder, DEVICE_ORDER_ARG) orderBy: DeviceOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionResult<Device>> {
    const key = nestedDevicesKey(deviceFilterCommand(filter), { ...args, orderBy }, deviceColumnsFor(info, DEVICE_NODE_PATH, orderBy));
    return (await ctx.loaders.devicesByProfile(key).load(profile.rowId)).map(Device.from);
  }

  @FieldResolver(() => Int, { description: 'Devices holding this profile (deleted ones excluded)' })
  async deviceCount(@Root() profile: EnrollmentProfile, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.deviceCountByProfile.load(profile.rowId);
  }

  @Mutation(() => EnrollmentProfilePayload, { description: 'Validates, defines the profile at Apple, then saves it' })
  @RequireRole(Role.OPERATOR)
  async createEnrollmentProfile(@Arg('input') input: CreateEnrollmentProfileInput, @Ctx() ctx: RequestContext): Promise<EnrollmentProfilePayload> {
    const saved = await ctx.services.profiles.create(
      fromGlobalId(input.tokenId, 'DepToken', 'tokenId'),
      { ...settingsPatch(input), name: input.name },
      ctx.scope,
    );
    return { profile: EnrollmentProfile.from(saved.profile), warnings: saved.warnings.map(EnrollmentProfileWarning.from) };
  }

  @Mutation(() => UpdateEnrollmentProfilePayload, {
    description: "Apple's profiles cannot be edited: a change Apple sees defines a new Apple profile and moves the devices that held the old one",
  })
  @RequireRole(Role.OPERATOR)
  async updateEnrollmentProfile(
    @Arg('input') input: UpdateEnrollmentProfileInput,
    @Ctx() ctx: RequestContext,
  ): Promise<UpdateEnrollmentProfilePayload> {
    const saved = await ctx.services.profiles.update(fromGlobalId(input.profileId, 'EnrollmentProfile', 'profileId'), settingsPatch(input), ctx.scope);
    return {
      profile: EnrollmentProfile.from(saved.profile),
      warnings: saved.warnings.map(EnrollmentProfileWarning.from),
      movedDevices: saved.movedDevices ?? 0,
    };
  }

  @Mutation(() => DeleteEnrollmentProfilePayload, { description: "Refused with PROFILE_IN_USE while it is a token's default or devices hold it" })
  @RequireRole(Role.OPERATOR)
  async deleteEnrollmentProfile(
    @Arg('input') input: DeleteEnrollmentProfileInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteEnrollmentProfilePayload> {
    const id = await ctx.services.profiles.delete(fromGlobalId(input.profileId, 'EnrollmentProfile', 'profileId'), ctx.scope);
    return { deletedEnrollmentProfileId: toGlobalId('EnrollmentProfile', id) };
  }

  @Mutation(() => DepTokenPayload, {
    description: "The profile new devices of the token and the profile's platform get (null clears it); devices already there keep theirs",
  })
  @RequireRole(Role.OPERATOR)
  async setDefaultEnrollmentProfile(@Arg('input') input: SetDefaultEnrollmentProfileInput, @Ctx() ctx: RequestContext): Promise<DepTokenPayload> {
    const { token } = await ctx.services.profiles.setDefault(
      fromGlobalId(input.tokenId, 'DepToken', 'tokenId'),
      input.profileId ? fromGlobalId(input.profileId, 'EnrollmentProfile', 'profileId') : null,
      ctx.scope,
      input.platform ?? null,
    );
    return { token: toDepToken(ctx, token) };
  }
}

@Resolver(() => DepToken)
export class DepTokenProfilesResolver {
  @FieldResolver(() => [DefaultEnrollmentProfile], {
    description: 'The default profile of each platform that has one (IOS, MACOS, TVOS, VISIONOS order): applied to every device of that platform that arrives with this token without a profile',
  })
  async defaultProfiles(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<DefaultEnrollmentProfile[]> {
    const ids = await ctx.loaders.defaultProfileIdByToken.load(token.rowId);
    // All platforms' profiles in one profileById batch (awaiting each in turn made one query per platform).
    const profiles = await Promise.all(PROFILE_PLATFORMS.map((platform) => (ids[platform] ? ctx.loaders.profileById.load(ids[platform]) : null)));
    return PROFILE_PLATFORMS.flatMap((platform, i) => {
      const profile = profiles[i];
      return profile ? [Object.assign(new DefaultEnrollmentProfile(), { platform, profile: EnrollmentProfile.from(profile) })] : [];
    });
  }

  @FieldResolver(() => EnrollmentProfile, {
    nullable: true,
    description: 'The iOS / iPadOS default profile (defaultProfiles has every platform)',
  })
  async defaultProfile(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<EnrollmentProfile | null> {
    const profile = await ctx.loaders.defaultProfileByToken.load(token.rowId);
    return profile ? EnrollmentProfile.from(profile) : null;
  }

  @FieldResolver(() => EnrollmentProfileConnection, { description: "The token's enrollment profiles, oldest first" })
  async profiles(@Root() token: DepToken, @Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<EnrollmentProfile>> {
    const key = connectionArgsKey(args);
    return (await ctx.loaders.profilesByToken(key).load(token.rowId)).map(EnrollmentProfile.from);
  }
}

@Resolver(() => AppleConfiguratorCertificate)
export class AppleConfiguratorCertificateResolver {
  @Query(() => AppleConfiguratorCertificateConnection, { description: 'Uploaded Apple Configurator certificates, oldest first' })
  @RequireRole(Role.READER)
  async appleConfiguratorCertificates(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<AppleConfiguratorCertificate>> {
    return (await ctx.services.configuratorCertificates.list(args)).map(AppleConfiguratorCertificate.from);
  }

  @Mutation(() => AppleConfiguratorCertificatePayload, {
    description: 'ADMIN: a certificate lets that Mac supervise devices of every profile that lists it, across scope tags',
  })
  @RequireRole(Role.ADMIN)
  async addAppleConfiguratorCertificate(
    @Arg('input') input: AddAppleConfiguratorCertificateInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AppleConfiguratorCertificatePayload> {
    return { certificate: AppleConfiguratorCertificate.from(await ctx.services.configuratorCertificates.add(input.pem, input.name)) };
  }

  @Mutation(() => DeleteAppleConfiguratorCertificatePayload, { description: 'Refused with CONFIGURATOR_CERTIFICATE_IN_USE while a profile lists it' })
  @RequireRole(Role.ADMIN)
  async deleteAppleConfiguratorCertificate(
    @Arg('input') input: DeleteAppleConfiguratorCertificateInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteAppleConfiguratorCertificatePayload> {
    const id = await ctx.services.configuratorCertificates.delete(fromGlobalId(input.certificateId, 'AppleConfiguratorCertificate', 'certificateId'));
    return { deletedAppleConfiguratorCertificateId: toGlobalId('AppleConfiguratorCertificate', id) };
  }
}

registerNodeType('EnrollmentProfile', async (ctx, ids) => {
  const profiles = await ctx.loaders.profileById.loadMany(ids);
  return profiles.map((p) => (p && !(p instanceof Error) ? EnrollmentProfile.from(p) : null));
});

registerNodeType('AppleConfiguratorCertificate', async (ctx, ids) => {
  const certificates = await ctx.loaders.certificateById.loadMany(ids);
  return certificates.map((c) => (c && !(c instanceof Error) ? AppleConfiguratorCertificate.from(c) : null));
});
