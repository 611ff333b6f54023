import { MAX_SERIALS_PER_ASSIGN_CALL } from '../../../src/devices/assignment.service';
import { readSerialList } from '../../../src/devices/serial-list';
import { DomainError } from '../../../src/errors/domain-error';

describe('readSerialList (unassign, details on demand)', () => {
  it('normalises, collapses duplicates in first-seen order, and sets malformed serials apart', () => {
    expect(readSerialList([' c02xk1abjg5h', 'C02XK1ABJG5H', 'bad-one', 'F9FXK1ABCD', ''])).toEqual({
      distinct: ['C02XK1ABJG5H', 'BAD-ONE', 'F9FXK1ABCD'],
      wellFormed: ['C02XK1ABJG5H', 'F9FXK1ABCD'],
      malformed: [{ serialNumber: 'BAD-ONE', message: expect.any(String) }],
    });
  });

  it('refuses no serial, and more entries than one call takes before reading any', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as DomainError).code;
      }
      return null;
    };
    expect(code(() => readSerialList(['  ', '']))).toBe('SERIAL_NUMBERS_REQUIRED');
    expect(code(() => readSerialList(Array.from({ length: MAX_SERIALS_PER_ASSIGN_CALL + 1 }, () => 'C02XK1ABJG5H')))).toBe('TOO_MANY_SERIAL_NUMBERS');
    expect(code(() => readSerialList(Array.from({ length: MAX_SERIALS_PER_ASSIGN_CALL }, () => 'C02XK1ABJG5H')))).toBeNull();
  });
});
