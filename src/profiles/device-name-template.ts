/**
 * Device name templates: the name a device gets at enrollment and after every successful check-in,
 * built from literal text and two placeholders, `{{SERIAL}}` and `{{DEVICETYPE}}`.
 *
 * Decisions:
 * - Placeholders are case-sensitive and must be written exactly as above. `{{serial}}` is refused
 *   with a hint instead of accepted: one spelling keeps templates comparable and avoids surprises
 *   when a future placeholder differs only by case.
 * - `{{DEVICETYPE}}` expands to Apple's `device_family` (iPhone, iPad, iPod, Mac, AppleTV, Vision);
 *   a family Apple adds later, or a missing one, expands to "Device".
 * - A name is at most 63 characters (the length of a DNS label: macOS derives its local host name
 *   from the device name). Templates are checked against the worst case: the longest device type
 *   and a 12-character serial (Apple's serials are 10 to 12 characters), so a template accepted
 *   today fits every device it will ever name. Lengths are JavaScript string lengths, never fewer
 *   than the characters a user counts.
 * - Refused characters: control and line-separator characters (they break every place a name is
 *   shown or logged), `\ / : * ? " < > |` (forbidden in file and host names on macOS or Windows,
 *   where device names end up in backups and exports), and braces outside a placeholder (almost
 *   always a mistyped placeholder). Everything else, emoji and apostrophes included, is allowed,
 *   as it is in the Settings app.
 */
import type { DepDeviceFamily } from '../apple/dep.types';
import { ProfileRuleError } from './profile.errors';

export const DEVICE_NAME_MAX_LENGTH = 63;

/** The longest serial the length check assumes. */
export const MAX_SERIAL_NUMBER_LENGTH = 12;

export const SERIAL_PLACEHOLDER = '{{SERIAL}}';
export const DEVICE_TYPE_PLACEHOLDER = '{{DEVICETYPE}}';

/** What `{{DEVICETYPE}}` becomes for each Apple device family. */
export const DEVICE_TYPE_NAMES: Readonly<Record<DepDeviceFamily, string>> = {
  iPhone: 'iPhone',
  iPad: 'iPad',
  iPod: 'iPod',
  Mac: 'Mac',
  AppleTV: 'AppleTV',
  Vision: 'Vision',
};

/** `{{DEVICETYPE}}` for a family this service does not know (or a device without one). */
export const UNKNOWN_DEVICE_TYPE_NAME = 'Device';

const LONGEST_DEVICE_TYPE = Math.max(UNKNOWN_DEVICE_TYPE_NAME.length, ...Object.values(DEVICE_TYPE_NAMES).map((n) => n.length));

/** The device `exampleDeviceName` uses: an iPhone with a 12-character serial (the longest kind). */
export const EXAMPLE_DEVICE: Readonly<DeviceForName> = { serialNumber: 'DMPXK9ABCDEF', deviceFamily: 'iPhone' };

export interface DeviceForName {
  serialNumber: string;
  /** Apple's `device_family`; null or unknown values expand to "Device". */
  deviceFamily?: DepDeviceFamily | string | null;
}

export type DeviceNameTemplateProblemReason =
  | 'EMPTY'
  | 'UNKNOWN_PLACEHOLDER'
  | 'MALFORMED_PLACEHOLDER'
  | 'INVALID_CHARACTER'
  | 'TOO_LONG';

