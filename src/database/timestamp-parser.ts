/**
 * A faster reader of `timestamptz` text for pg. pg-types reads every timestamptz through
 * postgres-date, three regular expressions per value; a device row has ten of them, so a 500-row
 * page parses 5,000 (issue #15: a few % of a list request's CPU). PostgreSQL's ISO output
 * (DateStyle ISO, which pg's connections use) is one fixed shape, `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`,
 * read here by position; anything else (BC, infinity, years past 9999, other styles) goes to
 * postgres-date, so the answers are the same for every input (test/unit/database/timestamp-parser.test.ts).
 */
import { types } from 'pg';

const TIMESTAMPTZ_OID = 1184;
const ZERO = 48;

/** The digits at [from, to) as a number, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The instant, or undefined when the text is not in the common shape (the caller falls back). */
export function parseIsoTimestamptz(text: string): Date | undefined {
  if (text.length < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  // Years 0-99 would be read as 1900-1999 by Date.UTC: postgres-date corrects them; leave them to it.
  if (year < 100 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // Fractions are truncated to milliseconds, as postgres-date's Date.UTC call does.
    const start = ++i;
    while (i < text.length && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= ZERO + 9) i++;
    if (i === start) return undefined;
    const fraction = text.slice(start, Math.min(i, start + 3)).padEnd(3, '0');
    ms = digits(fraction, 0, 3);
  }
  const sign = text.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return undefined;
  const rest = text.length - i - 1;
  let offsetMinutes: number;
  if (rest === 2) offsetMinutes = digits(text, i + 1, i + 3) * 60;
  else if (rest === 5 && text.charCodeAt(i + 3) === 58) offsetMinutes = digits(text, i + 1, i + 3) * 60 + digits(text, i + 4, i + 6);
  else return undefined; // seconds in the offset (historic zones), or something else
  if (offsetMinutes < 0) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return new Date(sign === 43 ? utc - offsetMinutes * 60_000 : utc + offsetMinutes * 60_000);
}

let installed = false;

/** Installs the parser for timestamptz on pg's (process-wide) type table, over postgres-date; once. */
export function installTimestampParser(): void {
  if (installed) return;
  installed = true;
  const fallback = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;
  types.setTypeParser(TIMESTAMPTZ_OID, 'text', (text: string) => parseIsoTimestamptz(text) ?? fallback(text));
}
