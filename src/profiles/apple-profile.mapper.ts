/**
 * Profile settings -> the profile JSON Apple's `POST /profile` takes (spec/apple-dep-api.md §3).
 * Pure and deterministic: the same settings give byte-identical JSON, so a re-push can be skipped
 * when nothing changed. Run the rules first; this only maps.
 *
 * Keys sent and why:
 * - `is_mandatory: true` always. These are organisation-owned devices: a user who could skip Remote
 *   Management during setup would end up with an unmanaged company device. The product has no
 *   setting for it (iOS 13+ treats automated enrollment as mandatory anyway).
 * - `auto_advance_setup` always, false unless the profile turns it on (tvOS, macOS 11+): auto-advance
 *   walks Setup Assistant without a user, so a user could not act on the panes that stay shown.
 * - `skip_setup_items` always, possibly empty, so "hide nothing" is explicit; only panes that exist
 *   on the profile's platform (setup-pane-catalogue.ts), so Apple never gets a key it would refuse.
 * - `department` / `support_phone_number` only when set: Apple shows them as typed, and an empty
 *   "About configuration" line is worse than none.
 * - `supervising_host_certs` only with ALLOW_BY_CERTIFICATE; `anchor_certs` only when given.
 * - The other keys of Apple's Profile (`language`, `region`, `support_email_address`, `org_magic`,
 *   `configuration_web_url`, `is_multi_user`, `is_return_to_service`,
 *   `do_not_use_profile_from_backup`) only when set or true, and only where the profile's platform
 *   reads them (profile-keys.ts; the rules refuse the rest): a profile that does not use them sends
 *   the same JSON as before they existed, so saving it again defines nothing new at Apple.
 * Not sent: `devices` (assignment is a separate call).
 * User affinity, authentication method and Company Portal have no Apple key: they shape what this
 * service does when the device reaches the enrollment URL.
 */
import type { DepProfile } from '../apple/dep.types';
import { type EnrollmentProfileSettings, SyncWithComputers } from './profile.settings';
import { PLATFORM_DEPENDENT_SETTINGS, PROFILE_KEY_PLATFORMS, settingIsOn, supportsSetting } from './profile-keys';
import { toAppleSkipSetupItems } from './setup-pane';

export interface AppleProfileOptions {
  /** Where devices enroll: the token's enrollment URL, else ENROLLMENT_URL (enrollment-url.ts). */
  enrollmentUrl: string;
  /** The profile's Apple Configurator certificates, base64 DER (ConfiguratorCertificate.derBase64). */
  certificatesDerBase64: string[];
}

export function toAppleProfile(settings: EnrollmentProfileSettings, options: AppleProfileOptions): DepProfile {
  const byCertificate = settings.syncWithComputers === SyncWithComputers.ALLOW_BY_CERTIFICATE;
  const hostCertificates = [...new Set(options.certificatesDerBase64)];
  if (byCertificate && hostCertificates.length === 0) {
    // allow_pairing without supervising_host_certs means "any host": refuse to widen access because
    // a caller lost the certificates (the rules already refuse such settings).
    throw new Error('toAppleProfile: ALLOW_BY_CERTIFICATE needs at least one Apple Configurator certificate');
  }

  const profile: DepProfile = {
    profile_name: settings.name.trim(),
    url: options.enrollmentUrl,
    allow_pairing: settings.syncWithComputers !== SyncWithComputers.DENY_ALL,
    is_supervised: settings.supervised,
    is_mdm_removable: !settings.lockedEnrollment,
    is_mandatory: true,
    await_device_configured: settings.awaitFinalConfiguration,
    auto_advance_setup: settings.autoAdvanceSetup === true && supportsSetting(settings.platform, 'autoAdvanceSetup'),
    skip_setup_items: toAppleSkipSetupItems(settings.hiddenSetupPanes, settings.platform),
  };
  const department = settings.departmentName?.trim();
  if (department) profile.department = department;
  const phone = settings.departmentPhone?.trim();
  if (phone) profile.support_phone_number = phone;
  if (byCertificate) profile.supervising_host_certs = hostCertificates;
  const anchors = [...new Set(settings.anchorCertificates ?? [])];
  if (anchors.length > 0) profile.anchor_certs = anchors;

  // The other Apple keys of profile-keys.ts, under the names it gives: only when on, only where the
  // platform reads them. Keys set above (auto_advance_setup, the deduplicated anchor_certs) stay as set.
  for (const key of PLATFORM_DEPENDENT_SETTINGS) {
    const { appleKey } = PROFILE_KEY_PLATFORMS[key];
    if (appleKey === null || appleKey in profile || !settingIsOn(settings, key) || !supportsSetting(settings.platform, key)) continue;
    Object.assign(profile, { [appleKey]: settings[key] });
  }
  return profile;
}
