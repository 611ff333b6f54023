/**
 * Setup Assistant panes an enrollment profile can hide, and the one table that maps each to the key
 * Apple expects in the profile's `skip_setup_items` (spec/apple-dep-api.md §3).
 *
 * The enum holds the 23 panes the product rules list, then Apple's newer iOS/iPadOS keys, then the
 * macOS-only ones, then tvOS, visionOS and the newest keys. Values equal their names so they are
 * stable in the database and in GraphQL. Which platforms and versions each pane exists on is data
 * in setup-pane-catalogue.ts.
 */
import { registerEnumType } from 'type-graphql';
import { PLATFORM_LABELS, PROFILE_PLATFORMS, type ProfilePlatform } from './profile-platform';
import { SETUP_PANE_FACTS, type PlatformVersions, type SetupPaneFacts } from './setup-pane-catalogue';

export enum SetupPane {
  // The panes the product rules list.
  PASSCODE = 'PASSCODE',
  LOCATION_SERVICES = 'LOCATION_SERVICES',
  RESTORE = 'RESTORE',
  APPLE_ID = 'APPLE_ID',
  TERMS_AND_CONDITIONS = 'TERMS_AND_CONDITIONS',
  BIOMETRICS = 'BIOMETRICS',
  APPLE_PAY = 'APPLE_PAY',
  ZOOM = 'ZOOM',
  SIRI = 'SIRI',
  DIAGNOSTICS = 'DIAGNOSTICS',
  DISPLAY_TONE = 'DISPLAY_TONE',
  PRIVACY = 'PRIVACY',
  ANDROID_MIGRATION = 'ANDROID_MIGRATION',
  IMESSAGE_AND_FACETIME = 'IMESSAGE_AND_FACETIME',
  ONBOARDING = 'ONBOARDING',
  WATCH_MIGRATION = 'WATCH_MIGRATION',
  SCREEN_TIME = 'SCREEN_TIME',
  SOFTWARE_UPDATE = 'SOFTWARE_UPDATE',
  SIM_SETUP = 'SIM_SETUP',
  APPEARANCE = 'APPEARANCE',
  EXPRESS_LANGUAGE = 'EXPRESS_LANGUAGE',
  PREFERRED_LANGUAGE = 'PREFERRED_LANGUAGE',
  DEVICE_TO_DEVICE_MIGRATION = 'DEVICE_TO_DEVICE_MIGRATION',
  // Apple's newer iOS / iPadOS keys.
  WELCOME = 'WELCOME',
  RESTORE_COMPLETED = 'RESTORE_COMPLETED',
  UPDATE_COMPLETED = 'UPDATE_COMPLETED',
  APP_STORE = 'APP_STORE',
  TERMS_OF_ADDRESS = 'TERMS_OF_ADDRESS',
  SAFETY = 'SAFETY',
  ACTION_BUTTON = 'ACTION_BUTTON',
  CAMERA_BUTTON = 'CAMERA_BUTTON',
  INTELLIGENCE = 'INTELLIGENCE',
  LOCKDOWN_MODE = 'LOCKDOWN_MODE',
  WEB_CONTENT_FILTERING = 'WEB_CONTENT_FILTERING',
  SAFETY_AND_HANDLING = 'SAFETY_AND_HANDLING',
  MULTITASKING = 'MULTITASKING',
  OS_SHOWCASE = 'OS_SHOWCASE',
  HOME_BUTTON_SENSITIVITY = 'HOME_BUTTON_SENSITIVITY',
  MESSAGING_ACTIVATION_USING_PHONE_NUMBER = 'MESSAGING_ACTIVATION_USING_PHONE_NUMBER',
  // macOS only.
  FILE_VAULT = 'FILE_VAULT',
  ICLOUD_DIAGNOSTICS = 'ICLOUD_DIAGNOSTICS',
  ICLOUD_STORAGE = 'ICLOUD_STORAGE',
  WALLPAPER = 'WALLPAPER',
  ACCESSIBILITY = 'ACCESSIBILITY',
  UNLOCK_WITH_WATCH = 'UNLOCK_WITH_WATCH',
  // tvOS only.
  SCREEN_SAVER = 'SCREEN_SAVER',
  TAP_TO_SETUP = 'TAP_TO_SETUP',
  TV_HOME_SCREEN_SYNC = 'TV_HOME_SCREEN_SYNC',
  TV_PROVIDER_SIGN_IN = 'TV_PROVIDER_SIGN_IN',
  TV_ROOM = 'TV_ROOM',
  // visionOS only.
  TIPS = 'TIPS',
  // The newest keys.
  ACCESSIBILITY_APPEARANCE = 'ACCESSIBILITY_APPEARANCE',
  ADDITIONAL_PRIVACY_SETTINGS = 'ADDITIONAL_PRIVACY_SETTINGS',
  DEVICE_FEATURES_TOUR = 'DEVICE_FEATURES_TOUR',
  LIQUID_GLASS = 'LIQUID_GLASS',
}

