/**
 * Things an admin should know about a valid profile (the `warnings` field of EnrollmentProfile and
 * of profile mutation payloads). Warnings never block a save; rules do (profile.rules.ts).
 *
 * Chosen to be worth reading: each says what will happen to devices or users and is raised only
 * when the profile's settings make it true. Facts that hold for every profile (licences, panes the
 * user can still set up later) belong in field descriptions, not here.
 */
import { registerEnumType } from 'type-graphql';
import { SERIAL_PLACEHOLDER } from './device-name-template';
import {
  AuthenticationMethod,
  type EnrollmentProfileSettings,
  UserAffinity,
  installsCompanyPortal,
} from './profile.settings';
import { factsOf, paneOnPlatform, SETUP_PANE_APPLE_KEYS, SetupPane, versionsText } from './setup-pane';
import { minimumVersion, PLATFORM_DEPENDENT_SETTINGS, PROFILE_KEY_PLATFORMS, type ProfileKeyInfo, settingIsOn, supportsSetting } from './profile-keys';
import { PLATFORM_LABELS } from './profile-platform';

export enum ProfileWarningCode {
  UNSUPERVISED_IGNORED = 'UNSUPERVISED_IGNORED',
  SINGLE_APP_MODE_NO_MFA = 'SINGLE_APP_MODE_NO_MFA',
  COMPANY_PORTAL_24_HOURS = 'COMPANY_PORTAL_24_HOURS',
  MFA_NEEDS_COMPANY_PORTAL = 'MFA_NEEDS_COMPANY_PORTAL',
  VPP_TOKEN_FALLBACK = 'VPP_TOKEN_FALLBACK',
  CHANGES_NEED_WIPE = 'CHANGES_NEED_WIPE',
  PASSCODE_PANE_HIDDEN = 'PASSCODE_PANE_HIDDEN',
  DEVICE_NAME_NOT_UNIQUE = 'DEVICE_NAME_NOT_UNIQUE',
  SETTING_NEEDS_NEWER_OS = 'SETTING_NEEDS_NEWER_OS',
  PANE_NOT_ON_PLATFORM = 'PANE_NOT_ON_PLATFORM',
  PANE_REMOVED = 'PANE_REMOVED',
  PANE_DEPRECATED = 'PANE_DEPRECATED',
  PANE_NOT_ALWAYS_SKIPPABLE = 'PANE_NOT_ALWAYS_SKIPPABLE',
}

registerEnumType(ProfileWarningCode, {
  name: 'ProfileWarningCode',
  description: 'Why an enrollment profile carries a warning',
  valuesConfig: {
    UNSUPERVISED_IGNORED: { description: 'The profile asks for unsupervised devices, which Apple deprecated and newer iOS ignores.' },
    SINGLE_APP_MODE_NO_MFA: { description: 'Single app mode until authentication blocks multi-factor authentication on the device.' },
    COMPANY_PORTAL_24_HOURS: { description: 'Company Portal authentication must finish within 24 hours of the Company Portal download.' },
    MFA_NEEDS_COMPANY_PORTAL: { description: 'Setup Assistant authentication does not support MFA or password changes during enrollment.' },
    VPP_TOKEN_FALLBACK: { description: 'The Company Portal VPP token is expired or short of licences: devices fall back to the App Store and ask for an Apple ID.' },
    CHANGES_NEED_WIPE: { description: 'The change reaches already enrolled devices only after they are wiped and enroll again.' },
    PASSCODE_PANE_HIDDEN: { description: 'Devices finish setup without a passcode unless something else protects them.' },
    DEVICE_NAME_NOT_UNIQUE: { description: 'The device name template has no serial number, so devices share names.' },
    PANE_NOT_ON_PLATFORM: { description: "Hidden panes that do not exist on the profile's platform: they are left out of what Apple receives." },
    PANE_REMOVED: { description: 'Hidden panes Apple removed: newer devices never show them, older ones still skip them.' },
    PANE_DEPRECATED: { description: 'Hidden panes whose key Apple deprecated: newer devices may ignore it.' },
    PANE_NOT_ALWAYS_SKIPPABLE: { description: 'Hidden panes that can appear before the device has its profile, so Apple cannot always skip them.' },
    SETTING_NEEDS_NEWER_OS: { description: 'A setting is ignored by devices older than the OS version that introduced it (for example "ignored before iOS 26").' },
  },
});

export interface ProfileWarning {
  code: ProfileWarningCode;
  message: string;
  /** The settings field the warning is about, when there is one. */
  field?: keyof EnrollmentProfileSettings;
}

