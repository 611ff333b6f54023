/**
 * Which profile settings exist on which platform, from which OS version, and under which Apple
 * profile key (spec/apple-dep-api.md §3 and §8; Apple's Profile documentation). One table drives
 * three things: the rules refuse a setting turned on for a platform it does not exist on
 * (PROFILE_SETTING_NOT_FOR_PLATFORM), the warnings say "ignored before iOS 26" for a setting newer
 * than many devices, and the mapper only sends Apple keys the profile's platform reads.
 *
 * Versions are only given where they matter to today's devices (a key every supported OS reads has
 * none). Settings without an Apple key (user affinity, Company Portal) shape what this service does
 * at the enrollment URL; they are listed for their platforms.
 */
import type { DepProfile } from '../apple/dep.types';
import type { EnrollmentProfileSettings } from './profile.settings';
import { PLATFORM_LABELS, ProfilePlatform } from './profile-platform';

/** The platforms a setting exists on; a version string = from that version, null = every version. */
export type PlatformSupport = Partial<Record<ProfilePlatform, string | null>>;

export interface ProfileKeyInfo {
  /** Apple's profile JSON key (toAppleProfile sends the setting under it), or null for a setting that is this service's own. */
  appleKey: keyof DepProfile | null;
  platforms: PlatformSupport;
  /** What the setting does on an older OS than `platforms` names (for the warning). */
  olderOs?: string;
}

const ALL: PlatformSupport = { IOS: null, MACOS: null, TVOS: null, VISIONOS: null };

/**
 * Settings whose use depends on the platform. A setting is "on" when it differs from its off value
 * (see `settingIsOn`); only settings that are on are checked.
 */
export const PROFILE_KEY_PLATFORMS = {
  // Users and Company Portal (no Apple keys): Apple TV and Vision Pro enroll without a user here,
  // and Company Portal (and single app mode in it) is an iOS / iPadOS app install.
  userAffinity: { appleKey: null, platforms: { IOS: null, MACOS: null } },
  /** Company Portal authentication (Setup Assistant authentication goes with user affinity). */
  authenticationMethod: { appleKey: null, platforms: { IOS: null } },
  installCompanyPortal: { appleKey: null, platforms: { IOS: null } },
  companyPortalVppTokenId: { appleKey: null, platforms: { IOS: null } },
  // (iOS 11.3.1 and later: older than anything that enrolls today, so no version here.)
  singleAppModeUntilAuthentication: { appleKey: null, platforms: { IOS: null } },
  // Apple's keys.
  multiUser: { appleKey: 'is_multi_user', platforms: { IOS: null }, olderOs: 'the iPad is set up for one user' },
  // macOS 11 and later, iOS 13 / macOS 10.15 and later: older than what enrolls today.
  autoAdvanceSetup: { appleKey: 'auto_advance_setup', platforms: { TVOS: null, MACOS: null } },
  language: {
    appleKey: 'language',
    platforms: { TVOS: null, IOS: '27.0' },
    olderOs: 'Setup Assistant asks for the language (iOS reads it from 27, when a device returns to service)',
  },
  region: {
    appleKey: 'region',
    platforms: { TVOS: null, IOS: '27.0' },
    olderOs: 'Setup Assistant asks for the region (iOS reads it from 27, when a device returns to service)',
  },
  configurationWebUrl: { appleKey: 'configuration_web_url', platforms: { IOS: null, MACOS: null } },
  returnToService: { appleKey: 'is_return_to_service', platforms: { IOS: '26.0', VISIONOS: '26.0' }, olderOs: 'the key is ignored' },
  doNotUseProfileFromBackup: { appleKey: 'do_not_use_profile_from_backup', platforms: { IOS: '26.0' }, olderOs: 'profiles restored from a backup stay installed' },
  supportEmailAddress: { appleKey: 'support_email_address', platforms: ALL },
  orgMagic: { appleKey: 'org_magic', platforms: ALL },
  anchorCertificates: { appleKey: 'anchor_certs', platforms: ALL },
} as const satisfies Partial<Record<keyof EnrollmentProfileSettings, ProfileKeyInfo>>;

export type PlatformDependentSetting = keyof typeof PROFILE_KEY_PLATFORMS;

export const PLATFORM_DEPENDENT_SETTINGS = Object.keys(PROFILE_KEY_PLATFORMS) as PlatformDependentSetting[];

/** Whether a setting is turned on (differs from what "not using it" means). */
export function settingIsOn(settings: EnrollmentProfileSettings, key: PlatformDependentSetting): boolean {
  switch (key) {
    case 'userAffinity':
      return settings.userAffinity === 'WITH_USER';
    case 'authenticationMethod':
      return settings.authenticationMethod === 'COMPANY_PORTAL';
    default: {
      const value: unknown = settings[key];
      if (Array.isArray(value)) return value.length > 0;
      return value !== null && value !== undefined && value !== false && value !== '';
    }
  }
}

/** The platforms a setting exists on, as text ("iOS and macOS"). */
export function platformList(support: PlatformSupport): string {
  const names = (Object.keys(support) as ProfilePlatform[]).map((p) => PLATFORM_LABELS[p]);
  return names.length <= 1 ? (names[0] ?? 'no platform') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function supportsSetting(platform: ProfilePlatform, key: PlatformDependentSetting): boolean {
  return platform in PROFILE_KEY_PLATFORMS[key].platforms;
}

/** The version a setting needs on a platform, or null when every version has it (or it is not there). */
export function minimumVersion(platform: ProfilePlatform, key: PlatformDependentSetting): string | null {
  const support: PlatformSupport = PROFILE_KEY_PLATFORMS[key].platforms;
  return support[platform] ?? null;
}
