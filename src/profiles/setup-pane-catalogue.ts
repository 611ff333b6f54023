/**
 * Apple's skip keys as data: for each Setup Assistant pane, the platforms it exists on and the OS
 * version that introduced, deprecated or removed its key there, and whether Apple can always skip
 * it. Served by the `setupPanes` query and rendered into the README (setupPaneMarkdownTable).
 *
 * Sources, checked per key: apple/device-management `other/skipkeys.yaml` (release branch at iOS
 * 18.1 / macOS 15.1, and `seed_iOS-18.2_macOS-15.2` for WebContentFiltering) read with its
 * inheritance rule (a key that names no version for a platform has the payload's: iOS 7, macOS
 * 10.9, tvOS 10.2; "n/a" = not on that platform), and Apple's SkipKeys documentation for what came
 * later (spec/apple-dep-api.md §8: Multitasking, OSShowcase, UnlockWithWatch, SafetyAndHandling,
 * AccessibilityAppearance, Tips, visionOS, the iOS 27 beta keys, removals and deprecations).
 * AdditionalPrivacySettings is the one key whose Apple page we could not read: other MDM vendors
 * (Jamf Pro's prestage API among them) send it for Macs; its version is left unknown (null).
 */
import type { ProfilePlatform } from './profile-platform';

/** Per platform: the version (`'17.1'`), or null where the version is not known. */
export type PlatformVersions = Partial<Record<ProfilePlatform, string | null>>;

export interface SetupPaneFacts {
  appleKey: string;
  /** The platforms the pane exists on, and the version that introduced its key there. */
  introducedIn: PlatformVersions;
  deprecatedIn?: PlatformVersions;
  /** Apple removed the pane there: newer devices never show it, older ones still honour the key. */
  removedIn?: PlatformVersions;
  /** False when the pane can appear before the device has fetched its profile (Apple's "always-skippable: false"). */
  alwaysSkippable?: boolean;
}

const IOS7_MAC109_TV102: PlatformVersions = { IOS: '7.0', MACOS: '10.9', TVOS: '10.2' };

