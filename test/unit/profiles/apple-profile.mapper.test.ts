import { ProfilePlatform } from '../../../src/profiles/profile-platform';
import { paneOnPlatform } from '../../../src/profiles/setup-pane';
import { toAppleProfile } from '../../../src/profiles/apple-profile.mapper';
import { AuthenticationMethod, SyncWithComputers } from '../../../src/profiles/profile.settings';
import { SetupPane } from '../../../src/profiles/setup-pane';
import { validateProfile } from '../../../src/simulator/profile-validation';
import { kioskSettings, settings } from './profile-fixtures';

const url = 'https://mdm.example.com/mdm/enroll';

describe('toAppleProfile', () => {
  it('maps a default user-affinity profile to exactly this JSON', () => {
    const profile = toAppleProfile(settings(), { enrollmentUrl: url, certificatesDerBase64: [] });
    expect(JSON.stringify(profile)).toBe(
      '{"profile_name":"Corporate iPhones","url":"https://mdm.example.com/mdm/enroll","allow_pairing":false,' +
        '"is_supervised":true,"is_mdm_removable":true,"is_mandatory":true,"await_device_configured":true,' +
        '"auto_advance_setup":false,"skip_setup_items":[]}',
    );
  });

  it('maps a locked kiosk profile that allows Apple Configurator by certificate', () => {
    const profile = toAppleProfile(
      kioskSettings({
        name: '  Lobby kiosks ',
        lockedEnrollment: true,
        awaitFinalConfiguration: false,
        syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE,
        appleConfiguratorCertificateIds: ['c1', 'c2'],
        departmentName: ' Facilities ',
        departmentPhone: '+1 555 0100',
        anchorCertificates: ['MIIBanchor', 'MIIBanchor'],
        hiddenSetupPanes: [
          SetupPane.SIRI,
          SetupPane.PASSCODE,
          SetupPane.APPLE_ID,
          SetupPane.EXPRESS_LANGUAGE,
          SetupPane.PREFERRED_LANGUAGE,
          SetupPane.ICLOUD_STORAGE,
          SetupPane.SIRI,
        ],
      }),
      { enrollmentUrl: url, certificatesDerBase64: ['MIIBcert1', 'MIIBcert2', 'MIIBcert1'] },
    );
    expect(profile).toStrictEqual({
      profile_name: 'Lobby kiosks',
      url,
      allow_pairing: true,
      is_supervised: true,
      is_mdm_removable: false,
      is_mandatory: true,
      await_device_configured: false,
      auto_advance_setup: false,
      // iCloudStorage is a macOS pane: an iOS profile leaves it out.
      skip_setup_items: ['AppleID', 'Keyboard', 'Passcode', 'Siri', 'SpokenLanguage'],
      department: 'Facilities',
      support_phone_number: '+1 555 0100',
      supervising_host_certs: ['MIIBcert1', 'MIIBcert2'],
      anchor_certs: ['MIIBanchor'],
    });
  });

  it('allows pairing with every computer without listing certificates', () => {
    const profile = toAppleProfile(settings({ syncWithComputers: SyncWithComputers.ALLOW_ALL }), {
      enrollmentUrl: url,
      certificatesDerBase64: ['MIIBignored'],
    });
    expect(profile.allow_pairing).toBe(true);
    expect(profile).not.toHaveProperty('supervising_host_certs');
  });

  it('denies pairing and sends no certificates with DENY_ALL', () => {
    const profile = toAppleProfile(settings(), { enrollmentUrl: url, certificatesDerBase64: ['MIIBignored'] });
    expect(profile.allow_pairing).toBe(false);
    expect(profile).not.toHaveProperty('supervising_host_certs');
  });

  it('leaves out empty department fields and anchors', () => {
    const profile = toAppleProfile(settings({ departmentName: '  ', departmentPhone: '', anchorCertificates: [] }), { enrollmentUrl: url, certificatesDerBase64: [] });
    expect(profile).not.toHaveProperty('department');
    expect(profile).not.toHaveProperty('support_phone_number');
    expect(profile).not.toHaveProperty('anchor_certs');
  });

  it('maps supervised and locked enrollment to Apple flags', () => {
    expect(toAppleProfile(settings({ supervised: false }), { enrollmentUrl: url, certificatesDerBase64: [] })).toMatchObject({
      is_supervised: false,
      is_mdm_removable: true,
    });
    expect(toAppleProfile(settings({ lockedEnrollment: true }), { enrollmentUrl: url, certificatesDerBase64: [] })).toMatchObject({
      is_supervised: true,
      is_mdm_removable: false,
    });
  });

  it('sends no Apple key for user affinity, authentication or Company Portal', () => {
    const a = toAppleProfile(settings(), { enrollmentUrl: url, certificatesDerBase64: [] });
    const b = toAppleProfile(
      settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false, companyPortalVppTokenId: 'v' }),
      { enrollmentUrl: url, certificatesDerBase64: [] },
    );
    expect(b).toStrictEqual(a);
  });

  it('refuses to allow pairing by certificate without certificates (Apple would allow every host)', () => {
    expect(() =>
      toAppleProfile(settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE, appleConfiguratorCertificateIds: ['c1'] }), {
        enrollmentUrl: url,
        certificatesDerBase64: [],
      }),
    ).toThrow(/at least one Apple Configurator certificate/);
  });

  it('produces profiles the simulator (Apple\'s validation rules) accepts', () => {
    const full = toAppleProfile(
      settings({
        name: 'n'.repeat(125),
        lockedEnrollment: true,
        departmentName: 'd'.repeat(125),
        departmentPhone: 'p'.repeat(50),
        syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE,
        appleConfiguratorCertificateIds: ['c1'],
        hiddenSetupPanes: Object.values(SetupPane),
      }),
      { enrollmentUrl: url, certificatesDerBase64: ['MIIB'] },
    );
    expect(validateProfile(full)).toBeNull();
    // Every iOS pane, and only those.
    expect(full.skip_setup_items).toHaveLength(Object.values(SetupPane).filter((pane) => paneOnPlatform(pane, ProfilePlatform.IOS)).length);
    expect(full.skip_setup_items).not.toContain('FileVault');
  });
});
