/**
 * The platform an enrollment profile is for, and which platform a device of Apple's records is.
 *
 * Apple's DEP profiles have no platform field: one profile JSON serves any device it is assigned
 * to, and each OS ignores the keys it does not know. Admins think per platform (Intune keeps one
 * profile type and one default per platform per token), and several settings only exist on one
 * platform, so a profile states its platform, the rules refuse settings that do not apply to it,
 * and each token has one default profile per platform.
 */
import { registerEnumType } from 'type-graphql';
import { DeviceFamily, DeviceOs, deviceFamilyOf, deviceOsOf } from '../devices/device-platform';
import type { DepTokenEntity } from '../tokens/token.entity';

export enum ProfilePlatform {
  IOS = 'IOS',
  MACOS = 'MACOS',
  TVOS = 'TVOS',
  VISIONOS = 'VISIONOS',
}

registerEnumType(ProfilePlatform, {
  name: 'ProfilePlatform',
  description: 'The platform an enrollment profile is for',
  valuesConfig: {
    IOS: { description: 'iPhone, iPad and iPod touch (iOS and iPadOS).' },
    MACOS: { description: 'Mac (macOS).' },
    TVOS: { description: 'Apple TV (tvOS).' },
    VISIONOS: { description: 'Apple Vision Pro (visionOS).' },
  },
});

export const PROFILE_PLATFORMS: readonly ProfilePlatform[] = Object.values(ProfilePlatform);

/** What platforms are called in messages. */
export const PLATFORM_LABELS: Readonly<Record<ProfilePlatform, string>> = {
  IOS: 'iOS',
  MACOS: 'macOS',
  TVOS: 'tvOS',
  VISIONOS: 'visionOS',
};

const BY_OS: Readonly<Partial<Record<DeviceOs, ProfilePlatform>>> = {
  [DeviceOs.IOS]: ProfilePlatform.IOS,
  [DeviceOs.IPADOS]: ProfilePlatform.IOS,
  [DeviceOs.OSX]: ProfilePlatform.MACOS,
  [DeviceOs.TVOS]: ProfilePlatform.TVOS,
  [DeviceOs.VISIONOS]: ProfilePlatform.VISIONOS,
};

const BY_FAMILY: Readonly<Partial<Record<DeviceFamily, ProfilePlatform>>> = {
  [DeviceFamily.IPHONE]: ProfilePlatform.IOS,
  [DeviceFamily.IPAD]: ProfilePlatform.IOS,
  [DeviceFamily.IPOD]: ProfilePlatform.IOS,
  [DeviceFamily.MAC]: ProfilePlatform.MACOS,
  [DeviceFamily.APPLE_TV]: ProfilePlatform.TVOS,
  [DeviceFamily.VISION]: ProfilePlatform.VISIONOS,
};

/** The platform of a device family as depgate names it (null: UNKNOWN). */
export function platformOfFamily(family: DeviceFamily): ProfilePlatform | null {
  return BY_FAMILY[family] ?? null;
}

/**
 * The platform of a device from Apple's `os` and `device_family` (as stored): `os` first, because
 * it is what decides which Setup Assistant runs; `device_family` when `os` is missing or a value
 * this version does not know. Null when neither says: such a device gets no default profile.
 */
export function platformOfDevice(os: string | null, deviceFamily: string | null): ProfilePlatform | null {
  const byOs = BY_OS[deviceOsOf(os) ?? DeviceOs.UNKNOWN];
  if (byOs) return byOs;
  return BY_FAMILY[deviceFamilyOf(deviceFamily) ?? DeviceFamily.UNKNOWN] ?? null;
}

/**
 * The DepTokenEntity property of each platform's default profile. The iOS one is the column that
 * held the single default before platforms existed (`default_profile_id`), so old rows are iOS
 * defaults as they stand.
 */
export const DEFAULT_PROFILE_PROPERTIES = {
  IOS: 'defaultProfileId',
  MACOS: 'defaultMacosProfileId',
  TVOS: 'defaultTvosProfileId',
  VISIONOS: 'defaultVisionosProfileId',
} as const satisfies Record<ProfilePlatform, keyof DepTokenEntity>;

type DefaultProfileColumns = Pick<DepTokenEntity, (typeof DEFAULT_PROFILE_PROPERTIES)[ProfilePlatform]>;

/** A token's default profile ids, by platform (absent = no default). */
export type DefaultProfileIds = Partial<Record<ProfilePlatform, string>>;

/** `select` for reading only a token's id and its default profiles. */
export const DEFAULT_PROFILES_SELECT = {
  id: true,
  ...Object.fromEntries(Object.values(DEFAULT_PROFILE_PROPERTIES).map((property) => [property, true])),
} as Record<'id' | keyof DefaultProfileColumns, true>;

/** A token's default profile ids, by platform. */
export function defaultProfileIdsOf(token: DefaultProfileColumns): DefaultProfileIds {
  const out: DefaultProfileIds = {};
  for (const platform of PROFILE_PLATFORMS) {
    const id = token[DEFAULT_PROFILE_PROPERTIES[platform]];
    if (id !== null) out[platform] = id;
  }
  return out;
}

/** The platforms for which a token has a default profile. */
export function platformsWithDefault(token: DefaultProfileColumns): ProfilePlatform[] {
  return PROFILE_PLATFORMS.filter((platform) => token[DEFAULT_PROFILE_PROPERTIES[platform]] !== null);
}
