/**
 * A device's `os` and `device_family` as the schema's enums. The database keeps Apple's text as
 * Apple sent it (a sync stores what it reads); only the GraphQL boundary maps it, so a value Apple
 * adds later is UNKNOWN to clients until it gets a name here, and nothing stored is lost.
 */
export enum DeviceOs {
  IOS = 'IOS',
  IPADOS = 'IPADOS',
  OSX = 'OSX',
  TVOS = 'TVOS',
  VISIONOS = 'VISIONOS',
  UNKNOWN = 'UNKNOWN',
}

export enum DeviceFamily {
  IPHONE = 'IPHONE',
  IPAD = 'IPAD',
  IPOD = 'IPOD',
  MAC = 'MAC',
  APPLE_TV = 'APPLE_TV',
  VISION = 'VISION',
  UNKNOWN = 'UNKNOWN',
}

/** Apple's values (device records, "os" and "device_family"), by their enum value. */
export const APPLE_OS: Readonly<Record<Exclude<DeviceOs, DeviceOs.UNKNOWN>, string>> = {
  IOS: 'iOS',
  IPADOS: 'iPadOS',
  OSX: 'OSX',
  TVOS: 'tvOS',
  VISIONOS: 'visionOS',
};

export const APPLE_DEVICE_FAMILY: Readonly<Record<Exclude<DeviceFamily, DeviceFamily.UNKNOWN>, string>> = {
  IPHONE: 'iPhone',
  IPAD: 'iPad',
  IPOD: 'iPod',
  MAC: 'Mac',
  APPLE_TV: 'AppleTV',
  VISION: 'Vision',
};

function reader<E extends string>(apple: Readonly<Record<string, string>>, unknown: E): (value: string | null | undefined) => E | null {
  // Case-insensitive and trimmed: the same value in a casing Apple did not document is still that value.
  // undefined: a list page that did not read the column (device-projection.ts).
  const byText = new Map(Object.entries(apple).map(([name, text]) => [text.toLowerCase(), name as E]));
  return (value) => (value === null || value === undefined || value.trim() === '' ? null : (byText.get(value.trim().toLowerCase()) ?? unknown));
}

/** Null when Apple sent none; UNKNOWN for a value this version has no name for. */
export const deviceOsOf = reader<DeviceOs>(APPLE_OS, DeviceOs.UNKNOWN);
export const deviceFamilyOf = reader<DeviceFamily>(APPLE_DEVICE_FAMILY, DeviceFamily.UNKNOWN);
