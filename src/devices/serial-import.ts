/**
 * Reading the serial numbers of an `importDeviceSerials` call: a list, or CSV text. Pure: it says
 * which serials are well-formed and distinct, and why every other row was rejected; what the
 * database already holds is the service's business.
 *
 * CSV as admins export it from Apple Business Manager, Intune ("serial number, details") or a
 * spreadsheet:
 * - comma, semicolon or tab separated (the first line with content decides: the first of `,` `;`
 *   `\t` found outside quotes, comma by default); CRLF, LF or CR line ends; a UTF-8 BOM is ignored;
 * - fields may be quoted (`"C02XK1ABJG5H"`, doubled quotes inside); a quote left open on its line
 *   makes that row MALFORMED_ROW (serials never span lines, and a stray quote must not swallow the
 *   rest of the file);
 * - a header is recognised when a cell of the first row is "serial number" (any case; spaces,
 *   underscores, dashes and dots ignored: "Serial_Number", "serialnumber", "serial", "serial no",
 *   "sn"); the serial is then read from that column. Without a header it is the first column;
 * - blank lines are skipped; other columns are ignored.
 * Serials are trimmed and upper-cased (serial-number.ts); the first occurrence counts and later
 * ones are rejected as DUPLICATE with their own line number.
 *
 * Rows are counted before anything is classified: every row, valid or not, costs a rejection or a
 * device, so a list or CSV of more rows than one import takes (a million one-letter lines fit in
 * the character cap) is refused whole, without building a row for any of them.
 */
import { normalizeSerialNumber, serialNumberProblem, serialNumberProblemMessage } from './serial-number';

export enum SerialRejectionReason {
  EMPTY = 'EMPTY',
  INVALID_LENGTH = 'INVALID_LENGTH',
  INVALID_CHARACTERS = 'INVALID_CHARACTERS',
  DUPLICATE = 'DUPLICATE',
  MALFORMED_ROW = 'MALFORMED_ROW',
  ALREADY_SYNCED = 'ALREADY_SYNCED',
  DELETED_IN_DEPGATE = 'DELETED_IN_DEPGATE',
}

/** Bigger than 10,000 serials with a few columns each; anything larger is not a serial list. */
export const MAX_IMPORT_CSV_CHARS = 2 * 1024 * 1024;
const MAX_VALUE_SHOWN = 64;
/** Rows one import takes: as many serials as one assignEnrollmentProfile call. */
export const MAX_IMPORT_ROWS = 10_000;
/** Rejected rows a response lists (the first ones, by line); the payload counts them all. */
export const MAX_REJECTED_SHOWN = 1000;

export interface ImportRow {
  /** CSV line (from 1), or position in the list (from 1). */
  line: number;
  serialNumber: string;
}

export interface Rejection {
  line: number;
  value: string;
  reason: SerialRejectionReason;
  message: string;
}

export interface ParsedSerials {
  accepted: ImportRow[];
  rejected: Rejection[];
}

export class CsvUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvUnreadableError';
  }
}

/** More rows (list entries, or CSV lines with content besides a header) than one import takes. */
export class TooManyRowsError extends Error {
  constructor(readonly max: number) {
    super(`At most ${max} serial numbers per import`);
    this.name = 'TooManyRowsError';
  }
}

const HEADER_NAMES = new Set(['serialnumber', 'serial', 'serialno', 'serialnum', 'sn']);

export function shown(value: string): string {
  return value.length > MAX_VALUE_SHOWN ? `${value.slice(0, MAX_VALUE_SHOWN - 1)}…` : value;
}

export function rejection(line: number, value: string, reason: SerialRejectionReason, message: string): Rejection {
  return { line, value: shown(value), reason, message };
}