/** Every pane in declaration order (the order GraphQL, the README table and normalisation use). */
export const SETUP_PANES: readonly SetupPane[] = Object.values(SetupPane);

/**
 * Pane -> Apple `skip_setup_items` key. Keys are case-sensitive at Apple; each pane has its own key,
 * so the mapping is one-to-one (a test checks it).
 *
 * Express language and Preferred language are Intune's labels with no Apple key of that name. Since
 * iOS 13 the language step is followed by two panes Apple can skip: the keyboard choice (`Keyboard`,
 * the "express" defaults for the chosen language) and the dictation/spoken-language choice
 * (`SpokenLanguage`). We map EXPRESS_LANGUAGE -> `Keyboard` and PREFERRED_LANGUAGE ->
 * `SpokenLanguage`, as the spec suggests, rather than inventing keys Apple would ignore. Both panes
 * can appear before the device has downloaded its profile, so Apple does not always skip them.
 */
export const SETUP_PANE_APPLE_KEYS: Record<SetupPane, string> = Object.fromEntries(
  SETUP_PANES.map((pane) => [pane, factsOf(pane).appleKey]),
) as Record<SetupPane, string>;

/** The catalogue's facts about a pane (platforms, versions, skippability). */
export function factsOf(pane: SetupPane): SetupPaneFacts {
  return SETUP_PANE_FACTS[pane];
}

/** Whether the pane exists on the platform (the catalogue names the platform at all). */
export function paneOnPlatform(pane: SetupPane, platform: ProfilePlatform): boolean {
  return platform in factsOf(pane).introducedIn;
}

/** The platforms a pane exists on, in ProfilePlatform order. */
export function panePlatforms(pane: SetupPane): ProfilePlatform[] {
  return PROFILE_PLATFORMS.filter((platform) => paneOnPlatform(pane, platform));
}

/**
 * What each pane is, for admins (GraphQL enum value descriptions and the README table). Platform and
 * version notes say where Apple honours the key; older devices simply show the pane.
 */
