import {
  AuthenticationMethod,
  type EnrollmentProfileSettings,
  SyncWithComputers,
  UserAffinity,
} from '../../../src/profiles/profile.settings';
import { ProfilePlatform } from '../../../src/profiles/profile-platform';
import type { ProfileRuleContext } from '../../../src/profiles/profile.rules';

/** A valid "corporate device with a user" profile; tests change one thing at a time. */
export function settings(overrides: Partial<EnrollmentProfileSettings> = {}): EnrollmentProfileSettings {
  return {
    platform: ProfilePlatform.IOS,
    name: 'Corporate iPhones',
    description: 'Sales team',
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
