/**
 * Setup Assistant panes an enrollment profile can hide, and the one table that maps each to the key
 * Apple expects in the profile's `skip_setup_items` (spec/apple-dep-api.md §3).
 *
 * The enum holds the 23 panes the product rules list, then Apple's newer iOS/iPadOS keys, then the
 * macOS-only ones. Values equal their names so they are stable in the database and in GraphQL.
 */
import { registerEnumType } from 'type-graphql';

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
export const SETUP_PANE_APPLE_KEYS: Record<SetupPane, string> = {
  [SetupPane.PASSCODE]: 'Passcode',
  [SetupPane.LOCATION_SERVICES]: 'Location',
  [SetupPane.RESTORE]: 'Restore',
  [SetupPane.APPLE_ID]: 'AppleID',
  [SetupPane.TERMS_AND_CONDITIONS]: 'TOS',
  [SetupPane.BIOMETRICS]: 'Biometric',
  [SetupPane.APPLE_PAY]: 'Payment',
  [SetupPane.ZOOM]: 'Zoom',
  [SetupPane.SIRI]: 'Siri',
  [SetupPane.DIAGNOSTICS]: 'Diagnostics',
  [SetupPane.DISPLAY_TONE]: 'DisplayTone',
  [SetupPane.PRIVACY]: 'Privacy',
  [SetupPane.ANDROID_MIGRATION]: 'Android',
  [SetupPane.IMESSAGE_AND_FACETIME]: 'iMessageAndFaceTime',
  [SetupPane.ONBOARDING]: 'OnBoarding',
  [SetupPane.WATCH_MIGRATION]: 'WatchMigration',
  [SetupPane.SCREEN_TIME]: 'ScreenTime',
  [SetupPane.SOFTWARE_UPDATE]: 'SoftwareUpdate',
  [SetupPane.SIM_SETUP]: 'SIMSetup',
  [SetupPane.APPEARANCE]: 'Appearance',
  [SetupPane.EXPRESS_LANGUAGE]: 'Keyboard',
  [SetupPane.PREFERRED_LANGUAGE]: 'SpokenLanguage',
  [SetupPane.DEVICE_TO_DEVICE_MIGRATION]: 'DeviceToDeviceMigration',
  [SetupPane.WELCOME]: 'Welcome',
  [SetupPane.RESTORE_COMPLETED]: 'RestoreCompleted',
  [SetupPane.UPDATE_COMPLETED]: 'UpdateCompleted',
  [SetupPane.APP_STORE]: 'AppStore',
  [SetupPane.TERMS_OF_ADDRESS]: 'TermsOfAddress',
  [SetupPane.SAFETY]: 'Safety',
  [SetupPane.ACTION_BUTTON]: 'ActionButton',
  [SetupPane.CAMERA_BUTTON]: 'CameraButton',
  [SetupPane.INTELLIGENCE]: 'Intelligence',
  [SetupPane.LOCKDOWN_MODE]: 'EnableLockdownMode',
  [SetupPane.WEB_CONTENT_FILTERING]: 'WebContentFiltering',
  [SetupPane.SAFETY_AND_HANDLING]: 'SafetyAndHandling',
  [SetupPane.MULTITASKING]: 'Multitasking',
  [SetupPane.OS_SHOWCASE]: 'OSShowcase',
  [SetupPane.HOME_BUTTON_SENSITIVITY]: 'HomeButtonSensitivity',
  [SetupPane.MESSAGING_ACTIVATION_USING_PHONE_NUMBER]: 'MessagingActivationUsingPhoneNumber',
  [SetupPane.FILE_VAULT]: 'FileVault',
  [SetupPane.ICLOUD_DIAGNOSTICS]: 'iCloudDiagnostics',
  [SetupPane.ICLOUD_STORAGE]: 'iCloudStorage',
  [SetupPane.WALLPAPER]: 'Wallpaper',
  [SetupPane.ACCESSIBILITY]: 'Accessibility',
  [SetupPane.UNLOCK_WITH_WATCH]: 'UnlockWithWatch',
};

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
 * order (not locale order) so the JSON sent to Apple is the same on every machine.
 */
export function toAppleSkipSetupItems(panes: readonly SetupPane[]): string[] {
  const keys = new Set(panes.map((pane) => SETUP_PANE_APPLE_KEYS[pane]));
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pane table as GitHub Markdown, for the README. */
export function setupPaneMarkdownTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = SETUP_PANES.map(
    (pane) => `| \`${pane}\` | \`${SETUP_PANE_APPLE_KEYS[pane]}\` | ${cell(SETUP_PANE_DESCRIPTIONS[pane])} |`,
  );
  return ['| SetupPane | Apple `skip_setup_items` key | Pane |', '|---|---|---|', ...rows].join('\n') + '\n';
}
