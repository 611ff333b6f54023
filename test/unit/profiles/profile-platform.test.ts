import { toAppleProfile } from '../../../src/profiles/apple-profile.mapper';
import { platformOfDevice, ProfilePlatform } from '../../../src/profiles/profile-platform';
import { validateProfileSettings } from '../../../src/profiles/profile.rules';
import { AuthenticationMethod, normalizeProfileSettings, UserAffinity } from '../../../src/profiles/profile.settings';
import { ProfileWarningCode, profileWarnings } from '../../../src/profiles/profile.warnings';
import { factsOf, SetupPane } from '../../../src/profiles/setup-pane';
import { context, kioskSettings, settings } from './profile-fixtures';

const codes = (s: ReturnType<typeof settings>) => validateProfileSettings(s, context()).map((v) => [v.code, v.field]);

describe('platformOfDevice', () => {
  it.each([
    ['iOS', 'iPhone', 'IOS'],
    ['iPadOS', 'iPad', 'IOS'],
    ['OSX', 'Mac', 'MACOS'],
    ['tvOS', 'AppleTV', 'TVOS'],
    ['visionOS', 'Vision', 'VISIONOS'],
    [null, 'Mac', 'MACOS'], // os missing: the family decides
    ['watchOS', 'AppleTV', 'TVOS'], // an os this version does not know: the family decides
    [' tvos ', null, 'TVOS'],
    [null, null, null],
    ['watchOS', 'Watch', null],
  ])('%j / %j -> %j', (os, family, platform) => {
    expect(platformOfDevice(os, family)).toBe(platform);
  });
});

describe('settings that do not exist on the platform', () => {
  it('refuses single app mode, Company Portal and Shared iPad on a Mac, each on its field', () => {
    const mac = settings({
      platform: ProfilePlatform.MACOS,
      singleAppModeUntilAuthentication: true,
      multiUser: true,
    });
    expect(codes(mac)).toEqual(
      expect.arrayContaining([
        ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'authenticationMethod'],
        ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'installCompanyPortal'],
        ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'singleAppModeUntilAuthentication'],
        ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'multiUser'],
      ]),
    );
    const [first] = validateProfileSettings(mac, context());
    expect(first.message).toMatch(/does not exist on macOS; it exists on iOS/);
    expect(first.platform).toBe('MACOS');
  });

  it('accepts a Mac with a user who signs in in Setup Assistant, auto-advance and a configuration web URL', () => {
    const mac = settings({
      platform: ProfilePlatform.MACOS,
      authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT,
      installCompanyPortal: false,
      autoAdvanceSetup: true,
      configurationWebUrl: 'https://login.example.com/setup',
    });
    expect(codes(mac)).toEqual([]);
  });

  it('refuses a user on an Apple TV and auto-advance on an iPhone; accepts a kiosk Apple TV with language and region', () => {
    expect(codes(settings({ platform: ProfilePlatform.TVOS }))).toContainEqual(['PROFILE_SETTING_NOT_FOR_PLATFORM', 'userAffinity']);
    expect(codes(kioskSettings({ autoAdvanceSetup: true }))).toEqual([['PROFILE_SETTING_NOT_FOR_PLATFORM', 'autoAdvanceSetup']]);
    expect(codes(kioskSettings({ platform: ProfilePlatform.TVOS, autoAdvanceSetup: true, language: 'de', region: 'DE' }))).toEqual([]);
  });

  it('allows return to service on iOS and visionOS only, backups on iOS only', () => {
    expect(codes(kioskSettings({ returnToService: true, doNotUseProfileFromBackup: true }))).toEqual([]);
    expect(codes(kioskSettings({ platform: ProfilePlatform.VISIONOS, returnToService: true }))).toEqual([]);
    expect(codes(kioskSettings({ platform: ProfilePlatform.VISIONOS, doNotUseProfileFromBackup: true }))).toEqual([
      ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'doNotUseProfileFromBackup'],
    ]);
    expect(codes(kioskSettings({ platform: ProfilePlatform.MACOS, returnToService: true }))).toEqual([
      ['PROFILE_SETTING_NOT_FOR_PLATFORM', 'returnToService'],
    ]);
  });
});

