import {
  SETUP_PANES,
  SETUP_PANE_APPLE_KEYS,
  SETUP_PANE_DESCRIPTIONS,
  SetupPane,
  appleKeyToSetupPane,
  setupPaneMarkdownTable,
  toAppleSkipSetupItems,
} from '../../../src/profiles/setup-pane';

describe('SetupPane', () => {
  it('has the 23 panes of the product rules, 16 newer iOS panes, 6 macOS-only, 5 tvOS, 1 visionOS and 4 newest panes', () => {
    const rulePanes = [
      'PASSCODE', 'LOCATION_SERVICES', 'RESTORE', 'APPLE_ID', 'TERMS_AND_CONDITIONS', 'BIOMETRICS', 'APPLE_PAY', 'ZOOM', 'SIRI',
      'DIAGNOSTICS', 'DISPLAY_TONE', 'PRIVACY', 'ANDROID_MIGRATION', 'IMESSAGE_AND_FACETIME', 'ONBOARDING', 'WATCH_MIGRATION',
      'SCREEN_TIME', 'SOFTWARE_UPDATE', 'SIM_SETUP', 'APPEARANCE', 'EXPRESS_LANGUAGE', 'PREFERRED_LANGUAGE',
      'DEVICE_TO_DEVICE_MIGRATION',
    ];
    expect(rulePanes).toHaveLength(23);
    expect(SETUP_PANES.slice(0, 23)).toEqual(rulePanes);
    expect(SETUP_PANES).toHaveLength(23 + 16 + 6 + 5 + 1 + 4);
    for (const pane of SETUP_PANES) expect(SetupPane[pane]).toBe(pane);
  });

  it('maps every pane to a non-empty Apple key and description', () => {
    expect(Object.keys(SETUP_PANE_APPLE_KEYS).sort()).toEqual([...SETUP_PANES].sort());
    expect(Object.keys(SETUP_PANE_DESCRIPTIONS).sort()).toEqual([...SETUP_PANES].sort());
    for (const pane of SETUP_PANES) {
      expect(SETUP_PANE_APPLE_KEYS[pane]).toMatch(/^[A-Za-z]+$/);
      expect(SETUP_PANE_DESCRIPTIONS[pane].length).toBeGreaterThan(3);
    }
  });

  it('gives each pane its own Apple key (one-to-one)', () => {
    const keys = SETUP_PANES.map((pane) => SETUP_PANE_APPLE_KEYS[pane]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    [SetupPane.PASSCODE, 'Passcode'],
    [SetupPane.LOCATION_SERVICES, 'Location'],
    [SetupPane.APPLE_ID, 'AppleID'],
    [SetupPane.TERMS_AND_CONDITIONS, 'TOS'],
    [SetupPane.BIOMETRICS, 'Biometric'],
    [SetupPane.APPLE_PAY, 'Payment'],
    [SetupPane.ANDROID_MIGRATION, 'Android'],
    [SetupPane.IMESSAGE_AND_FACETIME, 'iMessageAndFaceTime'],
    [SetupPane.ONBOARDING, 'OnBoarding'],
    [SetupPane.SIM_SETUP, 'SIMSetup'],
    [SetupPane.EXPRESS_LANGUAGE, 'Keyboard'],
    [SetupPane.PREFERRED_LANGUAGE, 'SpokenLanguage'],
    [SetupPane.DEVICE_TO_DEVICE_MIGRATION, 'DeviceToDeviceMigration'],
    [SetupPane.LOCKDOWN_MODE, 'EnableLockdownMode'],
    [SetupPane.OS_SHOWCASE, 'OSShowcase'],
    [SetupPane.MESSAGING_ACTIVATION_USING_PHONE_NUMBER, 'MessagingActivationUsingPhoneNumber'],
    [SetupPane.ICLOUD_DIAGNOSTICS, 'iCloudDiagnostics'],
    [SetupPane.ICLOUD_STORAGE, 'iCloudStorage'],
    [SetupPane.UNLOCK_WITH_WATCH, 'UnlockWithWatch'],
  ])('%s is Apple key %s, and back', (pane, key) => {
    expect(SETUP_PANE_APPLE_KEYS[pane]).toBe(key);
    expect(appleKeyToSetupPane(key)).toBe(pane);
  });

  it('reverse lookup covers every pane and refuses unknown or differently cased keys', () => {
    for (const pane of SETUP_PANES) expect(appleKeyToSetupPane(SETUP_PANE_APPLE_KEYS[pane])).toBe(pane);
    expect(appleKeyToSetupPane('AgeAssurance')).toBeNull();
    expect(appleKeyToSetupPane('passcode')).toBeNull();
    expect(appleKeyToSetupPane('')).toBeNull();
    expect(appleKeyToSetupPane('toString')).toBeNull();
  });

  it('turns hidden panes into sorted, deduplicated skip_setup_items', () => {
    expect(toAppleSkipSetupItems([])).toEqual([]);
    expect(
      toAppleSkipSetupItems([SetupPane.ZOOM, SetupPane.ICLOUD_STORAGE, SetupPane.APPLE_ID, SetupPane.ZOOM, SetupPane.TERMS_AND_CONDITIONS]),
    ).toEqual(['AppleID', 'TOS', 'Zoom', 'iCloudStorage']);
  });

  it('renders a Markdown table with one row per pane', () => {
    const table = setupPaneMarkdownTable();
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('| SetupPane | Apple `skip_setup_items` key | Platforms (from) | Deprecated | Removed | Always skippable | Pane |');
    expect(lines[1]).toBe('|---|---|---|---|---|---|---|');
    expect(lines).toHaveLength(2 + SETUP_PANES.length);
    SETUP_PANES.forEach((pane, i) => {
      const row = lines[i + 2];
      expect(row.startsWith(`| \`${pane}\` | \`${SETUP_PANE_APPLE_KEYS[pane]}\` | `)).toBe(true);
      // Exactly seven cells: no description breaks the table with an unescaped pipe.
      expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
    });
    expect(lines[2 + SETUP_PANES.indexOf(SetupPane.EXPRESS_LANGUAGE)]).toContain('`Keyboard`');
    expect(lines[2 + SETUP_PANES.indexOf(SetupPane.WEB_CONTENT_FILTERING)]).toContain('| iOS 18.2 | – | iOS 26.1 | yes |');
    expect(lines[2 + SETUP_PANES.indexOf(SetupPane.ACCESSIBILITY)]).toContain('| macOS 11.0 | – | – | no |');
  });
});
