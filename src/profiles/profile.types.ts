import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { ConfiguratorCertificateEntity } from './configurator-certificate.entity';
import type { EnrollmentProfileEntity } from './profile.entity';
import { exampleDeviceName } from './device-name-template';
import { AuthenticationMethod, RequiredLicense, requiredLicenseFor, SyncWithComputers, UserAffinity } from './profile.settings';
import { ProfileWarningCode, type ProfileWarning } from './profile.warnings';
import { SetupPane } from './setup-pane';
import { ProfilePlatform } from './profile-platform';

@ObjectType({ implements: Node, description: "An Apple Configurator host's certificate: with ALLOW_BY_CERTIFICATE only listed hosts may pair with devices" })
export class AppleConfiguratorCertificate extends Node {
  @Field(() => String, { nullable: true })
  name: string | null;

  @Field({ description: 'Most specific attribute first, e.g. "CN=Apple Configurator, O=Acme"' })
  subject: string;

  @Field({ description: 'SHA-256 over the DER, lower-case hex' })
  thumbprintSha256: string;

  @Field()
  notBefore: Date;

  @Field()
  notAfter: Date;

  @Field({ description: 'Canonical PEM' })
  certificatePem: string;

  @Field()
  createdAt: Date;

  static from(entity: ConfiguratorCertificateEntity): AppleConfiguratorCertificate {
    return Object.assign(new AppleConfiguratorCertificate(), {
      id: toGlobalId('AppleConfiguratorCertificate', entity.id),
      name: entity.name,
      subject: entity.subject,
      thumbprintSha256: entity.thumbprintSha256,
      notBefore: entity.notBefore,
      notAfter: entity.notAfter,
      certificatePem: entity.certificatePem,
      createdAt: entity.createdAt,
    });
  }
}

export const AppleConfiguratorCertificateConnection = ConnectionType(AppleConfiguratorCertificate, 'AppleConfiguratorCertificate');

@ObjectType({ description: 'Allowed, but worth telling the admin' })
export class EnrollmentProfileWarning {
  @Field(() => ProfileWarningCode)
  code: ProfileWarningCode;

  @Field()
  message: string;

  @Field(() => String, { nullable: true, description: 'The setting the warning is about' })
  field: string | null;

  static from(warning: ProfileWarning): EnrollmentProfileWarning {
    return Object.assign(new EnrollmentProfileWarning(), { code: warning.code, message: warning.message, field: warning.field ?? null });
  }
}

