/**
 * What an admin sets on an enrollment profile (spec/enrollment-rules.md, "Enrollment profiles"), as a
 * plain shape shared by the entity, the GraphQL input types, the rules, the warnings and the mapping
 * to Apple's profile JSON. Field names are the GraphQL contract's (DESIGN.md `EnrollmentProfile`).
 */
import { registerEnumType } from 'type-graphql';
import { ProfilePlatform } from './profile-platform';
import { SETUP_PANES, type SetupPane } from './setup-pane';

export enum UserAffinity {
  WITH_USER = 'WITH_USER',
  WITHOUT_USER = 'WITHOUT_USER',
}

registerEnumType(UserAffinity, {
  name: 'UserAffinity',
  description: 'Whether devices enrolled with a profile belong to a user',
  valuesConfig: {
    WITH_USER: { description: 'Devices owned by a user, who authenticates during enrollment; Company Portal works. Needs a user licence.' },
    WITHOUT_USER: { description: 'Kiosk or shared devices with no user; Company Portal does not work. Needs a device licence.' },
  },
});

export enum AuthenticationMethod {
  COMPANY_PORTAL = 'COMPANY_PORTAL',
  SETUP_ASSISTANT = 'SETUP_ASSISTANT',
}

registerEnumType(AuthenticationMethod, {
  name: 'AuthenticationMethod',
  description: 'Where users authenticate while a device with user affinity enrolls',
  valuesConfig: {
    COMPANY_PORTAL: {
      description:
        'In the Company Portal app. Supports multi-factor authentication, changing the password at first sign-in and resetting an expired password. Enrollment must finish within 24 hours of the Company Portal download.',
    },
    SETUP_ASSISTANT: {
      description:
        'In Setup Assistant. Multi-factor authentication, changing the password at first sign-in and resetting an expired password are not supported.',
    },
  },
});

export enum SyncWithComputers {
  ALLOW_ALL = 'ALLOW_ALL',
  DENY_ALL = 'DENY_ALL',
  ALLOW_BY_CERTIFICATE = 'ALLOW_BY_CERTIFICATE',
}

registerEnumType(SyncWithComputers, {
  name: 'SyncWithComputers',
  description: 'Whether enrolled devices may pair (sync) with computers',
  valuesConfig: {
    ALLOW_ALL: { description: 'Any computer may pair.' },
    DENY_ALL: { description: 'No computer may pair, Apple Configurator included.' },
    ALLOW_BY_CERTIFICATE: { description: 'Only Apple Configurator hosts whose certificate the profile lists (1 to 10).' },
  },
});

export enum RequiredLicense {
  USER = 'USER',
  DEVICE = 'DEVICE',
}

registerEnumType(RequiredLicense, {
  name: 'RequiredLicense',
  description: 'The licence each device enrolled with a profile consumes',
  valuesConfig: {
    USER: { description: 'A user licence (profiles with user affinity).' },
    DEVICE: { description: 'A device licence (profiles without user affinity).' },
  },
});

export interface EnrollmentProfileSettings {
  /** Chosen at creation and fixed after: an Apple TV profile does not become a Mac profile. */
  platform: ProfilePlatform;
  /** Admin-only; also exposed on devices as `enrollmentProfileName` and sent to Apple as `profile_name`. */
  name: string;
  /** Admin-only. */
  description: string | null;
  userAffinity: UserAffinity;
  /** Required with user affinity, null without. */
  authenticationMethod: AuthenticationMethod | null;
  /** Implied (and normalised to true) when users authenticate in Company Portal. */
  installCompanyPortal: boolean;
  /** The VPP (Apps and Books) token that installs Company Portal without an Apple ID. */
  companyPortalVppTokenId: string | null;
  singleAppModeUntilAuthentication: boolean;
  supervised: boolean;
  lockedEnrollment: boolean;
  awaitFinalConfiguration: boolean;
  syncWithComputers: SyncWithComputers;
  /** Only with ALLOW_BY_CERTIFICATE. */
  appleConfiguratorCertificateIds: string[];
  /** `{{SERIAL}}` and `{{DEVICETYPE}}` placeholders; see device-name-template.ts. */
  deviceNameTemplate: string | null;
  /** Shown under "About configuration"; Apple's `department`. */
  departmentName: string | null;
  /** Shown under "Need help?"; Apple's `support_phone_number`. */
  departmentPhone: string | null;
  hiddenSetupPanes: SetupPane[];
  /** Apple's `language`: an ISO 639 code (tvOS; iOS 27 when a device returns to service). */
  language: string | null;
  /** Apple's `region`: an ISO 3166-1 alpha-2 code, upper case. */
  region: string | null;
  /** Apple's `support_email_address`, shown under "Need help?". */
  supportEmailAddress: string | null;
  /** Apple's `org_magic`: an opaque string the device sends back in its enrollment request. */
  orgMagic: string | null;
  /** Apple's `auto_advance_setup`: Setup Assistant advances on its own (tvOS, macOS 11+). */
  autoAdvanceSetup: boolean;
  /** Apple's `configuration_web_url`: where users sign in before enrollment (Setup Assistant with modern authentication). */
  configurationWebUrl: string | null;
  /** Apple's `is_multi_user`: Shared iPad. */
  multiUser: boolean;
  /** Apple's `anchor_certs`: base64 DER certificates Setup Assistant trusts for the enrollment URL's TLS. */
  anchorCertificates: string[];
  /** Apple's `is_return_to_service` (iOS / visionOS 26). */
  returnToService: boolean;
  /** Apple's `do_not_use_profile_from_backup` (iOS 26). */
  doNotUseProfileFromBackup: boolean;
}

