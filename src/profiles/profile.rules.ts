/**
 * The enrollment-profile rules (spec/enrollment-rules.md, "Enrollment profiles") as a pure check:
 * settings in, violations out. Services call `assertProfileSettings` before writing anything, so a
 * refused profile leaves nothing changed.
 *
 * Limits that Apple enforces on the profile JSON (spec/apple-dep-api.md §3) are checked here too, so
 * an admin gets a precise error on the field they typed instead of Apple's `CONFIG_NAME_INVALID`
 * after a round trip.
 */
import { checkDeviceNameTemplate } from './device-name-template';
import { PLATFORM_DEPENDENT_SETTINGS, PROFILE_KEY_PLATFORMS, platformList, settingIsOn, supportsSetting } from './profile-keys';
import { PLATFORM_LABELS, PROFILE_PLATFORMS } from './profile-platform';
import { type ProfileErrorCode, ProfileRuleError } from './profile.errors';
import {
  AuthenticationMethod,
  type EnrollmentProfileSettings,
  SyncWithComputers,
  UserAffinity,
  installsCompanyPortal,
} from './profile.settings';

/** Apple's limit on `profile_name`. */
export const PROFILE_NAME_MAX_LENGTH = 125;
/** Ours: the description never leaves the service; 1024 is plenty for a note and bounds the row. */
export const PROFILE_DESCRIPTION_MAX_LENGTH = 1024;
/** Apple's limit on `department`. */
export const DEPARTMENT_NAME_MAX_LENGTH = 125;
/** Apple's limit on `support_phone_number`. */
export const DEPARTMENT_PHONE_MAX_LENGTH = 50;
/** Apple's limit on `url`. */
export const ENROLLMENT_URL_MAX_LENGTH = 2000;
/** Apple's limit on `support_email_address`. */
export const SUPPORT_EMAIL_MAX_LENGTH = 250;
/** Apple's limit on `org_magic`. */
export const ORG_MAGIC_MAX_LENGTH = 256;
/** Apple's limit on `configuration_web_url` (as on `url`). */
export const CONFIGURATION_WEB_URL_MAX_LENGTH = 2000;
/** Anchor certificates a profile may carry (ours: a private CA chain is a handful). */
export const MAX_ANCHOR_CERTIFICATES = 10;
/** ISO 639 language (2 or 3 letters), optionally with script / region subtags: `en`, `en-US`, `zh-Hans`. */
export const LANGUAGE_CODE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
/** ISO 3166-1 alpha-2. */
export const REGION_CODE = /^[A-Z]{2}$/;
/** One @, something on each side, no spaces: what Apple's Setup Assistant can show as an address. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Apple Configurator certificates a profile may list (the product's limit). */
export const MAX_CONFIGURATOR_CERTIFICATES = 10;
/** The rules' limit on profiles per DEP token; the service reads MAX_PROFILES_PER_TOKEN from config. */
export const DEFAULT_MAX_PROFILES_PER_TOKEN = 100;

export interface ProfileRuleViolation {
  code: ProfileErrorCode;
  /** The settings field (GraphQL input field) to fix, or `enrollmentUrl` for the deployment's URL. */
  field: keyof EnrollmentProfileSettings | 'enrollmentUrl';
  message: string;
  /** Extra detail for some codes (DEVICE_NAME_TEMPLATE_INVALID: the reason). */
  reason?: string;
  /** PROFILE_SETTING_NOT_FOR_PLATFORM: the profile's platform. */
  platform?: string;
}

export interface ProfileRuleContext {
  /**
   * How many of `appleConfiguratorCertificateIds` (after deduplication) resolved to uploaded
   * certificates the caller may use. Fewer than asked for = CONFIGURATOR_CERTIFICATE_NOT_FOUND.
   */
  certificateCount: number;
  /**
   * The token `companyPortalVppTokenId` names, as the caller resolved it within its scope; null or
   * absent while an id is set = COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND (so a service that forgets to
   * resolve it cannot save an unchecked id). An expired token is refused; a service updating a
   * profile whose token expired *after* it was chosen may pass `expired: false` for the unchanged id
   * and rely on the VPP_TOKEN_FALLBACK warning instead, so the admin can still rename the profile.
   */
  vppToken?: { expired: boolean } | null;
  /** The enrollment URL the profile will be sent to Apple with (the token's, or ENROLLMENT_URL); undefined when neither is set. */
  enrollmentUrl: string | undefined;
}

/**
 * Every rule the settings break, in field order; empty when the profile may be saved.
 * Expects normalised settings (normalizeProfileSettings) but stays safe on raw ones.
 */