export interface ProfileWarningContext {
  /**
   * The Company Portal VPP token's state. `low` is the alert service's verdict (VPP_LICENSES_LOW
   * threshold); `licensesAvailable` 0 counts as low whatever the threshold.
   */
  vppToken?: { expired: boolean; licensesAvailable?: number | null; low?: boolean } | null;
  /**
   * The settings before an update. Given, CHANGES_NEED_WIPE is raised when a setting that only
   * reaches devices at enrollment changed; absent (create, or reading a profile), it is not.
   */
  previous?: EnrollmentProfileSettings | null;
}

/**
 * Settings Apple applies only while a device is set up: changing them does nothing to enrolled
 * devices until they are wiped and enroll again. Everything except the admin-only name and
 * description, and the device name template, which the service applies at every check-in.
 */
export const SETTINGS_APPLIED_AT_ENROLLMENT = [
  'userAffinity',
  'authenticationMethod',
  'installCompanyPortal',
  'companyPortalVppTokenId',
  'singleAppModeUntilAuthentication',
  'supervised',
  'lockedEnrollment',
  'awaitFinalConfiguration',
  'syncWithComputers',
  'appleConfiguratorCertificateIds',
  'departmentName',
  'departmentPhone',
  'hiddenSetupPanes',
  'platform',
  'language',
  'region',
  'supportEmailAddress',
  'orgMagic',
  'autoAdvanceSetup',
  'configurationWebUrl',
  'multiUser',
  'anchorCertificates',
  'returnToService',
  'doNotUseProfileFromBackup',
] as const satisfies readonly (keyof EnrollmentProfileSettings)[];

export function profileWarnings(settings: EnrollmentProfileSettings, context: ProfileWarningContext = {}): ProfileWarning[] {
  const warnings: ProfileWarning[] = [];
  const withUser = settings.userAffinity === UserAffinity.WITH_USER;

  if (!settings.supervised) {
    warnings.push({
      code: ProfileWarningCode.UNSUPERVISED_IGNORED,
      field: 'supervised',
      message:
        'Unsupervised automated device enrollment is deprecated by Apple; iOS and iPadOS 13 and later supervise every device enrolled this way and ignore this setting. Older devices enroll unsupervised and cannot take supervised-only policies.',
    });
  }

  if (withUser && settings.authenticationMethod === AuthenticationMethod.COMPANY_PORTAL) {
    warnings.push({
      code: ProfileWarningCode.COMPANY_PORTAL_24_HOURS,
      field: 'authenticationMethod',
      message:
        'Users must finish signing in to Company Portal within 24 hours of Company Portal being downloaded on the device; otherwise enrollment fails and the device must be factory reset.',
    });
  }

  if (withUser && settings.authenticationMethod === AuthenticationMethod.SETUP_ASSISTANT) {
    warnings.push({
      code: ProfileWarningCode.MFA_NEEDS_COMPANY_PORTAL,
      field: 'authenticationMethod',
      message:
        'With Setup Assistant authentication, multi-factor authentication, changing the password at first sign-in and resetting an expired password are not supported during enrollment; choose Company Portal authentication if users need them.',
    });
  }

  if (withUser && settings.singleAppModeUntilAuthentication) {
    warnings.push({
      code: ProfileWarningCode.SINGLE_APP_MODE_NO_MFA,
      field: 'singleAppModeUntilAuthentication',
      message:
        'While the device is locked in Company Portal (single app mode) users cannot complete multi-factor authentication on it; they need a second device for the second factor. Single app mode needs iOS/iPadOS 11.3.1 or later.',
    });
  }

  const vpp = context.vppToken;
  if (withUser && settings.companyPortalVppTokenId && installsCompanyPortal(settings) && vpp) {
    const exhausted = vpp.licensesAvailable !== undefined && vpp.licensesAvailable !== null && vpp.licensesAvailable <= 0;
    if (vpp.expired || exhausted || vpp.low === true) {
      const state = vpp.expired ? 'has expired' : exhausted ? 'has no Company Portal licences left' : 'is running low on Company Portal licences';
      warnings.push({
        code: ProfileWarningCode.VPP_TOKEN_FALLBACK,
        field: 'companyPortalVppTokenId',
        message: `The VPP token for Company Portal ${state}. Devices that cannot get a licence install Company Portal from the App Store instead, and users are asked for an Apple ID. Renew the token or add licences.`,
      });
    }
  }

  if (settings.hiddenSetupPanes.includes(SetupPane.PASSCODE)) {
    warnings.push({
      code: ProfileWarningCode.PASSCODE_PANE_HIDDEN,
      field: 'hiddenSetupPanes',
      message:
        'The passcode pane is hidden: devices finish setup without a passcode until a passcode policy applies. Hide it only when access is controlled another way, such as kiosk mode.',
    });
  }

  warnings.push(...paneWarnings(settings));

  if (settings.deviceNameTemplate && !settings.deviceNameTemplate.includes(SERIAL_PLACEHOLDER)) {
    warnings.push({
      code: ProfileWarningCode.DEVICE_NAME_NOT_UNIQUE,
      field: 'deviceNameTemplate',
      message: `The device name template has no ${SERIAL_PLACEHOLDER}, so every device of the same type gets the same name.`,
    });
  }

  for (const key of PLATFORM_DEPENDENT_SETTINGS) {
    if (!settingIsOn(settings, key) || !supportsSetting(settings.platform, key)) continue;
    const version = minimumVersion(settings.platform, key);
    if (!version) continue;
    const info: ProfileKeyInfo = PROFILE_KEY_PLATFORMS[key];
    warnings.push({
      code: ProfileWarningCode.SETTING_NEEDS_NEWER_OS,
      field: key,
      message: `${key} is ignored before ${PLATFORM_LABELS[settings.platform]} ${version.replace(/\.0$/, '')}${info.olderOs ? `: on older devices ${info.olderOs}` : ''}.`,
    });
  }

  if (context.previous) {
    const changed = changedEnrollmentSettings(context.previous, settings);
    if (changed.length > 0) {
      warnings.push({
        code: ProfileWarningCode.CHANGES_NEED_WIPE,
        field: changed[0],
        message: `Devices already enrolled with this profile keep their old settings (${changed.join(', ')}) until they are wiped and enroll again; only new enrollments get the change. A changed device name template, in contrast, applies at the next check-in.`,
      });
    }
  }

  return warnings;
}