/**
 * Defaults for a new profile: the common "corporate device with a user" case. Supervised and
 * awaiting final configuration, because unsupervised DEP is deprecated and a device that reaches
 * the home screen before its configuration lands is a device without its policies.
 */
export const DEFAULT_PROFILE_SETTINGS: Readonly<Omit<EnrollmentProfileSettings, 'name'>> = Object.freeze({
  platform: ProfilePlatform.IOS,
  description: null,
  userAffinity: UserAffinity.WITH_USER,
  authenticationMethod: AuthenticationMethod.COMPANY_PORTAL,
  installCompanyPortal: true,
  companyPortalVppTokenId: null,
  singleAppModeUntilAuthentication: false,
  supervised: true,
  lockedEnrollment: false,
  awaitFinalConfiguration: true,
  syncWithComputers: SyncWithComputers.DENY_ALL,
  appleConfiguratorCertificateIds: [],
  deviceNameTemplate: null,
  departmentName: null,
  departmentPhone: null,
  hiddenSetupPanes: [],
  language: null,
  region: null,
  supportEmailAddress: null,
  orgMagic: null,
  autoAdvanceSetup: false,
  configurationWebUrl: null,
  multiUser: false,
  anchorCertificates: [],
  returnToService: false,
  doNotUseProfileFromBackup: false,
});

/** The licence a profile implies (rules: with user affinity a user licence, without a device licence). */
export function requiredLicenseFor(userAffinity: UserAffinity): RequiredLicense {
  return userAffinity === UserAffinity.WITH_USER ? RequiredLicense.USER : RequiredLicense.DEVICE;
}

/** Trimmed text, or null when nothing is left: an empty optional field means "not set". */
function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/**
 * The canonical form a service stores (run it before validating):
 * - text fields trimmed; empty optional text becomes null;
 * - Company Portal authentication implies installing Company Portal, so `installCompanyPortal`
 *   becomes true there instead of being refused: the Company Portal option is meaningless
 *   otherwise, and refusing `false` would only make clients send a redundant flag;
 * - hidden panes deduplicated, in SetupPane declaration order; certificate ids deduplicated in the
 *   order given.
 * Contradictions that need the admin's decision (say, an authentication method without user
 * affinity) are left as they are for the rules to refuse.
 */
export function normalizeProfileSettings(settings: EnrollmentProfileSettings): EnrollmentProfileSettings {
  const hidden = new Set(settings.hiddenSetupPanes);
  return {
    ...settings,
    name: settings.name.trim(),
    description: optionalText(settings.description),
    installCompanyPortal:
      settings.installCompanyPortal ||
      (settings.userAffinity === UserAffinity.WITH_USER && settings.authenticationMethod === AuthenticationMethod.COMPANY_PORTAL),
    companyPortalVppTokenId: optionalText(settings.companyPortalVppTokenId),
    appleConfiguratorCertificateIds: [...new Set(settings.appleConfiguratorCertificateIds)],
    deviceNameTemplate: optionalText(settings.deviceNameTemplate),
    departmentName: optionalText(settings.departmentName),
    departmentPhone: optionalText(settings.departmentPhone),
    hiddenSetupPanes: SETUP_PANES.filter((pane) => hidden.has(pane)),
    language: optionalText(settings.language),
    // Apple's region codes are upper case; `de` and `DE` mean the same region.
    region: optionalText(settings.region)?.toUpperCase() ?? null,
    supportEmailAddress: optionalText(settings.supportEmailAddress),
    // org_magic is opaque to Apple and to us: kept as typed, only "empty" means "not set".
    orgMagic: settings.orgMagic === '' ? null : (settings.orgMagic ?? null),
    configurationWebUrl: optionalText(settings.configurationWebUrl),
    anchorCertificates: [...new Set(settings.anchorCertificates ?? [])],
  };
}

/** Whether Company Portal ends up on the device (explicitly, or implied by Company Portal authentication). */
export function installsCompanyPortal(settings: Pick<EnrollmentProfileSettings, 'userAffinity' | 'authenticationMethod' | 'installCompanyPortal'>): boolean {
  if (settings.userAffinity !== UserAffinity.WITH_USER) return false;
  return settings.installCompanyPortal || settings.authenticationMethod === AuthenticationMethod.COMPANY_PORTAL;
}