describe("Apple's other profile keys, validated as Apple validates them", () => {
  it.each([
    [{ language: 'English' }, 'PROFILE_LANGUAGE_INVALID', 'language'],
    [{ language: 'EN' }, 'PROFILE_LANGUAGE_INVALID', 'language'],
    [{ region: 'USA' }, 'PROFILE_REGION_INVALID', 'region'],
    [{ supportEmailAddress: 'helpdesk' }, 'SUPPORT_EMAIL_INVALID', 'supportEmailAddress'],
    [{ supportEmailAddress: `${'e'.repeat(239)}@example.com` }, 'SUPPORT_EMAIL_INVALID', 'supportEmailAddress'],
    [{ orgMagic: 'm'.repeat(257) }, 'ORG_MAGIC_TOO_LONG', 'orgMagic'],
    [{ configurationWebUrl: 'javascript:alert(1)' }, 'CONFIGURATION_WEB_URL_INVALID', 'configurationWebUrl'],
    [{ configurationWebUrl: 'https://login.example.com' }, 'CONFIGURATION_WEB_URL_REQUIRES_SETUP_ASSISTANT', 'configurationWebUrl'],
    [{ anchorCertificates: Array.from({ length: 11 }, (_, i) => `MIIB${i}`) }, 'ANCHOR_CERTIFICATES_TOO_MANY', 'anchorCertificates'],
  ])('%j -> %s', (overrides, code, field) => {
    const tv = kioskSettings({ platform: ProfilePlatform.TVOS, ...overrides });
    expect(codes(normalizeProfileSettings(tv))).toContainEqual([code, field]);
  });

  it('accepts the limits exactly and normalises the region to upper case', () => {
    const tv = normalizeProfileSettings(
      kioskSettings({
        platform: ProfilePlatform.TVOS,
        language: 'pt-BR',
        region: 'br',
        supportEmailAddress: `${'e'.repeat(238)}@example.com`,
        orgMagic: 'm'.repeat(256),
      }),
    );
    expect(tv.region).toBe('BR');
    expect(codes(tv)).toEqual([]);
  });
});

describe('the Apple JSON of each platform', () => {
  const options = { enrollmentUrl: 'https://mdm.example.com/enroll', certificatesDerBase64: [] };

  it('sends the new keys only when set, and only where the platform reads them', () => {
    const plain = toAppleProfile(kioskSettings(), options);
    for (const key of ['language', 'region', 'support_email_address', 'org_magic', 'configuration_web_url', 'is_multi_user', 'is_return_to_service', 'do_not_use_profile_from_backup', 'anchor_certs']) {
      expect(plain).not.toHaveProperty(key);
    }
    expect(plain.auto_advance_setup).toBe(false);

    const ipad = toAppleProfile(
      kioskSettings({ multiUser: true, returnToService: true, doNotUseProfileFromBackup: true, language: 'fr', region: 'FR', orgMagic: 'site-7', supportEmailAddress: 'it@example.com' }),
      options,
    );
    expect(ipad).toMatchObject({ is_multi_user: true, is_return_to_service: true, do_not_use_profile_from_backup: true, language: 'fr', region: 'FR', org_magic: 'site-7', support_email_address: 'it@example.com' });

    const tv = toAppleProfile(kioskSettings({ platform: ProfilePlatform.TVOS, autoAdvanceSetup: true, language: 'de', anchorCertificates: ['QUJD'] }), options);
    expect(tv).toMatchObject({ auto_advance_setup: true, language: 'de', anchor_certs: ['QUJD'] });

    const mac = toAppleProfile(
      settings({
        platform: ProfilePlatform.MACOS,
        userAffinity: UserAffinity.WITH_USER,
        authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT,
        installCompanyPortal: false,
        configurationWebUrl: 'https://login.example.com/setup',
      }),
      options,
    );
    expect(mac).toMatchObject({ configuration_web_url: 'https://login.example.com/setup', auto_advance_setup: false });
  });
});