export function validateProfileSettings(settings: EnrollmentProfileSettings, context: ProfileRuleContext): ProfileRuleViolation[] {
  const violations: ProfileRuleViolation[] = [];
  const add = (code: ProfileErrorCode, field: ProfileRuleViolation['field'], message: string, reason?: string) =>
    violations.push(reason === undefined ? { code, field, message } : { code, field, message, reason });

  // Basics.
  const name = settings.name?.trim() ?? '';
  if (name === '') {
    add('PROFILE_NAME_REQUIRED', 'name', 'A profile name is required.');
  } else if (name.length > PROFILE_NAME_MAX_LENGTH) {
    add('PROFILE_NAME_TOO_LONG', 'name', `The profile name is ${name.length} characters long; Apple accepts at most ${PROFILE_NAME_MAX_LENGTH}.`);
  }
  const description = settings.description?.trim() ?? '';
  if (description.length > PROFILE_DESCRIPTION_MAX_LENGTH) {
    add(
      'PROFILE_DESCRIPTION_TOO_LONG',
      'description',
      `The description is ${description.length} characters long; at most ${PROFILE_DESCRIPTION_MAX_LENGTH} are allowed.`,
    );
  }

  // The platform, and settings that do not exist on it: refused rather than dropped, because an
  // admin who turned single app mode on for a Mac believes Macs will be locked.
  if (!PROFILE_PLATFORMS.includes(settings.platform)) {
    add('PROFILE_SETTING_NOT_FOR_PLATFORM', 'platform', `Unknown platform ${String(settings.platform)}.`);
  } else {
    for (const key of PLATFORM_DEPENDENT_SETTINGS) {
      if (!settingIsOn(settings, key) || supportsSetting(settings.platform, key)) continue;
      const what = key === 'authenticationMethod' ? 'Company Portal authentication' : key === 'userAffinity' ? 'User affinity' : key;
      violations.push({
        code: 'PROFILE_SETTING_NOT_FOR_PLATFORM',
        field: key,
        platform: settings.platform,
        message: `${what} does not exist on ${PLATFORM_LABELS[settings.platform]}; it exists on ${platformList(PROFILE_KEY_PLATFORMS[key].platforms)}. Turn it off for this profile.`,
      });
    }
  }

  // User affinity and where users authenticate.
  const withUser = settings.userAffinity === UserAffinity.WITH_USER;
  if (withUser && !settings.authenticationMethod) {
    add(
      'AUTHENTICATION_METHOD_REQUIRED',
      'authenticationMethod',
      'With user affinity, choose where users authenticate: COMPANY_PORTAL or SETUP_ASSISTANT.',
    );
  }
  if (!withUser && settings.authenticationMethod) {
    add(
      'AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY',
      'authenticationMethod',
      'Devices without user affinity have no user to authenticate: leave authenticationMethod empty or enroll with user affinity.',
    );
  }

  // Company Portal and its VPP token.
  const vppTokenId = settings.companyPortalVppTokenId?.trim() || null;
  if (!withUser) {
    if (settings.installCompanyPortal) {
      add(
        'COMPANY_PORTAL_REQUIRES_USER_AFFINITY',
        'installCompanyPortal',
        'Company Portal does not work on devices without user affinity: turn installCompanyPortal off or enroll with user affinity.',
      );
    }
    if (vppTokenId) {
      add(
        'COMPANY_PORTAL_REQUIRES_USER_AFFINITY',
        'companyPortalVppTokenId',
        'Company Portal does not work on devices without user affinity: remove the VPP token or enroll with user affinity.',
      );
    }
  } else if (vppTokenId) {
    if (!installsCompanyPortal(settings)) {
      add(
        'COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL',
        'companyPortalVppTokenId',
        'A VPP token was chosen to install Company Portal, but Company Portal is not installed: turn installCompanyPortal on or remove the VPP token.',
      );
    } else if (!context.vppToken) {
      add('COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND', 'companyPortalVppTokenId', 'The VPP token chosen for Company Portal was not found.');
    } else if (context.vppToken.expired) {
      add(
        'COMPANY_PORTAL_VPP_TOKEN_EXPIRED',
        'companyPortalVppTokenId',
        'The VPP token chosen for Company Portal has expired: renew it or choose another one. With an expired token devices fall back to the App Store Company Portal and ask for an Apple ID.',
      );
    }
  }

  // Single app mode until authentication: it locks the device into Company Portal until the user
  // has signed in there, so it needs a user, Company Portal authentication, Company Portal installed
  // from a VPP token (no Apple ID to install it otherwise) and supervision (Apple's condition for
  // locking a device into one app). Only the most basic missing condition is reported.
  if (settings.singleAppModeUntilAuthentication) {
    if (!withUser) {
      add(
        'SINGLE_APP_MODE_REQUIRES_USER_AFFINITY',
        'singleAppModeUntilAuthentication',
        'Single app mode until authentication needs user affinity: devices without a user never authenticate.',
      );
    } else if (settings.authenticationMethod !== AuthenticationMethod.COMPANY_PORTAL) {
      add(
        'SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL',
        'singleAppModeUntilAuthentication',
        'Single app mode until authentication keeps the device in Company Portal until the user signs in there: set authenticationMethod to COMPANY_PORTAL.',
      );
    } else if (!vppTokenId) {
      add(
        'SINGLE_APP_MODE_REQUIRES_VPP_TOKEN',
        'singleAppModeUntilAuthentication',
        'Single app mode until authentication is only available when Company Portal is installed with a VPP token: choose companyPortalVppTokenId.',
      );
    }
    if (!settings.supervised) {
      add(
        'SINGLE_APP_MODE_REQUIRES_SUPERVISION',
        'singleAppModeUntilAuthentication',
        'Single app mode until authentication only works on supervised devices: set supervised to true.',
      );
    }
  }

  // Supervision.
  if (settings.lockedEnrollment && !settings.supervised) {
    add(
      'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION',
      'lockedEnrollment',
      'Locked enrollment requires a supervised profile: set supervised to true or turn locked enrollment off.',
    );
  }

  // Sync with computers.
  const certificateIds = new Set(settings.appleConfiguratorCertificateIds ?? []);
  if (settings.syncWithComputers === SyncWithComputers.ALLOW_BY_CERTIFICATE) {
    if (certificateIds.size === 0) {
      add(
        'CONFIGURATOR_CERTIFICATES_REQUIRED',
        'appleConfiguratorCertificateIds',
        'Allowing Apple Configurator by certificate needs at least one uploaded Apple Configurator certificate.',
      );
    } else if (certificateIds.size > MAX_CONFIGURATOR_CERTIFICATES) {
      add(
        'CONFIGURATOR_CERTIFICATES_TOO_MANY',
        'appleConfiguratorCertificateIds',
        `A profile lists at most ${MAX_CONFIGURATOR_CERTIFICATES} Apple Configurator certificates; ${certificateIds.size} were chosen.`,
      );
    } else if (context.certificateCount < certificateIds.size) {
      const missing = certificateIds.size - context.certificateCount;
      add(
        'CONFIGURATOR_CERTIFICATE_NOT_FOUND',
        'appleConfiguratorCertificateIds',
        `${missing} of the chosen Apple Configurator certificates ${missing === 1 ? 'was' : 'were'} not found.`,
      );
    }
  } else if (certificateIds.size > 0) {
    // Refused rather than ignored: Apple would never see these certificates, and an admin who chose
    // them believes only those Configurator hosts can pair.
    add(
      'CONFIGURATOR_CERTIFICATES_NOT_ALLOWED',
      'appleConfiguratorCertificateIds',
      'Apple Configurator certificates only apply when syncWithComputers is ALLOW_BY_CERTIFICATE: remove them or change the sync mode.',
    );
  }

  // Device name and support information.
  if (settings.deviceNameTemplate !== null && settings.deviceNameTemplate !== undefined) {
    const problem = checkDeviceNameTemplate(settings.deviceNameTemplate);
    if (problem) add('DEVICE_NAME_TEMPLATE_INVALID', 'deviceNameTemplate', problem.message, problem.reason);
  }
  const department = settings.departmentName?.trim() ?? '';
  if (department.length > DEPARTMENT_NAME_MAX_LENGTH) {
    add(
      'DEPARTMENT_NAME_TOO_LONG',
      'departmentName',
      `The department name is ${department.length} characters long; Apple accepts at most ${DEPARTMENT_NAME_MAX_LENGTH}.`,
    );
  }
  const phone = settings.departmentPhone?.trim() ?? '';
  if (phone.length > DEPARTMENT_PHONE_MAX_LENGTH) {
    add(
      'DEPARTMENT_PHONE_TOO_LONG',
      'departmentPhone',
      `The department phone is ${phone.length} characters long; Apple accepts at most ${DEPARTMENT_PHONE_MAX_LENGTH}.`,
    );
  }

  // Apple's other profile keys, validated as Apple validates them (spec §3: LOCALE_INVALID,
  // SUPPORT_EMAIL_INVALID, MAGIC_INVALID, CONFIG_URL_INVALID), with one code per field.
  if (settings.language != null && !LANGUAGE_CODE.test(settings.language)) {
    add('PROFILE_LANGUAGE_INVALID', 'language', 'The language must be an ISO 639 code such as "en" or "pt-BR".');
  }
  if (settings.region != null && !REGION_CODE.test(settings.region)) {
    add('PROFILE_REGION_INVALID', 'region', 'The region must be an ISO 3166-1 alpha-2 code such as "US" or "DE".');
  }
  const email = settings.supportEmailAddress ?? null;
  if (email !== null && (email.length > SUPPORT_EMAIL_MAX_LENGTH || !EMAIL.test(email))) {
    add(
      'SUPPORT_EMAIL_INVALID',
      'supportEmailAddress',
      email.length > SUPPORT_EMAIL_MAX_LENGTH
        ? `The support email address is ${email.length} characters long; Apple accepts at most ${SUPPORT_EMAIL_MAX_LENGTH}.`
        : 'The support email address is not an email address.',
    );
  }
  if (settings.orgMagic != null && settings.orgMagic.length > ORG_MAGIC_MAX_LENGTH) {
    add('ORG_MAGIC_TOO_LONG', 'orgMagic', `orgMagic is ${settings.orgMagic.length} characters long; Apple accepts at most ${ORG_MAGIC_MAX_LENGTH}.`);
  }
  const webUrl = settings.configurationWebUrl ?? null;
  if (webUrl !== null) {
    if (!isHttpUrl(webUrl) || webUrl.length > CONFIGURATION_WEB_URL_MAX_LENGTH) {
      add('CONFIGURATION_WEB_URL_INVALID', 'configurationWebUrl', `The configuration web URL must be an absolute http(s) URL of at most ${CONFIGURATION_WEB_URL_MAX_LENGTH} characters.`);
    } else if (!(withUser && settings.authenticationMethod === AuthenticationMethod.SETUP_ASSISTANT)) {
      add(
        'CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT',
        'configurationWebUrl',
        'The configuration web URL is where users sign in during Setup Assistant: it needs user affinity with SETUP_ASSISTANT authentication.',
      );
    }
  }
  if ((settings.anchorCertificates?.length ?? 0) > MAX_ANCHOR_CERTIFICATES) {
    add(
      'ANCHOR_CERTIFICATES_TOO_MANY',
      'anchorCertificates',
      `A profile carries at most ${MAX_ANCHOR_CERTIFICATES} anchor certificates; ${settings.anchorCertificates.length} were given.`,
    );
  }

  // The deployment's enrollment URL goes to Apple as `url`. A bad one is an operator's
  // configuration mistake, reported with its own code so it is not mistaken for the admin's input.
  const url = context.enrollmentUrl ?? '';
  if (context.enrollmentUrl === undefined) {
    add(
      'ENROLLMENT_URL_REQUIRED',
      'enrollmentUrl',
      "No enrollment URL: set the MDM server's URL as ENROLLMENT_URL or as the token's enrollmentUrl (updateDepToken); devices would fail Setup Assistant without it.",
    );
  } else if (!isHttpUrl(url)) {
    add('ENROLLMENT_URL_INVALID', 'enrollmentUrl', 'The service enrollment URL (ENROLLMENT_URL) is not an absolute http(s) URL; ask the operator to fix it.');
  } else if (url.length > ENROLLMENT_URL_MAX_LENGTH) {
    add(
      'ENROLLMENT_URL_TOO_LONG',
      'enrollmentUrl',
      `The service enrollment URL (ENROLLMENT_URL) is ${url.length} characters long; Apple accepts at most ${ENROLLMENT_URL_MAX_LENGTH}.`,
    );
  }

  return violations;
}