/** By SetupPane value (setup-pane.ts checks every pane has its facts). */
export const SETUP_PANE_FACTS = {
  PASSCODE: { appleKey: 'Passcode', introducedIn: { IOS: '7.0', MACOS: '10.9' } },
  LOCATION_SERVICES: { appleKey: 'Location', introducedIn: { IOS: '7.0', MACOS: '10.11', TVOS: '10.2' } },
  RESTORE: { appleKey: 'Restore', introducedIn: { IOS: '7.0', MACOS: '10.9' } },
  APPLE_ID: { appleKey: 'AppleID', introducedIn: IOS7_MAC109_TV102 },
  TERMS_AND_CONDITIONS: { appleKey: 'TOS', introducedIn: IOS7_MAC109_TV102 },
  BIOMETRICS: { appleKey: 'Biometric', introducedIn: { IOS: '8.1', MACOS: '10.12.4' } },
  APPLE_PAY: { appleKey: 'Payment', introducedIn: { IOS: '8.1', MACOS: '10.12.4' } },
  ZOOM: { appleKey: 'Zoom', introducedIn: { IOS: '8.3' }, deprecatedIn: { IOS: '17.0' } },
  SIRI: { appleKey: 'Siri', introducedIn: { IOS: '7.0', MACOS: '10.12', TVOS: '10.2' } },
  DIAGNOSTICS: { appleKey: 'Diagnostics', introducedIn: IOS7_MAC109_TV102 },
  DISPLAY_TONE: { appleKey: 'DisplayTone', introducedIn: { IOS: '9.3.2', MACOS: '10.13.6' }, deprecatedIn: { IOS: '15.0', MACOS: '12.0' } },
  PRIVACY: { appleKey: 'Privacy', introducedIn: { IOS: '11.3', MACOS: '10.13.4', TVOS: '11.3' } },
  ANDROID_MIGRATION: { appleKey: 'Android', introducedIn: { IOS: '9.0' } },
  IMESSAGE_AND_FACETIME: { appleKey: 'iMessageAndFaceTime', introducedIn: { IOS: '12.0' } },
  ONBOARDING: { appleKey: 'OnBoarding', introducedIn: { IOS: '11.0' }, deprecatedIn: { IOS: '14.0' } },
  WATCH_MIGRATION: { appleKey: 'WatchMigration', introducedIn: { IOS: '11.0' } },
  SCREEN_TIME: { appleKey: 'ScreenTime', introducedIn: { IOS: '12.0', MACOS: '10.15' } },
  SOFTWARE_UPDATE: { appleKey: 'SoftwareUpdate', introducedIn: { IOS: '12.0', MACOS: '15.4' } },
  SIM_SETUP: { appleKey: 'SIMSetup', introducedIn: { IOS: '12.0' } },
  APPEARANCE: { appleKey: 'Appearance', introducedIn: { IOS: '13.0', MACOS: '10.14' } },
  EXPRESS_LANGUAGE: { appleKey: 'Keyboard', introducedIn: { IOS: '13.0' }, alwaysSkippable: false },
  PREFERRED_LANGUAGE: { appleKey: 'SpokenLanguage', introducedIn: { IOS: '13.0' }, alwaysSkippable: false },
  DEVICE_TO_DEVICE_MIGRATION: { appleKey: 'DeviceToDeviceMigration', introducedIn: { IOS: '12.4' } },
  WELCOME: { appleKey: 'Welcome', introducedIn: { IOS: '13.0', MACOS: '15.0' } },
  RESTORE_COMPLETED: { appleKey: 'RestoreCompleted', introducedIn: { IOS: '14.0' } },
  UPDATE_COMPLETED: { appleKey: 'UpdateCompleted', introducedIn: { IOS: '14.0', MACOS: '26.1' } },
  APP_STORE: { appleKey: 'AppStore', introducedIn: { IOS: '14.3', MACOS: '11.1' } },
  TERMS_OF_ADDRESS: { appleKey: 'TermsOfAddress', introducedIn: { IOS: '16.0', MACOS: '13.0' }, alwaysSkippable: false },
  SAFETY: { appleKey: 'Safety', introducedIn: { IOS: '16.0' } },
  ACTION_BUTTON: { appleKey: 'ActionButton', introducedIn: { IOS: '17.0' } },
  CAMERA_BUTTON: { appleKey: 'CameraButton', introducedIn: { IOS: '18.0' } },
  INTELLIGENCE: { appleKey: 'Intelligence', introducedIn: { IOS: '18.0', MACOS: '15.0', VISIONOS: '26.0' } },
  LOCKDOWN_MODE: { appleKey: 'EnableLockdownMode', introducedIn: { IOS: '17.1', MACOS: '14.0' } },
  WEB_CONTENT_FILTERING: { appleKey: 'WebContentFiltering', introducedIn: { IOS: '18.2' }, removedIn: { IOS: '26.1' } },
  SAFETY_AND_HANDLING: { appleKey: 'SafetyAndHandling', introducedIn: { IOS: '18.4' }, alwaysSkippable: false },
  MULTITASKING: { appleKey: 'Multitasking', introducedIn: { IOS: '26.0' } },
  OS_SHOWCASE: { appleKey: 'OSShowcase', introducedIn: { IOS: '26.0', MACOS: '26.1' }, removedIn: { IOS: '27.0', MACOS: '27.0' } },
  HOME_BUTTON_SENSITIVITY: { appleKey: 'HomeButtonSensitivity', introducedIn: { IOS: '10.0' }, deprecatedIn: { IOS: '15.0' } },
  MESSAGING_ACTIVATION_USING_PHONE_NUMBER: { appleKey: 'MessagingActivationUsingPhoneNumber', introducedIn: { IOS: '10.0' } },
  FILE_VAULT: { appleKey: 'FileVault', introducedIn: { MACOS: '10.10' } },
  ICLOUD_DIAGNOSTICS: { appleKey: 'iCloudDiagnostics', introducedIn: { MACOS: '10.12.4' } },
  ICLOUD_STORAGE: { appleKey: 'iCloudStorage', introducedIn: { MACOS: '10.13.4' } },
  WALLPAPER: { appleKey: 'Wallpaper', introducedIn: { MACOS: '14.1' }, removedIn: { MACOS: '26.0' } },
  ACCESSIBILITY: { appleKey: 'Accessibility', introducedIn: { MACOS: '11.0' }, alwaysSkippable: false },
  UNLOCK_WITH_WATCH: { appleKey: 'UnlockWithWatch', introducedIn: { MACOS: '15.0' } },
  // tvOS.
  SCREEN_SAVER: { appleKey: 'ScreenSaver', introducedIn: { TVOS: '10.2' } },
  TAP_TO_SETUP: { appleKey: 'TapToSetup', introducedIn: { TVOS: '10.2' }, alwaysSkippable: false },
  TV_HOME_SCREEN_SYNC: { appleKey: 'TVHomeScreenSync', introducedIn: { TVOS: '11.0' } },
  TV_PROVIDER_SIGN_IN: { appleKey: 'TVProviderSignIn', introducedIn: { TVOS: '11.0' } },
  TV_ROOM: { appleKey: 'TVRoom', introducedIn: { TVOS: '11.4' } },
  // visionOS.
  TIPS: { appleKey: 'Tips', introducedIn: { VISIONOS: '26.0' } },
  // Newer iOS / macOS.
  ACCESSIBILITY_APPEARANCE: { appleKey: 'AccessibilityAppearance', introducedIn: { IOS: '17.0' }, alwaysSkippable: false },
  ADDITIONAL_PRIVACY_SETTINGS: { appleKey: 'AdditionalPrivacySettings', introducedIn: { MACOS: null } },
  DEVICE_FEATURES_TOUR: { appleKey: 'DeviceFeaturesTour', introducedIn: { IOS: '27.0' } },
  LIQUID_GLASS: { appleKey: 'LiquidGlass', introducedIn: { IOS: '27.0', MACOS: '27.0' } },
} as const satisfies Record<string, SetupPaneFacts>;
