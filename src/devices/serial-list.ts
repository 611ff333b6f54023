/**
 * The serial list of a per-serial call to Apple (assign, unassign, refresh details): at most
 * 10,000 entries (counted before any is read, so a huge list is refused without being normalised),
 * normalised, duplicates collapsed, and malformed serials answered without being sent.
 */
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { normalizeSerialNumber, serialNumberProblem, serialNumberProblemMessage } from './serial-number';

/** Serials one per-serial call (assignEnrollmentProfile, removeEnrollmentProfile, refreshDeviceDetails) takes. */
export const MAX_SERIALS_PER_ASSIGN_CALL = 10_000;

/** Trimmed, upper-cased, first occurrence kept; blank entries dropped. */
export function distinctSerials(serials: readonly string[]): string[] {
  return [...new Set((serials ?? []).map(normalizeSerialNumber).filter((s) => s !== ''))];
}

export interface SerialList {
  /** Every distinct serial, in the order given (what the results follow). */
  distinct: string[];
  wellFormed: string[];
  malformed: { serialNumber: string; message: string }[];
}

export function readSerialList(serials: readonly string[], field = 'serialNumbers'): SerialList {
  if (serials.length > MAX_SERIALS_PER_ASSIGN_CALL) {
    throw new DomainError(
      ErrorCode.TOO_MANY_SERIAL_NUMBERS,
      `At most ${MAX_SERIALS_PER_ASSIGN_CALL} serial numbers per call; ${serials.length} were given`,
      { field, max: MAX_SERIALS_PER_ASSIGN_CALL },
    );
  }
  const distinct = distinctSerials(serials);
  if (distinct.length === 0) throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'Give at least one serial number', { field });
  const wellFormed: string[] = [];
  const malformed: SerialList['malformed'] = [];
  for (const serial of distinct) {
    const problem = serialNumberProblem(serial);
    if (problem) malformed.push({ serialNumber: serial, message: serialNumberProblemMessage(problem) });
    else wellFormed.push(serial);
  }
  return { distinct, wellFormed, malformed };
}
