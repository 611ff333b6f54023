import { DEFAULT_PROFILE_SETTINGS, type EnrollmentProfileSettings, UserAffinity } from '../../../src/profiles/profile.settings';
import type { ProfileRuleContext } from '../../../src/profiles/profile.rules';

/**
 * A valid "corporate device with a user" profile (the defaults of a new profile, named); tests change
 * one thing at a time. The lists are fresh copies: the defaults are shared and frozen.
 */
export function settings(overrides: Partial<EnrollmentProfileSettings> = {}): EnrollmentProfileSettings {
  return {
    ...DEFAULT_PROFILE_SETTINGS,
    name: 'Corporate iPhones',
    description: 'Sales team',
    appleConfiguratorCertificateIds: [],
    hiddenSetupPanes: [],
    anchorCertificates: [],
    ...overrides,
  };
}

/** A kiosk profile: no user, no Company Portal. */
export function kioskSettings(overrides: Partial<EnrollmentProfileSettings> = {}): EnrollmentProfileSettings {
  return settings({
    name: 'Kiosk iPads',
    userAffinity: UserAffinity.WITHOUT_USER,
    authenticationMethod: null,
    installCompanyPortal: false,
    ...overrides,
  });
}

export function context(overrides: Partial<ProfileRuleContext> = {}): ProfileRuleContext {
  return { certificateCount: 0, vppToken: null, enrollmentUrl: 'https://mdm.example.com/mdm/enroll', ...overrides };
}
