/**
 * The `extensions.code` values the enrollment-profile feature returns.
 *
 * They live here, not in the central `ErrorCode` enum (src/graphql/error-codes.ts), only until the
 * integrating engineer copies them there; `ProfileErrorCodesMissingFromErrorCode` below names the
 * ones still missing so that step can be checked at compile time (it must become `never`).
 */
import { DomainError } from '../graphql/domain-error';
import type { ErrorCode } from '../graphql/error-codes';

export const PROFILE_ERROR_CODES = [
  /** `MAX_PROFILES_PER_TOKEN` (100 by the rules) profiles already exist for the token. */
  'PROFILE_LIMIT_REACHED',
  /** The name is missing or only whitespace. */
  'PROFILE_NAME_REQUIRED',
  /** The name is longer than Apple's 125 characters (`CONFIG_NAME_INVALID` at Apple). */
  'PROFILE_NAME_TOO_LONG',
  /** The description is longer than PROFILE_DESCRIPTION_MAX_LENGTH. */
  'PROFILE_DESCRIPTION_TOO_LONG',
  /** With user affinity the admin must say where users authenticate. */
  'AUTHENTICATION_METHOD_REQUIRED',
  /** Without user affinity there is no user to authenticate. */
  'AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY',
  /** Company Portal (install or VPP token) was asked for on a profile without user affinity. */
  'COMPANY_PORTAL_REQUIRES_USER_AFFINITY',
  /** A VPP token for Company Portal was chosen, but Company Portal is not installed. */
  'COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL',
  /** The chosen VPP token does not exist (or is outside the caller's scope). */
  'COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND',
  /** The chosen VPP token has expired. */
  'COMPANY_PORTAL_VPP_TOKEN_EXPIRED',
  /** Single app mode until authentication needs a user to authenticate. */
  'SINGLE_APP_MODE_REQUIRES_USER_AFFINITY',
  /** Single app mode locks the device into Company Portal: authentication must be in Company Portal. */
  'SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL',
  /** Single app mode needs Company Portal installed with a VPP token (the rules). */
  'SINGLE_APP_MODE_REQUIRES_VPP_TOKEN',
  /** Apple only lets an MDM lock a device into one app on supervised devices. */
  'SINGLE_APP_MODE_REQUIRES_SUPERVISION',
  /** `is_mdm_removable: false` needs `is_supervised: true` (`FLAGS_INVALID` at Apple). */
  'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION',
  /** Sync "allow Apple Configurator by certificate" with no certificate. */
  'CONFIGURATOR_CERTIFICATES_REQUIRED',
  /** More than MAX_CONFIGURATOR_CERTIFICATES certificates. */
  'CONFIGURATOR_CERTIFICATES_TOO_MANY',
  /** Certificates chosen while the sync mode is not "by certificate" (they would be silently dropped). */
  'CONFIGURATOR_CERTIFICATES_NOT_ALLOWED',
  /** A chosen certificate id does not resolve to an uploaded certificate. */
  'CONFIGURATOR_CERTIFICATE_NOT_FOUND',
  /** An uploaded Apple Configurator certificate is not a single X.509 certificate (PEM or base64 DER). */
  'CONFIGURATOR_CERTIFICATE_INVALID',
  /** Longer than Apple's 125 characters (`DEPARTMENT_INVALID` at Apple). */
  'DEPARTMENT_NAME_TOO_LONG',
  /** Longer than Apple's 50 characters (`SUPPORT_PHONE_INVALID` at Apple). */
  'DEPARTMENT_PHONE_TOO_LONG',
  /** Unknown placeholder, invalid character, or too long once expanded; `extensions.reason` says which. */
  'DEVICE_NAME_TEMPLATE_INVALID',
  /** The configured enrollment URL is not an absolute http(s) URL (a deployment error, not the admin's). */
  'ENROLLMENT_URL_INVALID',
  /** The configured enrollment URL is longer than Apple's 2000 characters. */
  'ENROLLMENT_URL_TOO_LONG',
] as const;

export type ProfileErrorCode = (typeof PROFILE_ERROR_CODES)[number];

/** Profile codes not yet in the central ErrorCode enum; `never` once integration is done. */
export type ProfileErrorCodesMissingFromErrorCode = Exclude<ProfileErrorCode, `${ErrorCode}`>;

/**
 * A profile rule said no. It is a DomainError, so the GraphQL layer returns it as is with
 * `extensions.code` = `code`; services throw it before writing anything.
 */
export class ProfileRuleError extends DomainError {
  /** The same string as `code`, typed as the profile feature's own union. */
  readonly profileCode: ProfileErrorCode;

  constructor(code: ProfileErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    // The cast only bridges the type until the codes join ErrorCode: at run time every ErrorCode is
    // its own name as a string, exactly like these literals.
    super(code as string as ErrorCode, message, extensions);
    this.name = 'ProfileRuleError';
    this.profileCode = code;
  }
}