export const SETUP_PANE_DESCRIPTIONS: Record<SetupPane, string> = {
  [SetupPane.PASSCODE]:
    'Passcode creation. Keep it shown unless access to the device is controlled another way (kiosk): hidden, the device starts without a passcode.',
  [SetupPane.LOCATION_SERVICES]: 'Location Services.',
  [SetupPane.RESTORE]: 'Apps & Data: restoring from an iCloud or computer backup.',
  [SetupPane.APPLE_ID]: 'iCloud and Apple Account sign-in.',
  [SetupPane.TERMS_AND_CONDITIONS]: "Apple's terms and conditions.",
  [SetupPane.BIOMETRICS]: 'Biometrics: Touch ID / Face ID enrollment.',
  [SetupPane.APPLE_PAY]: 'Apple Pay.',
  [SetupPane.ZOOM]: 'Display zoom (iOS; Apple deprecated the key in iOS 17).',
  [SetupPane.SIRI]: 'Siri.',
  [SetupPane.DIAGNOSTICS]: 'Diagnostics data: App Analytics, sharing diagnostics with Apple.',
  [SetupPane.DISPLAY_TONE]: 'Display tone (True Tone); deprecated by Apple in iOS 15 and macOS 12.',
  [SetupPane.PRIVACY]: 'Data & Privacy.',
  [SetupPane.ANDROID_MIGRATION]: 'Move from Android (an option of the Restore pane; iOS).',
  [SetupPane.IMESSAGE_AND_FACETIME]: 'iMessage and FaceTime (iOS 12 and later).',
  [SetupPane.ONBOARDING]: 'Onboarding screens such as Go Home and Cover Sheet (iOS 11 to 13; deprecated in iOS 14).',
  [SetupPane.WATCH_MIGRATION]: 'Apple Watch migration (iOS 11 and later).',
  [SetupPane.SCREEN_TIME]: 'Screen Time (iOS 12 and later, macOS 10.15 and later).',
  [SetupPane.SOFTWARE_UPDATE]: 'Software update: the mandatory update screen (iOS 12 and later, macOS 15.4 and later).',
  [SetupPane.SIM_SETUP]: 'SIM setup: adding a cellular plan / eSIM (iOS 12 and later).',
  [SetupPane.APPEARANCE]: 'Appearance: light or dark mode (iOS 13 and later, macOS 10.14 and later).',
  [SetupPane.EXPRESS_LANGUAGE]:
    "Express language: the keyboard defaults for the chosen language (Apple's `Keyboard` key, iOS 13 and later; not always skippable).",
  [SetupPane.PREFERRED_LANGUAGE]:
    "Preferred language: the dictation / spoken language (Apple's `SpokenLanguage` key, iOS 13 and later; not always skippable).",
  [SetupPane.DEVICE_TO_DEVICE_MIGRATION]: 'Device-to-device migration (Quick Start transfer from another device; iOS 13 and later).',
  [SetupPane.WELCOME]: 'Get Started / welcome (iOS 13 and later, macOS 15 and later).',
  [SetupPane.RESTORE_COMPLETED]: 'Restore completed (iOS 14 and later).',
  [SetupPane.UPDATE_COMPLETED]: 'Software update completed (iOS 14 and later).',
  [SetupPane.APP_STORE]: 'App Store information (iOS 14.3 and later, macOS 11.1 and later).',
  [SetupPane.TERMS_OF_ADDRESS]: 'Terms of address (iOS 16 and later, macOS 13 and later; not always skippable).',
  [SetupPane.SAFETY]: 'Safety (iOS 16 and later).',
  [SetupPane.ACTION_BUTTON]: 'Action button (iOS 17 and later).',
  [SetupPane.CAMERA_BUTTON]: 'Camera Control (iOS 18 and later).',
  [SetupPane.INTELLIGENCE]: 'Apple Intelligence (iOS 18 and later, macOS 15 and later).',
  [SetupPane.LOCKDOWN_MODE]: 'Lockdown Mode, shown when an Apple Account is set up (iOS 17.1 and later, macOS 14 and later).',
  [SetupPane.WEB_CONTENT_FILTERING]: 'Web content filtering (iOS 18.2 and later).',
  [SetupPane.SAFETY_AND_HANDLING]: 'Safety and handling (iOS 18.4 and later).',
  [SetupPane.MULTITASKING]: 'Multitasking (iPadOS 26 and later).',
  [SetupPane.OS_SHOWCASE]: 'OS showcase (iOS 26 and later).',
  [SetupPane.HOME_BUTTON_SENSITIVITY]: 'Home button sensitivity (iPhone 7, 8 and SE; deprecated in iOS 15).',
  [SetupPane.MESSAGING_ACTIVATION_USING_PHONE_NUMBER]: 'iMessage activation using the phone number (iOS 10 and later).',
  [SetupPane.FILE_VAULT]: 'FileVault disk encryption (macOS only).',
  [SetupPane.ICLOUD_DIAGNOSTICS]: 'iCloud Analytics (macOS only).',
  [SetupPane.ICLOUD_STORAGE]: 'iCloud Documents and Desktop (macOS only).',
  [SetupPane.WALLPAPER]: 'Wallpaper (macOS 14.1 to 15 only).',
  [SetupPane.ACCESSIBILITY]: 'Accessibility (macOS only).',
  [SetupPane.UNLOCK_WITH_WATCH]: 'Unlock with Apple Watch (macOS 15 and later only).',
  [SetupPane.SCREEN_SAVER]: 'Aerial screen savers (tvOS).',
  [SetupPane.TAP_TO_SETUP]: 'Tap to Set Up: setting up the Apple TV with an iPhone or iPad (tvOS; not always skippable).',
  [SetupPane.TV_HOME_SCREEN_SYNC]: 'Home screen layout sync (tvOS 11 and later).',
  [SetupPane.TV_PROVIDER_SIGN_IN]: 'TV provider sign-in (tvOS 11 and later).',
  [SetupPane.TV_ROOM]: '"Where is this Apple TV?" room choice (tvOS 11.4 and later).',
  [SetupPane.TIPS]: 'Tips (visionOS 26 and later).',
  [SetupPane.ACCESSIBILITY_APPEARANCE]: 'Accessibility appearance options (iOS 17 and later; not always skippable).',
  [SetupPane.ADDITIONAL_PRIVACY_SETTINGS]: 'Additional privacy settings (macOS; version not confirmed in Apple\'s documentation).',
  [SetupPane.DEVICE_FEATURES_TOUR]: 'Device features tour (iOS 27 and later, from Apple\'s beta documentation).',
  [SetupPane.LIQUID_GLASS]: 'Liquid Glass appearance (iOS and macOS 27 and later, from Apple\'s beta documentation).',
};

