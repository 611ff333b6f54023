/**
 * Profile settings -> the profile JSON Apple's `POST /profile` takes (spec/apple-dep-api.md §3).
 * Pure and deterministic: the same settings give byte-identical JSON, so a re-push can be skipped
 * when nothing changed. Run the rules first; this only maps.
 *
 * Keys sent and why:
 * - `is_mandatory: true` always. These are organisation-owned devices: a user who could skip Remote
 *   Management during setup would end up with an unmanaged company device. The product has no
 *   setting for it (iOS 13+ treats automated enrollment as mandatory anyway).
 * - `auto_advance_setup: false` always. Auto-advance walks Setup Assistant without a user (tvOS and
 *   unattended kiosks); with it a user could not act on the panes that stay shown.
 * - `skip_setup_items` always, possibly empty, so "hide nothing" is explicit.
 * - `department` / `support_phone_number` only when set: Apple shows them as typed, and an empty
 *   "About configuration" line is worse than none.
 * - `supervising_host_certs` only with ALLOW_BY_CERTIFICATE; `anchor_certs` only when given.
 * Not sent: `is_multi_user` (Shared iPad is not a product setting), `language`/`region`,
 * `configuration_web_url` (users authenticate through the enrollment URL's own flow), `org_magic`,
 * `support_email_address`, and `devices` (assignment is a separate call).
 * User affinity, authentication method and Company Portal have no Apple key: they shape what this
 * service does when the device reaches the enrollment URL.
 */
import type { DepProfile } from '../apple/dep.types';
import { type EnrollmentProfileSettings, SyncWithComputers } from './profile.settings';
import { toAppleSkipSetupItems } from './setup-pane';

export interface AppleProfileOptions {
  /** This service's enrollment URL (config ENROLLMENT_URL). */
  enrollmentUrl: string;
  /** The profile's Apple Configurator certificates, base64 DER (ConfiguratorCertificate.derBase64). */
  certificatesDerBase64: string[];
  /** Base64 DER anchors Setup Assistant trusts for the enrollment URL's TLS (private CAs). */
  anchorCertificates?: string[];
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
    auto_advance_setup: false,
    skip_setup_items: toAppleSkipSetupItems(settings.hiddenSetupPanes),
  };
  const department = settings.departmentName?.trim();
  if (department) profile.department = department;
  const phone = settings.departmentPhone?.trim();
  if (phone) profile.support_phone_number = phone;
  if (byCertificate) profile.supervising_host_certs = hostCertificates;
  const anchors = [...new Set(options.anchorCertificates ?? [])];
  if (anchors.length > 0) profile.anchor_certs = anchors;
  return profile;
}