/** Serial numbers given as a list: each entry is one serial (blank and duplicate entries count). */
export function parseSerialList(serials: readonly string[], maxRows = MAX_IMPORT_ROWS): ParsedSerials {
  if (serials.length > maxRows) throw new TooManyRowsError(maxRows);
  return classify(serials.map((value, i) => ({ line: i + 1, value, malformed: false })), false);
}

/** Lines with something besides whitespace (what the parser reads), counting up to `stopAfter` + 1. */
function contentLines(text: string, stopAfter: number): number {
  let lines = 0;
  let content = false;
  for (let i = 0; i < text.length && lines <= stopAfter; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (content) lines++;
      content = false;
    } else if (!content && !(c === 32 || c === 9 || (c > 127 && /\s/.test(text[i]!)))) {
      content = true;
    }
  }
  return content ? lines + 1 : lines;
}

/** At most `maxRows` rows besides a header line. */
export function parseSerialCsv(csv: string, maxRows = MAX_IMPORT_ROWS): ParsedSerials {
  if (csv.length > MAX_IMPORT_CSV_CHARS) {
    throw new CsvUnreadableError(`The CSV is ${csv.length} characters long; at most ${MAX_IMPORT_CSV_CHARS} are accepted (10,000 serials per import).`);
  }
  if (csv.includes('\u0000')) throw new CsvUnreadableError('This is not a text file: upload the CSV as text.');
  // Before splitting: the header is not known yet, so one line more may be it.
  if (contentLines(csv, maxRows + 1) > maxRows + 1) throw new TooManyRowsError(maxRows);
  const lines = csv.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstContent = lines.find((l) => l.trim() !== '');
  if (firstContent === undefined) return { accepted: [], rejected: [] };
  const delimiter = detectDelimiter(firstContent);

  let column = 0;
  let headerSeen = false;
  const cells: { line: number; value: string; malformed: boolean }[] = [];
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const row = splitRow(text, delimiter);
    if (!headerSeen) {
      headerSeen = true;
      const headerAt = row.cells.findIndex((cell) => HEADER_NAMES.has(cell.toLowerCase().replace(/[\s_.#-]/g, '')));
      if (headerAt >= 0 && !row.malformed) {
        column = headerAt;
        return;
      }
    }
    cells.push({ line: index + 1, value: row.malformed ? text : (row.cells[column] ?? ''), malformed: row.malformed });
  });
  if (cells.length > maxRows) throw new TooManyRowsError(maxRows);
  return classify(cells, true);
}

function classify(rows: { line: number; value: string; malformed: boolean }[], fromCsv: boolean): ParsedSerials {
  const accepted: ImportRow[] = [];
  const rejected: Rejection[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    if (row.malformed) {
      rejected.push(rejection(row.line, row.value, SerialRejectionReason.MALFORMED_ROW, 'A quoted field is not closed on this line.'));
      continue;
    }
    const serial = normalizeSerialNumber(row.value);
    const problem = serialNumberProblem(serial);
    if (problem) {
      const reason = SerialRejectionReason[problem];
      const message = problem === 'EMPTY' && fromCsv ? 'The serial number column is empty on this line.' : serialNumberProblemMessage(problem);
      rejected.push(rejection(row.line, row.value, reason, message));
      continue;
    }
    const first = firstLine.get(serial);
    if (first !== undefined) {
      rejected.push(
        rejection(row.line, row.value, SerialRejectionReason.DUPLICATE, `${serial} already appears ${fromCsv ? 'on line' : 'at position'} ${first}.`),
      );
      continue;
    }
    firstLine.set(serial, row.line);
    accepted.push({ line: row.line, serialNumber: serial });
  }
  return { accepted, rejected };
}

function detectDelimiter(line: string): string {
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) return ch;
  }
  return ',';
}

/** RFC 4180 on one line: quoted fields, `""` for a quote inside one. */
function splitRow(line: string, delimiter: string): { cells: string[]; malformed: boolean } {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
    i++;
  }
  cells.push(cell);
  return { cells, malformed: quoted };
}