describe('OS versions', () => {
  it('warns "ignored before iOS 26" for return to service and backups, and before iOS 27 for the language; not on tvOS', () => {
    const warned = profileWarnings(kioskSettings({ returnToService: true, doNotUseProfileFromBackup: true, language: 'fr' }))
      .filter((w) => w.code === ProfileWarningCode.SETTING_NEEDS_NEWER_OS)
      .map((w) => [w.field, w.message]);
    expect(warned).toEqual([
      ['language', expect.stringContaining('language is ignored before iOS 27')],
      ['returnToService', 'returnToService is ignored before iOS 26: on older devices the key is ignored.'],
      ['doNotUseProfileFromBackup', expect.stringContaining('doNotUseProfileFromBackup is ignored before iOS 26')],
    ]);
    const tv = profileWarnings(kioskSettings({ platform: ProfilePlatform.TVOS, language: 'fr', autoAdvanceSetup: true }));
    expect(tv.filter((w) => w.code === ProfileWarningCode.SETTING_NEEDS_NEWER_OS)).toEqual([]);
  });
});

describe('the skip-key catalogue on save', () => {
  const paneWarnings = (s: ReturnType<typeof settings>) =>
    profileWarnings(s)
      .filter((w) => w.code.startsWith('PANE_'))
      .map((w) => [w.code, w.message]);

  it('warns about panes not on the platform, removed, deprecated and not always skippable, and sends only the platform’s panes', () => {
    const mac = kioskSettings({
      platform: ProfilePlatform.MACOS,
      hiddenSetupPanes: [SetupPane.SIM_SETUP, SetupPane.WALLPAPER, SetupPane.DISPLAY_TONE, SetupPane.ACCESSIBILITY, SetupPane.FILE_VAULT],
    });
    expect(paneWarnings(mac)).toEqual([
      ['PANE_NOT_ON_PLATFORM', 'macOS has no SIMSetup pane: it is not sent to Apple with this profile.'],
      ['PANE_REMOVED', 'Apple removed Wallpaper in macOS 26.0: newer devices never show it; older devices still skip it.'],
      ['PANE_DEPRECATED', 'Apple deprecated DisplayTone in macOS 12.0: newer devices may ignore the key.'],
      ['PANE_NOT_ALWAYS_SKIPPABLE', 'Accessibility can appear before the device has downloaded its profile, so Apple cannot always skip it.'],
    ]);
    expect(toAppleProfile(mac, { enrollmentUrl: 'https://mdm.example.com/enroll', certificatesDerBase64: [] }).skip_setup_items).toEqual([
      'Accessibility',
      'DisplayTone',
      'FileVault',
      'Wallpaper',
    ]);
  });

  it('sends tvOS panes for an Apple TV and nothing of iOS; a Vision Pro gets Tips and Intelligence', () => {
    const options = { enrollmentUrl: 'https://mdm.example.com/enroll', certificatesDerBase64: [] };
    const all = Object.values(SetupPane);
    expect(toAppleProfile(kioskSettings({ platform: ProfilePlatform.TVOS, hiddenSetupPanes: all }), options).skip_setup_items).toEqual([
      'AppleID', 'Diagnostics', 'Location', 'Privacy', 'ScreenSaver', 'Siri', 'TOS', 'TVHomeScreenSync', 'TVProviderSignIn', 'TVRoom', 'TapToSetup',
    ]);
    expect(toAppleProfile(kioskSettings({ platform: ProfilePlatform.VISIONOS, hiddenSetupPanes: all }), options).skip_setup_items).toEqual([
      'Intelligence',
      'Tips',
    ]);
  });

  it('has facts for every pane: known platforms, versions in x.y form, removed only after introduced', () => {
    for (const pane of Object.values(SetupPane)) {
      const facts = factsOf(pane);
      expect(Object.keys(facts.introducedIn).length).toBeGreaterThan(0);
      for (const [platform, version] of Object.entries(facts.introducedIn)) {
        expect(Object.values(ProfilePlatform)).toContain(platform);
        if (version !== null) expect(version).toMatch(/^\d+\.\d+(\.\d+)?$/);
        const removed = facts.removedIn?.[platform as ProfilePlatform];
        if (removed && version) expect(Number.parseFloat(removed)).toBeGreaterThan(Number.parseFloat(version));
      }
    }
  });
});
