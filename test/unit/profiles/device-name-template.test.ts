import {
  DEVICE_NAME_MAX_LENGTH,
  EXAMPLE_DEVICE,
  checkDeviceNameTemplate,
  deviceTypeName,
  exampleDeviceName,
  expandDeviceNameTemplate,
  worstCaseDeviceNameLength,
} from '../../../src/profiles/device-name-template';
import { ProfileRuleError } from '../../../src/profiles/profile.errors';

describe('expandDeviceNameTemplate', () => {
  it('replaces {{SERIAL}} and {{DEVICETYPE}}, every occurrence', () => {
    const device = { serialNumber: 'F4GXQ9ABCD', deviceFamily: 'iPad' };
    expect(expandDeviceNameTemplate('Acme-{{DEVICETYPE}}-{{SERIAL}}', device)).toBe('Acme-iPad-F4GXQ9ABCD');
    expect(expandDeviceNameTemplate('{{SERIAL}}_{{SERIAL}}', device)).toBe('F4GXQ9ABCD_F4GXQ9ABCD');
    expect(expandDeviceNameTemplate('Front desk', device)).toBe('Front desk');
  });

  it('upper-cases and trims the serial, and trims the result', () => {
    expect(expandDeviceNameTemplate(' {{SERIAL}} ', { serialNumber: ' c02xk1abjg5h ' })).toBe('C02XK1ABJG5H');
  });

  it.each([
    ['iPhone', 'iPhone'],
    ['Mac', 'Mac'],
    ['AppleTV', 'AppleTV'],
    ['Vision', 'Vision'],
    ['HomePod', 'Device'],
    [null, 'Device'],
    [undefined, 'Device'],
    ['toString', 'Device'],
  ])('expands {{DEVICETYPE}} for family %p to %p', (family, expected) => {
    expect(deviceTypeName(family)).toBe(expected);
    expect(expandDeviceNameTemplate('{{DEVICETYPE}}', { serialNumber: 'X', deviceFamily: family })).toBe(expected);
  });

  it('refuses a template the rules refuse, with the typed error', () => {
    let caught: unknown;
    try {
      expandDeviceNameTemplate('{{NAME}}', { serialNumber: 'X' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProfileRuleError);
    expect(caught).toMatchObject({ code: 'DEVICE_NAME_TEMPLATE_INVALID', extensions: { field: 'deviceNameTemplate', reason: 'UNKNOWN_PLACEHOLDER' } });
  });

  it('never returns more than 63 characters, even for a serial longer than Apple issues', () => {
    const template = `${'a'.repeat(51)}{{SERIAL}}`;
    expect(checkDeviceNameTemplate(template)).toBeNull();
    const name = expandDeviceNameTemplate(template, { serialNumber: 'S'.repeat(20) });
    expect(name).toHaveLength(DEVICE_NAME_MAX_LENGTH);
    expect(name).toBe(`${'a'.repeat(51)}${'S'.repeat(12)}`);
  });

  it('does not cut a surrogate pair in half when truncating', () => {
    // 50 + 12 + 2 code units = 64: the 63rd code unit is the emoji's first half, so it goes whole.
    const name = expandDeviceNameTemplate(`${'a'.repeat(50)}{{SERIAL}}😀`, { serialNumber: 'S'.repeat(12) });
    expect(name).toBe(`${'a'.repeat(50)}${'S'.repeat(12)}`);
    const fits = expandDeviceNameTemplate(`${'a'.repeat(49)}{{SERIAL}}😀`, { serialNumber: 'S'.repeat(12) });
    expect(fits).toBe(`${'a'.repeat(49)}${'S'.repeat(12)}😀`);
  });
});

describe('exampleDeviceName', () => {
  it('applies the template to a sample iPhone with a 12-character serial', () => {
    expect(EXAMPLE_DEVICE.serialNumber).toHaveLength(12);
    expect(exampleDeviceName('{{DEVICETYPE}}-{{SERIAL}}')).toBe(`iPhone-${EXAMPLE_DEVICE.serialNumber}`);
  });
});

describe('checkDeviceNameTemplate', () => {
  it('accepts plain text, placeholders, apostrophes and emoji', () => {
    expect(checkDeviceNameTemplate('Acme {{DEVICETYPE}} {{SERIAL}}')).toBeNull();
    expect(checkDeviceNameTemplate("Reception's iPad (#2) 📱")).toBeNull();
  });

  it('is 63 characters at most in the worst case: 12-character serial, 7-character device type', () => {
    expect(worstCaseDeviceNameLength('{{SERIAL}}')).toBe(12);
    expect(worstCaseDeviceNameLength('{{DEVICETYPE}}')).toBe(7);
    expect(checkDeviceNameTemplate(`${'a'.repeat(51)}{{SERIAL}}`)).toBeNull(); // 63
    expect(checkDeviceNameTemplate(`${'a'.repeat(52)}{{SERIAL}}`)).toMatchObject({ reason: 'TOO_LONG' }); // 64
    expect(checkDeviceNameTemplate(`${'a'.repeat(56)}{{DEVICETYPE}}`)).toBeNull(); // 63
    expect(checkDeviceNameTemplate(`${'a'.repeat(57)}{{DEVICETYPE}}`)).toMatchObject({ reason: 'TOO_LONG' }); // 64
    expect(checkDeviceNameTemplate('a'.repeat(63))).toBeNull();
    const tooLong = checkDeviceNameTemplate('a'.repeat(64));
    expect(tooLong?.reason).toBe('TOO_LONG');
    expect(tooLong?.message).toContain('64');
  });

  it.each([
    ['{{NAME}}', 'UNKNOWN_PLACEHOLDER', 'Only {{SERIAL}} and {{DEVICETYPE}}'],
    ['{{serial}}', 'UNKNOWN_PLACEHOLDER', 'case-sensitive: write {{SERIAL}}'],
    ['{{ DeviceType }}', 'UNKNOWN_PLACEHOLDER', 'case-sensitive: write {{DEVICETYPE}}'],
    ['{{}}', 'UNKNOWN_PLACEHOLDER', 'Only'],
    ['{{SERIAL}', 'MALFORMED_PLACEHOLDER', 'brace'],
    ['{SERIAL}', 'MALFORMED_PLACEHOLDER', 'brace'],
    ['{{{SERIAL}}}', 'MALFORMED_PLACEHOLDER', 'brace'],
    ['a}b', 'MALFORMED_PLACEHOLDER', 'brace'],
    ['Sales/{{SERIAL}}', 'INVALID_CHARACTER', 'cannot have'],
    ['a:b', 'INVALID_CHARACTER', 'cannot have'],
    ['a\\b', 'INVALID_CHARACTER', 'cannot have'],
    ['a"b', 'INVALID_CHARACTER', 'cannot have'],
    ['a|b', 'INVALID_CHARACTER', 'cannot have'],
    ['a\nb', 'INVALID_CHARACTER', 'cannot have'],
    ['a\tb', 'INVALID_CHARACTER', 'cannot have'],
    ['a\u0000b', 'INVALID_CHARACTER', 'cannot have'],
    ['a\u2028b', 'INVALID_CHARACTER', 'cannot have'],
    ['a\uD800b', 'INVALID_CHARACTER', 'cannot have'],
    ['', 'EMPTY', 'empty'],
    ['   ', 'EMPTY', 'empty'],
  ])('refuses %j (%s)', (template, reason, messagePart) => {
    const problem = checkDeviceNameTemplate(template);
    expect(problem?.reason).toBe(reason);
    expect(problem?.message).toContain(messagePart);
  });

  it('shortens a long unknown placeholder in the message', () => {
    const problem = checkDeviceNameTemplate(`{{${'X'.repeat(200)}}}`);
    expect(problem?.reason).toBe('UNKNOWN_PLACEHOLDER');
    expect(problem!.message.length).toBeLessThan(150);
  });
});
