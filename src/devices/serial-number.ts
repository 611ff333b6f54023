/**
 * Apple serial numbers as depgate accepts them (assignment by serial and serial import).
 *
 * Apple's serials are upper-case letters and digits: 12 characters for devices made from 2010 to
 * 2020, 11 for older ones, and 10 randomised characters since 2021. ABM treats them
 * case-insensitively, so input is trimmed and upper-cased before it is checked; anything else
 * (other lengths, spaces inside, punctuation, letters outside A-Z) is refused with a reason the
 * admin can act on. Apple's own check digit is not public, so no checksum is verified: a
 * well-formed serial Apple does not know comes back from Apple as NOT_ACCESSIBLE.
 */

export const SERIAL_NUMBER_MIN_LENGTH = 10;
export const SERIAL_NUMBER_MAX_LENGTH = 12;

const SERIAL = /^[A-Z0-9]+$/;

export type SerialNumberProblem = 'EMPTY' | 'INVALID_LENGTH' | 'INVALID_CHARACTERS';

export function normalizeSerialNumber(raw: string): string {
  return (raw ?? '').trim().toUpperCase();
}

/** Null when the (normalised) serial is well-formed. */
export function serialNumberProblem(serial: string): SerialNumberProblem | null {
  if (serial === '') return 'EMPTY';
  if (!SERIAL.test(serial)) return 'INVALID_CHARACTERS';
  if (serial.length < SERIAL_NUMBER_MIN_LENGTH || serial.length > SERIAL_NUMBER_MAX_LENGTH) return 'INVALID_LENGTH';
  return null;
}

export function serialNumberProblemMessage(problem: SerialNumberProblem): string {
  switch (problem) {
    case 'EMPTY':
      return 'The serial number is empty.';
    case 'INVALID_CHARACTERS':
      return 'An Apple serial number has only letters A-Z and digits.';
    case 'INVALID_LENGTH':
      return `An Apple serial number is ${SERIAL_NUMBER_MIN_LENGTH} to ${SERIAL_NUMBER_MAX_LENGTH} characters long.`;
  }
}
