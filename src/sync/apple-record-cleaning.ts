/**
 * Apple's device records as depgate stores them. One odd record must not wedge a token: a NUL in a
 * description is a value PostgreSQL refuses (22021), so one such device made every page that held
 * it fail, sync after sync. This is Apple's data, not a client's input, so it is cleaned rather than
 * refused (user input with control characters is refused by the input guard instead):
 *
 * - Free-text fields (model, description, color, asset tag, OS, device family, assigned by, the
 *   profile uuid): C0 control characters and DEL are removed (tab, CR and LF become a space), and
 *   the value is cut to {@link MAX_APPLE_TEXT_LENGTH} characters (a profile uuid to
 *   {@link MAX_APPLE_ID_LENGTH}); an empty result is null.
 * - The serial number identifies the device (assignment, import, the unique key), so it is never
 *   rewritten: a record whose normalised serial is not 1 to {@link MAX_APPLE_SERIAL_LENGTH} letters
 *   A-Z and digits is skipped and counted on the run (`SyncRun.devicesSkipped`).
 */

/** Longer than any value Apple documents for these fields; keeps a row (and a page) bounded. */
export const MAX_APPLE_TEXT_LENGTH = 1000;
export const MAX_APPLE_ID_LENGTH = 128;
/** Apple's serials have 10 to 12 characters; anything far longer is not a serial. */
export const MAX_APPLE_SERIAL_LENGTH = 32;

const SPACING_CONTROLS = /[\t\n\r]/g;
const CONTROLS = /[\u0000-\u001F\u007F]/g;
const APPLE_SERIAL = new RegExp(`^[A-Z0-9]{1,${MAX_APPLE_SERIAL_LENGTH}}$`);

/** A free-text value from Apple, cleaned for storage; null when nothing usable is left. */
export function cleanAppleText(value: unknown, maxLength = MAX_APPLE_TEXT_LENGTH): string | null {
  if (typeof value !== 'string' || value === '') return null;
  let text = value.replace(SPACING_CONTROLS, ' ').replace(CONTROLS, '');
  if (text.length > maxLength) text = Array.from(text).slice(0, maxLength).join('').slice(0, maxLength);
  text = text.trim();
  return text === '' ? null : text;
}

/** Whether a normalised serial from Apple can be stored as a device's key. */
export function isStorableAppleSerial(serial: string): boolean {
  return APPLE_SERIAL.test(serial);
}
