/**
 * The fast timestamptz reader gives exactly what pg's own (postgres-date) gives, for PostgreSQL's
 * ISO output and for every shape it leaves to postgres-date.
 */
import { types } from 'pg';
import { parseIsoTimestamptz } from '../../../src/database/timestamp-parser';

const postgresDate = types.getTypeParser(1184, 'text') as (text: string) => unknown;

function pgText(ms: number, fraction: string, offset: string): string {
  // What PostgreSQL prints for a timestamptz in a session of that offset (DateStyle ISO).
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m = '0'] = offset.slice(1).split(':');
  const local = new Date(ms + sign * (Number(h) * 60 + Number(m)) * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)}${fraction}${offset}`;
}

it('reads PostgreSQL’s ISO output as postgres-date does', () => {
  const offsets = ['+00', '+02', '-05', '+05:30', '-09:30', '+14', '-12', '+00:45'];
  const fractions = ['', '.1', '.12', '.123', '.1234', '.123456', '.999999', '.000001'];
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    const ms = Date.UTC(1900, 0, 1) + Math.floor(random() * (Date.UTC(2200, 0, 1) - Date.UTC(1900, 0, 1)));
    const text = pgText(ms, fractions[i % fractions.length]!, offsets[i % offsets.length]!);
    const fast = parseIsoTimestamptz(text);
    expect({ text, ms: fast?.getTime() }).toEqual({ text, ms: (postgresDate(text) as Date).getTime() });
  }
});

it('leaves every other shape to postgres-date', () => {
  for (const text of ['infinity', '-infinity', '2024-01-02 03:04:05+00 BC', '0099-01-02 03:04:05+00', '12345-01-02 03:04:05+00', '1890-01-01 00:00:00+00:53:28', '2024-01-02T03:04:05Z', '2024-01-02 03:04:05', '2024-01-02 03:04:05.+00']) {
    expect({ text, fast: parseIsoTimestamptz(text) }).toEqual({ text, fast: undefined });
  }
});
