/**
 * `POST /profile` validation with Apple's 400 codes (spec §3). The first failing rule wins, in the
 * order Apple documents them; the simulator is deliberately strict so mapping bugs show up in tests.
 */

export type ProfileErrorCode =
  | 'MALFORMED_REQUEST_BODY'
  | 'CONFIG_NAME_REQUIRED'
  | 'CONFIG_NAME_INVALID'
  | 'CONFIG_URL_REQUIRED'
  | 'CONFIG_URL_INVALID'
  | 'DEPARTMENT_INVALID'
  | 'FLAGS_INVALID'
  | 'MAGIC_INVALID'
  | 'SUPPORT_EMAIL_INVALID'
  | 'SUPPORT_PHONE_INVALID'
  | 'LOCALE_INVALID'
  | 'SKIP_SETUP_ITEMS_INVALID'
  | 'DEVICE_ID_REQUIRED';

/**
 * Apple's skip keys (SkipKeys documentation and apple/device-management `other/skipkeys.yaml`,
 * removed ones included: older devices still read them). The simulator's own copy, not depgate's
 * catalogue, so a key depgate invents or misspells is refused here (SKIP_SETUP_ITEMS_INVALID is
 * the simulator's own code, like PROTOCOL_VERSION_*: Apple's answer to such a key is not
 * documented, and strictness is what makes mapping bugs show in tests). Case-sensitive, as at Apple.
 */
export const APPLE_SKIP_KEYS: ReadonlySet<string> = new Set([
  'Accessibility', 'AccessibilityAppearance', 'ActionButton', 'AdditionalPrivacySettings', 'Android', 'Appearance', 'AppleID',
  'AppStore', 'Biometric', 'CameraButton', 'DeviceFeaturesTour', 'DeviceToDeviceMigration', 'Diagnostics', 'DisplayTone',
  'EnableLockdownMode', 'FileVault', 'HomeButtonSensitivity', 'iCloudDiagnostics', 'iCloudStorage', 'iMessageAndFaceTime',
  'Intelligence', 'Keyboard', 'LiquidGlass', 'Location', 'MessagingActivationUsingPhoneNumber', 'Multitasking', 'OnBoarding',
  'OSShowcase', 'Passcode', 'Payment', 'Privacy', 'Restore', 'RestoreCompleted', 'Safety', 'SafetyAndHandling', 'ScreenSaver',
  'ScreenTime', 'SIMSetup', 'Siri', 'SoftwareUpdate', 'SpokenLanguage', 'TapToSetup', 'TermsOfAddress', 'Tips', 'TOS',
  'TVHomeScreenSync', 'TVProviderSignIn', 'TVRoom', 'UnlockWithWatch', 'UpdateCompleted', 'Wallpaper', 'WatchMigration',
  'WebContentFiltering', 'Welcome', 'Zoom',
]);

const BOOLEAN_FLAGS = [
  'allow_pairing',
  'is_supervised',
  'is_mdm_removable',
  'is_mandatory',
  'await_device_configured',
  'is_multi_user',
  'auto_advance_setup',
  // iOS / visionOS 26 (Apple's Profile documentation).
  'is_return_to_service',
  'do_not_use_profile_from_backup',
] as const;

const STRING_ARRAYS = ['anchor_certs', 'supervising_host_certs', 'skip_setup_items', 'devices'] as const;

/** ISO 639 language, optionally with script/region subtags (`en`, `en-US`, `zh-Hans`). */
const LANGUAGE = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;
/** ISO 3166-1 alpha-2. */
const REGION = /^[A-Z]{2}$/;
/** An address Setup Assistant can show: one @, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Standard base64 (DER certificates in anchor_certs / supervising_host_certs). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function tooLong(value: unknown, max: number): boolean {
  return typeof value !== 'string' || value.length > max;
}

/** Returns the Apple error code, or null when the profile is acceptable. */
export function validateProfile(input: unknown): ProfileErrorCode | null {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return 'MALFORMED_REQUEST_BODY';
  const p = input as Record<string, unknown>;

  if (p.profile_name === undefined || p.profile_name === null || p.profile_name === '') return 'CONFIG_NAME_REQUIRED';
  if (tooLong(p.profile_name, 125)) return 'CONFIG_NAME_INVALID';
  if (p.url === undefined || p.url === null || p.url === '') return 'CONFIG_URL_REQUIRED';
  if (tooLong(p.url, 2000) || !isHttpUrl(p.url as string)) return 'CONFIG_URL_INVALID';
  if (p.configuration_web_url !== undefined && (tooLong(p.configuration_web_url, 2000) || !isHttpUrl(p.configuration_web_url as string))) {
    return 'CONFIG_URL_INVALID';
  }
  if (p.department !== undefined && tooLong(p.department, 125)) return 'DEPARTMENT_INVALID';

  for (const flag of BOOLEAN_FLAGS) {
    if (p[flag] !== undefined && typeof p[flag] !== 'boolean') return 'FLAGS_INVALID';
  }
  // A non-removable MDM profile only exists on supervised devices.
  if (p.is_mdm_removable === false && p.is_supervised !== true) return 'FLAGS_INVALID';

  if (p.org_magic !== undefined && tooLong(p.org_magic, 256)) return 'MAGIC_INVALID';
  if (p.support_email_address !== undefined && (tooLong(p.support_email_address, 250) || !EMAIL.test(p.support_email_address as string))) {
    return 'SUPPORT_EMAIL_INVALID';
  }
  if (p.support_phone_number !== undefined && tooLong(p.support_phone_number, 50)) return 'SUPPORT_PHONE_INVALID';
  if (p.language !== undefined && (typeof p.language !== 'string' || !LANGUAGE.test(p.language))) return 'LOCALE_INVALID';
  if (p.region !== undefined && (typeof p.region !== 'string' || !REGION.test(p.region))) return 'LOCALE_INVALID';

  for (const key of STRING_ARRAYS) {
    const value = p[key];
    if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) {
      return key === 'devices' ? 'DEVICE_ID_REQUIRED' : 'MALFORMED_REQUEST_BODY';
    }
  }
  if ((p.skip_setup_items as string[] | undefined)?.some((key) => !APPLE_SKIP_KEYS.has(key))) return 'SKIP_SETUP_ITEMS_INVALID';
  // Certificates travel as base64 DER; PEM armour or anything else is not a certificate to Apple.
  for (const key of ['anchor_certs', 'supervising_host_certs'] as const) {
    const value = p[key] as string[] | undefined;
    if (value?.some((v) => !BASE64.test(v))) return 'MALFORMED_REQUEST_BODY';
  }
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