@ObjectType({ implements: Node, description: 'Setup Assistant settings for the devices of one DEP token, defined at Apple and assigned by serial number' })
export class EnrollmentProfile extends Node {
  @Field({ description: 'Admin-only; devices expose it as enrollmentProfileName (for dynamic groups)' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Admin-only' })
  description: string | null;

  @Field(() => ProfilePlatform, { description: 'Fixed at creation; decides which settings and panes apply and which devices the default rule gives it' })
  platform: ProfilePlatform;

  @Field(() => UserAffinity)
  userAffinity: UserAffinity;

  @Field(() => AuthenticationMethod, { nullable: true, description: 'With user affinity only' })
  authenticationMethod: AuthenticationMethod | null;

  @Field()
  installCompanyPortal: boolean;

  @Field(() => ID, { nullable: true, description: 'The VPP token that installs Company Portal without an Apple ID' })
  companyPortalVppTokenId: string | null;

  @Field({ description: 'Locks the device in Company Portal until the user signs in (iOS/iPadOS 11.3.1 and later)' })
  singleAppModeUntilAuthentication: boolean;

  @Field()
  supervised: boolean;

  @Field({ description: 'The user cannot remove the management profile (needs supervised)' })
  lockedEnrollment: boolean;

  @Field({ description: 'Setup Assistant waits until the device is configured (await_device_configured)' })
  awaitFinalConfiguration: boolean;

  @Field(() => SyncWithComputers)
  syncWithComputers: SyncWithComputers;

  @Field(() => String, { nullable: true, description: 'May use {{SERIAL}} and {{DEVICETYPE}}; at most 63 characters once expanded' })
  deviceNameTemplate: string | null;

  @Field(() => String, { nullable: true, description: 'The template expanded for an iPhone with a 12-character serial' })
  exampleDeviceName: string | null;

  @Field(() => String, { nullable: true, description: 'Shown under "About configuration"' })
  departmentName: string | null;

  @Field(() => String, { nullable: true, description: 'Shown under "Need help?"' })
  departmentPhone: string | null;

  @Field(() => [SetupPane])
  hiddenSetupPanes: SetupPane[];

  @Field(() => String, { nullable: true, description: "Apple's language: ISO 639 (tvOS; iOS 27 and later when a device returns to service)" })
  language: string | null;

  @Field(() => String, { nullable: true, description: "Apple's region: ISO 3166-1 alpha-2 (tvOS; iOS 27 and later when a device returns to service)" })
  region: string | null;

  @Field(() => String, { nullable: true, description: 'Shown under "Need help?" (support_email_address)' })
  supportEmailAddress: string | null;

  @Field(() => String, { nullable: true, description: 'Opaque text the device sends back in its enrollment request (org_magic)' })
  orgMagic: string | null;

  @Field({ description: 'Setup Assistant advances on its own (auto_advance_setup; tvOS, macOS 11 and later)' })
  autoAdvanceSetup: boolean;

  @Field(() => String, { nullable: true, description: 'Where users sign in before enrollment, Setup Assistant with modern authentication (configuration_web_url; iOS 13, macOS 10.15 and later)' })
  configurationWebUrl: string | null;

  @Field({ description: 'Shared iPad (is_multi_user)' })
  multiUser: boolean;

  @Field(() => [String], { description: 'Certificates (PEM) Setup Assistant trusts for the enrollment URL (anchor_certs)' })
  anchorCertificates: string[];

  @Field({ description: 'The profile is for devices returning to service (is_return_to_service; iOS and visionOS 26 and later)' })
  returnToService: boolean;

  @Field({ description: 'A restored backup does not bring back its MDM profile (do_not_use_profile_from_backup; iOS 26 and later)' })
  doNotUseProfileFromBackup: boolean;

  @Field(() => RequiredLicense, { description: 'USER with user affinity, DEVICE without' })
  requiredLicense: RequiredLicense;

  @Field(() => String, { nullable: true, description: "Apple's profile_uuid of the current definition" })
  appleProfileUuid: string | null;

  @Field(() => Date, { nullable: true, description: 'When the current definition was sent to Apple' })
  appleDefinedAt: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  /** Database ids, for field resolvers; not exposed. */
  rowId: string;
  tokenRowId: string;
  entity: EnrollmentProfileEntity;

  static from(entity: EnrollmentProfileEntity): EnrollmentProfile {
    return Object.assign(new EnrollmentProfile(), {
      id: toGlobalId('EnrollmentProfile', entity.id),
      rowId: entity.id,
      tokenRowId: entity.tokenId,
      entity,
      name: entity.name,
      description: entity.description,
      platform: entity.platform as ProfilePlatform,
      userAffinity: entity.userAffinity as UserAffinity,
      authenticationMethod: entity.authenticationMethod as AuthenticationMethod | null,
      installCompanyPortal: entity.installCompanyPortal,
      companyPortalVppTokenId: entity.companyPortalVppTokenId ? toGlobalId('VppToken', entity.companyPortalVppTokenId) : null,
      singleAppModeUntilAuthentication: entity.singleAppModeUntilAuthentication,
      supervised: entity.supervised,
      lockedEnrollment: entity.lockedEnrollment,
      awaitFinalConfiguration: entity.awaitFinalConfiguration,
      syncWithComputers: entity.syncWithComputers as SyncWithComputers,
      deviceNameTemplate: entity.deviceNameTemplate,
      exampleDeviceName: safeExample(entity.deviceNameTemplate),
      departmentName: entity.departmentName,
      departmentPhone: entity.departmentPhone,
      hiddenSetupPanes: entity.hiddenSetupPanes as SetupPane[],
      language: entity.language,
      region: entity.region,
      supportEmailAddress: entity.supportEmailAddress,
      orgMagic: entity.orgMagic,
      autoAdvanceSetup: entity.autoAdvanceSetup,
      configurationWebUrl: entity.configurationWebUrl,
      multiUser: entity.multiUser,
      anchorCertificates: entity.anchorCertificates.map(pemOf),
      returnToService: entity.returnToService,
      doNotUseProfileFromBackup: entity.doNotUseProfileFromBackup,
      requiredLicense: requiredLicenseFor(entity.userAffinity as UserAffinity),
      appleProfileUuid: entity.appleProfileUuid,
      appleDefinedAt: entity.appleDefinedAt,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    });
  }
}

function pemOf(derBase64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${derBase64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

function safeExample(template: string | null): string | null {
  if (!template) return null;
  try {
    return exampleDeviceName(template);
  } catch {
    return null;
  }
}

export const EnrollmentProfileConnection = ConnectionType(EnrollmentProfile, 'EnrollmentProfile');

@InputType('EnrollmentProfileSettingsInput')
abstract class ProfileSettingsInput {
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => UserAffinity, {
    nullable: true,
    description: 'Default WITH_USER. Changing it resets authenticationMethod, installCompanyPortal, companyPortalVppTokenId and singleAppModeUntilAuthentication to what the new affinity implies, unless they are given too',
  })
  userAffinity?: UserAffinity | null;

  @Field(() => AuthenticationMethod, { nullable: true, description: 'Default COMPANY_PORTAL with user affinity; must be empty without' })
  authenticationMethod?: AuthenticationMethod | null;

  @Field(() => Boolean, { nullable: true, description: 'Implied by COMPANY_PORTAL authentication' })
  installCompanyPortal?: boolean | null;

  @Field(() => ID, { nullable: true })
  companyPortalVppTokenId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Needs user affinity, COMPANY_PORTAL authentication, a Company Portal VPP token and supervision' })
  singleAppModeUntilAuthentication?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true' })
  supervised?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; needs supervised' })
  lockedEnrollment?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true' })
  awaitFinalConfiguration?: boolean | null;

  @Field(() => SyncWithComputers, { nullable: true, description: 'Default DENY_ALL' })
  syncWithComputers?: SyncWithComputers | null;

  @Field(() => [ID], { nullable: true, description: 'With ALLOW_BY_CERTIFICATE: 1 to 10 uploaded certificates; a list of more than 100 is refused before the rules run (at most 100)' })
  appleConfiguratorCertificateIds?: string[] | null;

  @Field(() => String, { nullable: true })
  deviceNameTemplate?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 125 characters' })
  departmentName?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 50 characters' })
  departmentPhone?: string | null;

  @Field(() => [SetupPane], { nullable: true, description: 'Panes to hide (replaces the list); at most as many as there are panes' })
  hiddenSetupPanes?: SetupPane[] | null;

  @Field(() => String, { nullable: true, description: 'ISO 639, e.g. "en" or "pt-BR"' })
  language?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2, e.g. "US"' })
  region?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 250 characters' })
  supportEmailAddress?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 256 characters' })
  orgMagic?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; tvOS and macOS only' })
  autoAdvanceSetup?: boolean | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL of at most 2000 characters; needs user affinity with SETUP_ASSISTANT authentication' })
  configurationWebUrl?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; iOS (iPadOS) only' })
  multiUser?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'PEM or base64 DER, one certificate each; at most 10 (replaces the list)' })
  anchorCertificates?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; iOS and visionOS only' })
  returnToService?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; iOS only' })
  doNotUseProfileFromBackup?: boolean | null;
}

@InputType({ description: 'Absent settings take their defaults' })
export class CreateEnrollmentProfileInput extends ProfileSettingsInput {
  @Field(() => ID)
  tokenId: string;

