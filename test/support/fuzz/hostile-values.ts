/**
 * The hostile values of the fuzz suite, as fast-check arbitraries, one per kind: wrong types,
 * null or missing, huge, empty, control characters, odd unicode (graphemes, lone surrogates,
 * bidi overrides), SQL-looking text, numbers at and past the edges, forged ids and ids of objects
 * in another scope tag. A kind is picked regardless of the position's type: a wrong type is a
 * type error the server must name, not a crash.
 */
import fc from 'fast-check';
import { MISSING } from './operation-sites';

export const KINDS = ['wrongType', 'nullOrMissing', 'huge', 'empty', 'control', 'unicode', 'sql', 'number', 'forgedId', 'otherScope'] as const;
export type Kind = (typeof KINDS)[number];

export interface HostileContext {
  /** Global ids of objects in a scope tag the fuzzing keys do not hold. */
  otherScopeIds: string[];
  /** Global ids of the caller's own objects (used where another type is expected). */
  ownIds: string[];
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE devices; --",
  '%',
  '_',
  '%%__%%',
  '\\',
  "\\'",
  '$1',
  "' || pg_sleep(5) || '",
  '1 UNION SELECT key_hash FROM api_keys',
  '"quoted"',
  'NULL',
  '*',
  "admin@example.com' --",
];

const UNICODE_SAMPLES = ['\u202eevil.exe', '\ufeffBOM', 'Ⅻ ǅ ﬃ', 'e\u0301\u0301\u0301', '𝕏𝕐ℤ', '\u{10ffff}', '\ud800', 'x\udfff', '\u200b\u200d', 'İı', '😀'.repeat(40), '\u007f\u0085\u009b'];

export function hostileValue(kind: Kind, context: HostileContext): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'wrongType':
      return fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant({}),
        fc.constant([]),
        fc.constant({ nested: { deep: [1, 'x', null] } }),
        fc.constant([[['x']]]),
        fc.string({ maxLength: 12 }),
      );
    case 'nullOrMissing':
      return fc.constantFrom(null, MISSING);
    case 'huge':
      return fc.oneof(
        fc.constantFrom(1_000, 10_000, 100_000, 1_000_000).map((n) => 'A'.repeat(n)),
        fc.constantFrom(1_000, 20_000).map((n) => Array.from({ length: n }, (_, i) => `C02${String(i).padStart(9, '0')}`)),
      );
    case 'empty':
      return fc.constantFrom('', ' ', '\u3000', [], {}, [''], ['', '']);
    case 'control':
      return fc
        .tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 31 }), fc.string({ maxLength: 8 }))
        .map(([before, code, after]) => `${before}${String.fromCharCode(code)}${after}`);
    case 'unicode':
      return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 16 }), fc.constantFrom(...UNICODE_SAMPLES));
    case 'sql':
      return fc.constantFrom(...SQL);
    case 'number':
      return fc.constantFrom(0, -1, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, 0.5, 501, 1_000_000);
    case 'forgedId':
      return fc.oneof(
        fc.constantFrom(
          'WyJ4IiwieSJd',
          b64('DepToken:1'),
          b64('DepToken:00000000-0000-0000-0000-000000000000'),
          b64("DepToken:' OR 1=1 --"),
          b64('Nope:x'),
          b64('Device:'),
          b64(':'),
          '!!!',
          'a'.repeat(5000),
        ),
        fc.constantFrom(...context.ownIds), // an id of another type than the field takes
        fc.string({ maxLength: 20 }).map(b64),
      );
    case 'otherScope':
      return fc.constantFrom(...context.otherScopeIds);
  }
}

export const kindArbitrary = fc.constantFrom(...KINDS);
