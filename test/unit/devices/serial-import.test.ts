import { CsvUnreadableError, MAX_IMPORT_CSV_CHARS, MAX_IMPORT_ROWS, parseSerialCsv, parseSerialList, TooManyRowsError } from '../../../src/devices/serial-import';
import { normalizeSerialNumber, serialNumberProblem } from '../../../src/devices/serial-number';

const accepted = (csv: string) => parseSerialCsv(csv).accepted.map((r) => r.serialNumber);
const rejected = (csv: string) => parseSerialCsv(csv).rejected.map((r) => [r.line, r.reason]);

describe('Apple serial numbers', () => {
  it.each([
    ['C02XK1ABJG5H', null],
    ['F9FXK1ABCD', null],
    ['DMPXK9ABCDE', null],
    ['C02XK1ABJG5', null],
    ['C02XK1ABJ', 'INVALID_LENGTH'],
    ['C02XK1ABJG5HX', 'INVALID_LENGTH'],
    ['C02XK1-BJG5H', 'INVALID_CHARACTERS'],
    ['C02XK1 BJG5H', 'INVALID_CHARACTERS'],
    ['C02XK1ÄBJG5H', 'INVALID_CHARACTERS'],
    ['', 'EMPTY'],
  ])('%s -> %s', (serial, problem) => {
    expect(serialNumberProblem(normalizeSerialNumber(serial))).toBe(problem);
  });

  it('trims and upper-cases', () => {
    expect(normalizeSerialNumber('  c02xk1abjg5h\t')).toBe('C02XK1ABJG5H');
  });
});

describe('serial lists', () => {
  it('reports positions from 1 and keeps the first of duplicates', () => {
    const parsed = parseSerialList(['C02XK1ABJG5H', 'c02xk1abjg5h', 'bad']);
    expect(parsed.accepted).toEqual([{ line: 1, serialNumber: 'C02XK1ABJG5H' }]);
    expect(parsed.rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, 'DUPLICATE'],
      [3, 'INVALID_LENGTH'],
    ]);
  });
});

describe('serial CSV', () => {
  it.each([
    ['Serial Number'],
    ['serial_number'],
    ['SERIALNUMBER'],
    ['Serial'],
    ['serial no.'],
    ['SN'],
    ['Serial #'],
  ])('recognises the header %s', (header) => {
    expect(parseSerialCsv(`${header},Details\nC02XK1ABJG5H,x\n`).rejected).toEqual([]);
  });

  it('without a header reads the first column and counts every line', () => {
    expect(accepted('C02XK1ABJG5H,Sales\nC02XK1ABJG5J,Ops')).toEqual(['C02XK1ABJG5H', 'C02XK1ABJG5J']);
  });

  it('an unrecognised first row is data (and rejected when it is not a serial)', () => {
    expect(rejected('Device,Notes\nC02XK1ABJG5H,x')).toEqual([[1, 'INVALID_LENGTH']]);
  });

  it('handles CR-only line ends, a BOM and trailing spaces', () => {
    expect(accepted('\uFEFFC02XK1ABJG5H \rC02XK1ABJG5J\r')).toEqual(['C02XK1ABJG5H', 'C02XK1ABJG5J']);
  });

  it('reads quotes the RFC 4180 way and refuses a quote left open on its line', () => {
    expect(accepted('"C02XK1ABJG5H","a, ""b"""\n')).toEqual(['C02XK1ABJG5H']);
    expect(rejected('"C02XK1ABJG5H\nC02XK1ABJG5J')).toEqual([[1, 'MALFORMED_ROW']]);
    expect(accepted('"C02XK1ABJG5H\nC02XK1ABJG5J')).toEqual(['C02XK1ABJG5J']);
  });

  it('picks the delimiter from the first line, outside quotes', () => {
    expect(accepted('"a,b";serial\nx;C02XK1ABJG5H')).toEqual(['C02XK1ABJG5H']);
  });

  it('a row without the serial column is EMPTY', () => {
    expect(rejected('note,serial\nonly-one-cell\n')).toEqual([[2, 'EMPTY']]);
  });

  it('shortens long rejected values', () => {
    const [row] = parseSerialCsv('x'.repeat(500)).rejected;
    expect(row.value.length).toBeLessThanOrEqual(64);
  });

  it('refuses binary content and oversized input as unreadable', () => {
    expect(() => parseSerialCsv('C02XK1ABJG5H\u0000')).toThrow(CsvUnreadableError);
    expect(() => parseSerialCsv('C'.repeat(MAX_IMPORT_CSV_CHARS + 1))).toThrow(CsvUnreadableError);
  });

  it('an input with only blank lines has no rows', () => {
    expect(parseSerialCsv('\n \r\n')).toEqual({ accepted: [], rejected: [] });
  });
});

describe('rows are counted before they are classified', () => {
  const serial = (i: number) => `C02${String(i).padStart(9, '0')}`;

  it('a list of more entries than one import takes, duplicates and blanks included', () => {
    expect(() => parseSerialList(Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => ''))).toThrow(TooManyRowsError);
    expect(parseSerialList(Array.from({ length: MAX_IMPORT_ROWS }, () => '')).rejected).toHaveLength(MAX_IMPORT_ROWS);
    expect(() => parseSerialList(['C02XK1ABJG5H', 'C02XK1ABJG5H', 'C02XK1ABJG6H'], 2)).toThrow(TooManyRowsError);
  });

  it('a CSV of a million one-letter lines, quickly', () => {
    const started = Date.now();
    expect(() => parseSerialCsv('A\n'.repeat(1_000_000))).toThrow(TooManyRowsError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('%s: a header and blank (or whitespace-only) lines do not count', (_label, eol) => {
    const rows = Array.from({ length: 3 }, (_, i) => serial(i));
    const csv = ['Serial Number', '', ' \t', '\u00a0', ...rows, ''].join(eol);
    expect(parseSerialCsv(csv, 3).accepted).toHaveLength(3);
    expect(() => parseSerialCsv(`${csv}${serial(9)}${eol}`, 3)).toThrow(TooManyRowsError);
  });

  it('without a header, the first line is a row', () => {
    expect(() => parseSerialCsv([serial(1), serial(2), serial(3), serial(4)].join('\n'), 3)).toThrow(TooManyRowsError);
    expect(parseSerialCsv([serial(1), serial(2), serial(3)].join('\n'), 3).accepted).toHaveLength(3);
  });

  it('malformed and invalid rows count like any other', () => {
    expect(() => parseSerialCsv(['"open', 'x', 'C02XK1ABJG5H', 'y'].join('\n'), 3)).toThrow(TooManyRowsError);
  });
});