  @Field({ description: 'At most 125 characters' })
  name: string;

  @Field(() => ProfilePlatform, { nullable: true, description: 'Default IOS; fixed once created' })
  platform?: ProfilePlatform | null;
}

@InputType({ description: 'Absent settings stay as they are; null clears an optional text or the VPP token' })
export class UpdateEnrollmentProfileInput extends ProfileSettingsInput {
  @Field(() => ID)
  profileId: string;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@ObjectType()
export class EnrollmentProfilePayload {
  @Field(() => EnrollmentProfile)
  profile: EnrollmentProfile;

  @Field(() => [EnrollmentProfileWarning], { description: "This save's warnings, including CHANGES_NEED_WIPE on an update" })
  warnings: EnrollmentProfileWarning[];
}

@ObjectType()
export class UpdateEnrollmentProfilePayload extends EnrollmentProfilePayload {
  @Field(() => Int, { description: 'Devices moved to the new Apple definition of the profile' })
  movedDevices: number;
}

@InputType()
export class DeleteEnrollmentProfileInput {
  @Field(() => ID)
  profileId: string;
}

@ObjectType()
export class DeleteEnrollmentProfilePayload {
  @Field(() => ID)
  deletedEnrollmentProfileId: string;
}

@InputType()
export class SetDefaultEnrollmentProfileInput {
  @Field(() => ID)
  tokenId: string;

  @Field(() => ID, { nullable: true, description: 'null clears the default' })
  profileId?: string | null;

  @Field(() => ProfilePlatform, {
    nullable: true,
    description: "Whose default: the profile's platform when absent (it must match when given), IOS when clearing without one",
  })
  platform?: ProfilePlatform | null;
}

@ObjectType({ description: "A token's default profile for one platform" })
export class DefaultEnrollmentProfile {
  @Field(() => ProfilePlatform)
  platform: ProfilePlatform;

  @Field(() => EnrollmentProfile)
  profile: EnrollmentProfile;
}

@InputType()
export class AddAppleConfiguratorCertificateInput {
  @Field({ description: 'One X.509 certificate as PEM or base64 DER' })
  pem: string;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@ObjectType()
export class AppleConfiguratorCertificatePayload {
  @Field(() => AppleConfiguratorCertificate)
  certificate: AppleConfiguratorCertificate;
}

@InputType()
export class DeleteAppleConfiguratorCertificateInput {
  @Field(() => ID)
  certificateId: string;
}

@ObjectType()
export class DeleteAppleConfiguratorCertificatePayload {
  @Field(() => ID)
  deletedAppleConfiguratorCertificateId: string;
}