registerEnumType(SetupPane, {
  name: 'SetupPane',
  description:
    'A Setup Assistant pane an enrollment profile can hide. Hidden panes are skipped during setup; the user can still set the feature up later in Settings.',
  valuesConfig: Object.fromEntries(
    SETUP_PANES.map((pane) => [pane, { description: `${SETUP_PANE_DESCRIPTIONS[pane]} Apple key: ${SETUP_PANE_APPLE_KEYS[pane]}.` }]),
  ),
});

const PANE_BY_APPLE_KEY: ReadonlyMap<string, SetupPane> = new Map(
  SETUP_PANES.map((pane) => [SETUP_PANE_APPLE_KEYS[pane], pane]),
);

/**
 * The pane for an Apple `skip_setup_items` key (e.g. read back from `GET /profile`), or null for a
 * key this service does not model. Exact match: Apple's keys are case-sensitive.
 */
export function appleKeyToSetupPane(appleKey: string): SetupPane | null {
  return PANE_BY_APPLE_KEY.get(appleKey) ?? null;
}

/**
 * Apple's `skip_setup_items` for a set of hidden panes: deduplicated and sorted by plain code-unit
 * order (not locale order) so the JSON sent to Apple is the same on every machine. With a platform,
 * panes that do not exist on it are left out (a Mac profile never sends `SIMSetup`); removed panes
 * stay, because devices older than the removal still show them.
 */
export function toAppleSkipSetupItems(panes: readonly SetupPane[], platform?: ProfilePlatform): string[] {
  const keys = new Set(panes.filter((pane) => !platform || paneOnPlatform(pane, platform)).map((pane) => SETUP_PANE_APPLE_KEYS[pane]));
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pane table as GitHub Markdown, for the README. */
export function setupPaneMarkdownTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = SETUP_PANES.map((pane) => {
    const facts = factsOf(pane);
    return `| \`${pane}\` | \`${facts.appleKey}\` | ${versionsText(facts.introducedIn)} | ${versionsText(facts.deprecatedIn) || '–'} | ${
      versionsText(facts.removedIn) || '–'
    } | ${facts.alwaysSkippable === false ? 'no' : 'yes'} | ${cell(SETUP_PANE_DESCRIPTIONS[pane])} |`;
  });
  return (
    [
      '| SetupPane | Apple `skip_setup_items` key | Platforms (from) | Deprecated | Removed | Always skippable | Pane |',
      '|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n'
  );
}

/** The platforms a catalogue entry names, in ProfilePlatform order, each with its version (null: unknown). */
export function platformVersionList(versions: PlatformVersions | undefined): { platform: ProfilePlatform; version: string | null }[] {
  if (!versions) return [];
  return PROFILE_PLATFORMS.filter((platform) => platform in versions).map((platform) => ({ platform, version: versions[platform] ?? null }));
}

/** `iOS 17.1, macOS 14.0` (a platform whose version is unknown: its name alone). */
export function versionsText(versions: PlatformVersions | undefined): string {
  return platformVersionList(versions)
    .map(({ platform, version }) => (version ? `${PLATFORM_LABELS[platform]} ${version}` : PLATFORM_LABELS[platform]))
    .join(', ');
}