/** The enrollment-time settings that differ between two versions of a profile. */
export function changedEnrollmentSettings(
  before: EnrollmentProfileSettings,
  after: EnrollmentProfileSettings,
): (typeof SETTINGS_APPLIED_AT_ENROLLMENT)[number][] {
  return SETTINGS_APPLIED_AT_ENROLLMENT.filter((key) => !sameValue(before[key], after[key]));
}

/** Arrays compare as sets: order of panes or certificates does not change what a device gets. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = new Set(a);
    const right = new Set(b);
    return left.size === right.size && [...left].every((item) => right.has(item));
  }
  return (a ?? null) === (b ?? null);
}

/** What the skip-key catalogue says about the hidden panes on the profile's platform. */
function paneWarnings(settings: EnrollmentProfileSettings): ProfileWarning[] {
  const platform = settings.platform;
  const label = PLATFORM_LABELS[platform];
  const hidden = settings.hiddenSetupPanes;
  const keys = (panes: SetupPane[]) => panes.map((pane) => SETUP_PANE_APPLE_KEYS[pane]).join(', ');
  const onPlatform = hidden.filter((pane) => paneOnPlatform(pane, platform));
  const elsewhere = hidden.filter((pane) => !paneOnPlatform(pane, platform));
  const removed = onPlatform.filter((pane) => factsOf(pane).removedIn?.[platform] !== undefined);
  const deprecated = onPlatform.filter((pane) => factsOf(pane).deprecatedIn?.[platform] !== undefined);
  const unreliable = onPlatform.filter((pane) => factsOf(pane).alwaysSkippable === false);
  const out: ProfileWarning[] = [];
  const field = 'hiddenSetupPanes' as const;
  if (elsewhere.length > 0) {
    out.push({
      code: ProfileWarningCode.PANE_NOT_ON_PLATFORM,
      field,
      message: `${label} has no ${keys(elsewhere)} pane${elsewhere.length === 1 ? '' : 's'}: ${elsewhere.length === 1 ? 'it is' : 'they are'} not sent to Apple with this profile.`,
    });
  }
  if (removed.length > 0) {
    const when = removed.map((pane) => `${SETUP_PANE_APPLE_KEYS[pane]} in ${versionsText({ [platform]: factsOf(pane).removedIn?.[platform] ?? null })}`);
    out.push({
      code: ProfileWarningCode.PANE_REMOVED,
      field,
      message: `Apple removed ${when.join(', ')}: newer devices never show ${removed.length === 1 ? 'it' : 'them'}; older devices still skip ${removed.length === 1 ? 'it' : 'them'}.`,
    });
  }
  if (deprecated.length > 0) {
    const when = deprecated.map((pane) => `${SETUP_PANE_APPLE_KEYS[pane]} in ${versionsText({ [platform]: factsOf(pane).deprecatedIn?.[platform] ?? null })}`);
    out.push({
      code: ProfileWarningCode.PANE_DEPRECATED,
      field,
      message: `Apple deprecated ${when.join(', ')}: newer devices may ignore ${deprecated.length === 1 ? 'the key' : 'these keys'}.`,
    });
  }
  if (unreliable.length > 0) {
    out.push({
      code: ProfileWarningCode.PANE_NOT_ALWAYS_SKIPPABLE,
      field,
      message: `${keys(unreliable)} can appear before the device has downloaded its profile, so Apple cannot always skip ${unreliable.length === 1 ? 'it' : 'them'}.`,
    });
  }
  return out;
}
