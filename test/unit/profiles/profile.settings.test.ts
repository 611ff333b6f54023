import {
  AuthenticationMethod,
  DEFAULT_PROFILE_SETTINGS,
  RequiredLicense,
  UserAffinity,
  installsCompanyPortal,
  normalizeProfileSettings,
  requiredLicenseFor,
} from '../../../src/profiles/profile.settings';
import { validateProfileSettings } from '../../../src/profiles/profile.rules';
import { SetupPane } from '../../../src/profiles/setup-pane';
import { context, kioskSettings, settings } from './profile-fixtures';

describe('requiredLicenseFor', () => {
  it('needs a user licence with user affinity and a device licence without', () => {
    expect(requiredLicenseFor(UserAffinity.WITH_USER)).toBe(RequiredLicense.USER);
    expect(requiredLicenseFor(UserAffinity.WITHOUT_USER)).toBe(RequiredLicense.DEVICE);
  });
});

describe('DEFAULT_PROFILE_SETTINGS', () => {
  it('is a valid profile once named', () => {
    const defaults = { ...DEFAULT_PROFILE_SETTINGS, name: 'New profile', hiddenSetupPanes: [], appleConfiguratorCertificateIds: [] };
    expect(validateProfileSettings(defaults, context())).toEqual([]);
    expect(DEFAULT_PROFILE_SETTINGS.supervised).toBe(true);
    expect(Object.isFrozen(DEFAULT_PROFILE_SETTINGS)).toBe(true);
  });
});

describe('normalizeProfileSettings', () => {
  it('trims text and turns empty optional text into null', () => {
    const out = normalizeProfileSettings(
      settings({
        name: '  Staff  ',
        description: '   ',
        departmentName: ' IT ',
        departmentPhone: '',
        deviceNameTemplate: '  ',
        companyPortalVppTokenId: ' ',
      }),
    );
    expect(out).toMatchObject({
      name: 'Staff',
      description: null,
      departmentName: 'IT',
      departmentPhone: null,
      deviceNameTemplate: null,
      companyPortalVppTokenId: null,
    });
  });

  it('makes Company Portal authentication imply installing Company Portal', () => {
    expect(normalizeProfileSettings(settings({ installCompanyPortal: false })).installCompanyPortal).toBe(true);
    const setupAssistant = settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false });
    expect(normalizeProfileSettings(setupAssistant).installCompanyPortal).toBe(false);
    // Without user affinity nothing is implied (and an explicit request is left for the rules to refuse).
    expect(normalizeProfileSettings(kioskSettings({ authenticationMethod: AuthenticationMethod.COMPANY_PORTAL })).installCompanyPortal).toBe(false);
    expect(normalizeProfileSettings(kioskSettings({ installCompanyPortal: true })).installCompanyPortal).toBe(true);
  });

  it('deduplicates panes into declaration order and certificate ids in the given order', () => {
    const out = normalizeProfileSettings(
      settings({
        hiddenSetupPanes: [SetupPane.ZOOM, SetupPane.PASSCODE, SetupPane.ZOOM, SetupPane.FILE_VAULT],
        appleConfiguratorCertificateIds: ['b', 'a', 'b'],
      }),
    );
    expect(out.hiddenSetupPanes).toEqual([SetupPane.PASSCODE, SetupPane.ZOOM, SetupPane.FILE_VAULT]);
    expect(out.appleConfiguratorCertificateIds).toEqual(['b', 'a']);
  });

  it('does not modify its input', () => {
    const input = settings({ name: ' x ', hiddenSetupPanes: [SetupPane.ZOOM, SetupPane.ZOOM] });
    normalizeProfileSettings(input);
    expect(input.name).toBe(' x ');
    expect(input.hiddenSetupPanes).toEqual([SetupPane.ZOOM, SetupPane.ZOOM]);
  });
});

describe('installsCompanyPortal', () => {
  it('is true when asked for or implied by Company Portal authentication, never without a user', () => {
    expect(installsCompanyPortal(settings({ installCompanyPortal: false }))).toBe(true);
    expect(installsCompanyPortal(settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: true }))).toBe(true);
    expect(installsCompanyPortal(settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false }))).toBe(false);
    expect(installsCompanyPortal(kioskSettings({ installCompanyPortal: true }))).toBe(false);
  });
});
