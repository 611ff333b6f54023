import { APPLE_DEVICE_FAMILY, APPLE_OS, DeviceFamily, deviceFamilyOf, DeviceOs, deviceOsOf } from '../../../src/devices/device-platform';

describe('Device.os and Device.deviceFamily at the GraphQL boundary', () => {
  it("names each of Apple's values (apple-dep-api §4) and reads them back", () => {
    expect(Object.values(APPLE_OS).sort()).toEqual(['OSX', 'iOS', 'iPadOS', 'tvOS', 'visionOS'].sort());
    expect(Object.values(APPLE_DEVICE_FAMILY).sort()).toEqual(['AppleTV', 'Mac', 'Vision', 'iPad', 'iPhone', 'iPod'].sort());
    for (const [name, text] of Object.entries(APPLE_OS)) expect(deviceOsOf(text)).toBe(name);
    for (const [name, text] of Object.entries(APPLE_DEVICE_FAMILY)) expect(deviceFamilyOf(text)).toBe(name);
  });

  it('is UNKNOWN for a value Apple adds later, null when Apple sent none', () => {
    expect(deviceOsOf('watchOS')).toBe(DeviceOs.UNKNOWN);
    expect(deviceFamilyOf('Watch')).toBe(DeviceFamily.UNKNOWN);
    expect(deviceOsOf(null)).toBeNull();
    expect(deviceFamilyOf('  ')).toBeNull();
  });

  it('takes a casing Apple did not document', () => {
    expect(deviceOsOf('IPADOS')).toBe(DeviceOs.IPADOS);
    expect(deviceFamilyOf(' appletv ')).toBe(DeviceFamily.APPLE_TV);
  });
});