/**
 * Throws one ProfileRuleError for the first violation (its code, message and `field`), with every
 * violation under `extensions.violations` so a form can mark all fields at once. Returns normally
 * when the settings may be saved.
 */
export function assertProfileSettings(settings: EnrollmentProfileSettings, context: ProfileRuleContext): void {
  const violations = validateProfileSettings(settings, context);
  if (violations.length === 0) return;
  throw violationError(violations);
}

export function violationError(violations: readonly ProfileRuleViolation[]): ProfileRuleError {
  const [first] = violations;
  if (!first) throw new RangeError('violationError needs at least one violation');
  const extensions: Record<string, unknown> = { field: first.field, violations: violations.map((v) => ({ ...v })) };
  if (first.reason !== undefined) extensions.reason = first.reason;
  if (first.platform !== undefined) extensions.platform = first.platform;
  return new ProfileRuleError(first.code, first.message, extensions);
}

/** PROFILE_LIMIT_REACHED when a token already has `max` profiles; null when one more fits. */
export function profileLimitViolation(existingProfiles: number, max: number = DEFAULT_MAX_PROFILES_PER_TOKEN): ProfileRuleError | null {
  if (existingProfiles < max) return null;
  return new ProfileRuleError(
    'PROFILE_LIMIT_REACHED',
    `A DEP token can have at most ${max} enrollment profiles; delete one before creating another.`,
    { max },
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