export interface DeviceNameTemplateProblem {
  reason: DeviceNameTemplateProblemReason;
  message: string;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
// Control characters (C0, DEL, C1), line/paragraph separators, lone surrogates, and the characters
// file and host names forbid.
const INVALID_CHARACTER = /[\p{Cc}\u2028\u2029\p{Cs}\\/:*?"<>|]/u;

type Part = { literal: string } | { placeholder: 'SERIAL' | 'DEVICETYPE' };

/** Splits a template into literal text and placeholders, or says what is wrong with it. */
function parse(template: string): { parts: Part[] } | { problem: DeviceNameTemplateProblem } {
  if (template.trim() === '') {
    return { problem: { reason: 'EMPTY', message: 'The device name template is empty; leave it unset to keep the names devices have.' } };
  }
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (name !== 'SERIAL' && name !== 'DEVICETYPE') {
      const normalised = name.trim().toUpperCase();
      const hint =
        normalised === 'SERIAL' || normalised === 'DEVICETYPE'
          ? ` Placeholders are case-sensitive: write {{${normalised}}}.`
          : ` Only ${SERIAL_PLACEHOLDER} and ${DEVICE_TYPE_PLACEHOLDER} are available.`;
      // The admin's own placeholder is echoed (shortened) so they can find it in a long template.
      const shown = name.length > 20 ? `${name.slice(0, 20)}…` : name;
      return { problem: { reason: 'UNKNOWN_PLACEHOLDER', message: `The device name template uses an unknown placeholder {{${shown}}}.${hint}` } };
    }
    parts.push({ literal: template.slice(last, match.index) }, { placeholder: name });
    last = match.index + match[0].length;
  }
  parts.push({ literal: template.slice(last) });

  for (const part of parts) {
    if (!('literal' in part)) continue;
    if (part.literal.includes('{') || part.literal.includes('}')) {
      return {
        problem: {
          reason: 'MALFORMED_PLACEHOLDER',
          message: `The device name template has a brace outside a placeholder; write placeholders as ${SERIAL_PLACEHOLDER} or ${DEVICE_TYPE_PLACEHOLDER}.`,
        },
      };
    }
    if (INVALID_CHARACTER.test(part.literal)) {
      return {
        problem: {
          reason: 'INVALID_CHARACTER',
          message: 'The device name template contains a character device names cannot have: control characters, line breaks or any of \\ / : * ? " < > |.',
        },
      };
    }
  }
  return { parts };
}

/** The longest name a template can produce (longest device type, 12-character serial). */
export function worstCaseDeviceNameLength(template: string): number {
  const parsed = parse(template);
  if ('problem' in parsed) return Number.NaN;
  return parsed.parts.reduce((sum, part) => {
    if ('literal' in part) return sum + part.literal.length;
    return sum + (part.placeholder === 'SERIAL' ? MAX_SERIAL_NUMBER_LENGTH : LONGEST_DEVICE_TYPE);
  }, 0);
}

/** Null when the template is acceptable, else the first problem (with a message for the admin). */
export function checkDeviceNameTemplate(template: string): DeviceNameTemplateProblem | null {
  const parsed = parse(template);
  if ('problem' in parsed) return parsed.problem;
  const worst = worstCaseDeviceNameLength(template);
  if (worst > DEVICE_NAME_MAX_LENGTH) {
    return {
      reason: 'TOO_LONG',
      message: `Device names are at most ${DEVICE_NAME_MAX_LENGTH} characters; this template can produce ${worst} (counting ${SERIAL_PLACEHOLDER} as ${MAX_SERIAL_NUMBER_LENGTH} and ${DEVICE_TYPE_PLACEHOLDER} as ${LONGEST_DEVICE_TYPE} characters).`,
    };
  }
  return null;
}

export function deviceTypeName(deviceFamily: string | null | undefined): string {
  return deviceFamily && Object.hasOwn(DEVICE_TYPE_NAMES, deviceFamily)
    ? DEVICE_TYPE_NAMES[deviceFamily as DepDeviceFamily]
    : UNKNOWN_DEVICE_TYPE_NAME;
}

/**
 * The name a device gets. Throws DEVICE_NAME_TEMPLATE_INVALID for a template that
 * `checkDeviceNameTemplate` refuses (stored templates were checked, so that is a bug upstream).
 * A serial longer than Apple's 12 characters would be the only way past 63 characters: the result
 * is then cut at 63 rather than sending a name the device would refuse.
 */
export function expandDeviceNameTemplate(template: string, device: DeviceForName): string {
  const parsed = parse(template);
  if ('problem' in parsed) {
    throw new ProfileRuleError('DEVICE_NAME_TEMPLATE_INVALID', parsed.problem.message, {
      field: 'deviceNameTemplate',
      reason: parsed.problem.reason,
    });
  }
  const serial = device.serialNumber.trim().toUpperCase();
  const name = parsed.parts
    .map((part) => ('literal' in part ? part.literal : part.placeholder === 'SERIAL' ? serial : deviceTypeName(device.deviceFamily)))
    .join('')
    .trim();
  return truncate(name, DEVICE_NAME_MAX_LENGTH);
}

/** The template applied to EXAMPLE_DEVICE, for previews in the admin console. */
export function exampleDeviceName(template: string): string {
  return expandDeviceNameTemplate(template, EXAMPLE_DEVICE);
}

/** Cuts to `max` code units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd();
}
