import { AuthenticationMethod, type EnrollmentProfileSettings, SyncWithComputers } from '../../../src/profiles/profile.settings';
import {
  ProfileWarningCode,
  type ProfileWarningContext,
  SETTINGS_APPLIED_AT_ENROLLMENT,
  changedEnrollmentSettings,
  profileWarnings,
} from '../../../src/profiles/profile.warnings';
import { SetupPane } from '../../../src/profiles/setup-pane';
import { kioskSettings, settings } from './profile-fixtures';

const setupAssistant = { authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT };
const codes = (s: EnrollmentProfileSettings, c?: ProfileWarningContext) => profileWarnings(s, c).map((w) => w.code);
const find = (s: EnrollmentProfileSettings, code: ProfileWarningCode, c?: ProfileWarningContext) =>
  profileWarnings(s, c).find((w) => w.code === code);

describe('profileWarnings', () => {
  it('has nothing to say about a supervised kiosk profile', () => {
    expect(profileWarnings(kioskSettings())).toEqual([]);
  });

  describe('UNSUPERVISED_IGNORED', () => {
    it('is raised for an unsupervised profile and says newer iOS ignores it', () => {
      const warning = find(settings({ supervised: false }), ProfileWarningCode.UNSUPERVISED_IGNORED);
      expect(warning).toMatchObject({ field: 'supervised' });
      expect(warning?.message).toMatch(/deprecated/);
      expect(warning?.message).toMatch(/iOS and iPadOS 13/);
    });
    it('is not raised for a supervised profile', () => {
      expect(codes(settings())).not.toContain(ProfileWarningCode.UNSUPERVISED_IGNORED);
    });
  });

  describe('COMPANY_PORTAL_24_HOURS', () => {
    it('is raised with Company Portal authentication', () => {
      const warning = find(settings(), ProfileWarningCode.COMPANY_PORTAL_24_HOURS);
      expect(warning?.message).toMatch(/24 hours/);
      expect(warning?.message).toMatch(/factory reset/);
    });
    it('is not raised with Setup Assistant authentication or without a user', () => {
      expect(codes(settings(setupAssistant))).not.toContain(ProfileWarningCode.COMPANY_PORTAL_24_HOURS);
      expect(codes(kioskSettings({ authenticationMethod: AuthenticationMethod.COMPANY_PORTAL }))).not.toContain(
        ProfileWarningCode.COMPANY_PORTAL_24_HOURS,
      );
    });
  });

  describe('MFA_NEEDS_COMPANY_PORTAL', () => {
    it('is raised with Setup Assistant authentication and names what is not supported', () => {
      const warning = find(settings(setupAssistant), ProfileWarningCode.MFA_NEEDS_COMPANY_PORTAL);
      expect(warning?.field).toBe('authenticationMethod');
      expect(warning?.message).toMatch(/multi-factor authentication/);
      expect(warning?.message).toMatch(/first sign-in/);
      expect(warning?.message).toMatch(/expired password/);
    });
    it('is not raised with Company Portal authentication', () => {
      expect(codes(settings())).not.toContain(ProfileWarningCode.MFA_NEEDS_COMPANY_PORTAL);
    });
  });

  describe('SINGLE_APP_MODE_NO_MFA', () => {
    it('is raised in single app mode and points to a second device', () => {
      const warning = find(settings({ singleAppModeUntilAuthentication: true, companyPortalVppTokenId: 'v' }), ProfileWarningCode.SINGLE_APP_MODE_NO_MFA);
      expect(warning?.field).toBe('singleAppModeUntilAuthentication');
      expect(warning?.message).toMatch(/second device/);
    });
    it('is not raised otherwise', () => {
      expect(codes(settings())).not.toContain(ProfileWarningCode.SINGLE_APP_MODE_NO_MFA);
    });
  });

  describe('VPP_TOKEN_FALLBACK', () => {
    const withVpp = settings({ companyPortalVppTokenId: 'vpp-1' });
    it.each<[string, NonNullable<ProfileWarningContext['vppToken']>, RegExp]>([
      ['expired', { expired: true }, /has expired/],
      ['low on licences', { expired: false, low: true, licensesAvailable: 3 }, /running low/],
      ['out of licences', { expired: false, licensesAvailable: 0 }, /no Company Portal licences left/],
    ])('is raised when the token is %s and explains the Apple ID fallback', (_label, vppToken, state) => {
      const warning = find(withVpp, ProfileWarningCode.VPP_TOKEN_FALLBACK, { vppToken });
      expect(warning?.field).toBe('companyPortalVppTokenId');
      expect(warning?.message).toMatch(state);
      expect(warning?.message).toMatch(/App Store/);
      expect(warning?.message).toMatch(/Apple ID/);
    });
    it('is not raised for a healthy token, an unknown state, or a profile without a VPP token', () => {
      expect(codes(withVpp, { vppToken: { expired: false, low: false, licensesAvailable: 50 } })).not.toContain(ProfileWarningCode.VPP_TOKEN_FALLBACK);
      expect(codes(withVpp, { vppToken: { expired: false, licensesAvailable: null } })).not.toContain(ProfileWarningCode.VPP_TOKEN_FALLBACK);
      expect(codes(withVpp)).not.toContain(ProfileWarningCode.VPP_TOKEN_FALLBACK);
      expect(codes(settings(), { vppToken: { expired: true } })).not.toContain(ProfileWarningCode.VPP_TOKEN_FALLBACK);
    });
  });

  describe('PASSCODE_PANE_HIDDEN', () => {
    it('is raised when the passcode pane is hidden', () => {
      const warning = find(settings({ hiddenSetupPanes: [SetupPane.SIRI, SetupPane.PASSCODE] }), ProfileWarningCode.PASSCODE_PANE_HIDDEN);
      expect(warning?.field).toBe('hiddenSetupPanes');
      expect(warning?.message).toMatch(/kiosk/);
    });
    it('is not raised for other hidden panes', () => {
      expect(codes(settings({ hiddenSetupPanes: [SetupPane.SIRI] }))).not.toContain(ProfileWarningCode.PASSCODE_PANE_HIDDEN);
    });
  });

  describe('DEVICE_NAME_NOT_UNIQUE', () => {
    it('is raised for a template without {{SERIAL}}', () => {
      expect(find(settings({ deviceNameTemplate: 'Acme {{DEVICETYPE}}' }), ProfileWarningCode.DEVICE_NAME_NOT_UNIQUE)?.field).toBe('deviceNameTemplate');
    });
    it('is not raised with {{SERIAL}} or without a template', () => {
      expect(codes(settings({ deviceNameTemplate: 'Acme-{{SERIAL}}' }))).not.toContain(ProfileWarningCode.DEVICE_NAME_NOT_UNIQUE);
      expect(codes(settings({ deviceNameTemplate: null }))).not.toContain(ProfileWarningCode.DEVICE_NAME_NOT_UNIQUE);
    });
  });

  describe('CHANGES_NEED_WIPE', () => {
    const before = settings({ hiddenSetupPanes: [SetupPane.SIRI, SetupPane.ZOOM] });
    it('is raised when a setting applied at enrollment changed, naming the settings', () => {
      const after = { ...before, lockedEnrollment: true, departmentName: 'IT' };
      const warning = find(after, ProfileWarningCode.CHANGES_NEED_WIPE, { previous: before });
      expect(warning?.field).toBe('lockedEnrollment');
      expect(warning?.message).toContain('lockedEnrollment, departmentName');
      expect(warning?.message).toMatch(/wiped/);
    });
    it('is not raised for name, description or device name template changes, or reordered panes', () => {
      const after = { ...before, name: 'Renamed', description: 'new', deviceNameTemplate: '{{SERIAL}}', hiddenSetupPanes: [SetupPane.ZOOM, SetupPane.SIRI] };
      expect(codes(after, { previous: before })).not.toContain(ProfileWarningCode.CHANGES_NEED_WIPE);
    });
    it('is not raised without a previous version (create, or reading a profile)', () => {
      expect(codes(settings({ lockedEnrollment: true }))).not.toContain(ProfileWarningCode.CHANGES_NEED_WIPE);
    });
  });
});

describe('changedEnrollmentSettings', () => {
  it('covers every setting except name, description and device name template', () => {
    const all = Object.keys(settings()).sort();
    expect([...SETTINGS_APPLIED_AT_ENROLLMENT, 'name', 'description', 'deviceNameTemplate'].sort()).toEqual(all);
  });

  it('detects changed values, compares arrays as sets and null like undefined', () => {
    const base = settings({ appleConfiguratorCertificateIds: ['a', 'b'], syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE });
    expect(changedEnrollmentSettings(base, { ...base, appleConfiguratorCertificateIds: ['b', 'a'] })).toEqual([]);
    expect(changedEnrollmentSettings(base, { ...base, appleConfiguratorCertificateIds: ['a'] })).toEqual(['appleConfiguratorCertificateIds']);
    expect(changedEnrollmentSettings(base, { ...base, supervised: false, syncWithComputers: SyncWithComputers.DENY_ALL })).toEqual([
      'supervised',
      'syncWithComputers',
    ]);
    expect(changedEnrollmentSettings(base, { ...base, departmentPhone: undefined as unknown as null })).toEqual([]);
  });
});
