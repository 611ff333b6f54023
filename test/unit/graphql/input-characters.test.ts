/**
 * The character guard's rules (src/graphql/input-characters.ts) and its table of multi-line
 * fields (TEXT_POLICIES in schema.ts), which must name string input fields the schema has.
 */
import 'reflect-metadata';
import { getNamedType, isInputObjectType, parse } from 'graphql';
import { forbiddenCharacter, invalidCharactersError } from '../../../src/graphql/input-characters';
import { buildDepgateSchema, TEXT_POLICIES } from '../../../src/schema';

const schema = buildDepgateSchema();

describe('forbiddenCharacter', () => {
  it.each([
    ['NUL', 'a\u0000', {}, 'U+0000'],
    ['ESC', '\u001b[2J', {}, 'U+001B'],
    ['a line break in one-line text', 'a\nb', {}, 'U+000A'],
    ['a tab in one-line text', 'a\tb', {}, 'U+0009'],
    ['NUL in multi-line text', 'a\r\n\u0000', { multiline: true }, 'U+0000'],
    ['a form feed in multi-line text', 'a\fb', { multiline: true }, 'U+000C'],
    ['a lone high surrogate', 'a\ud83d', {}, 'U+D83D'],
    ['a lone low surrogate', '\udcA9b', {}, 'U+DCA9'],
  ])('refuses %s', (_label, text, policy, character) => {
    expect(forbiddenCharacter(text, policy)).toBe(character);
  });

  it.each([
    ['plain text', 'C02XK1ABJG5H', {}],
    ['emoji, accents, right-to-left, DEL and C1 (not C0)', '📱 Café مختبر \u007f\u0085', {}],
    ['tab and line breaks in multi-line text', 'a\tb\r\nc\n', { multiline: true }],
    ['the empty string', '', {}],
  ])('accepts %s', (_label, text, policy) => {
    expect(forbiddenCharacter(text, policy)).toBeNull();
  });
});

describe('TEXT_POLICIES', () => {
  it('names only String input fields of the schema', () => {
    for (const coordinate of Object.keys(TEXT_POLICIES)) {
      const [typeName, fieldName] = coordinate.split('.');
      const type = schema.getType(typeName!);
      expect(isInputObjectType(type)).toBe(true);
      const field = isInputObjectType(type) ? type.getFields()[fieldName!] : undefined;
      expect(field && getNamedType(field.type).name).toBe('String');
    }
  });
});

describe('invalidCharactersError', () => {
  it('walks the variables of nested input objects and lists and names the path', () => {
    const document = parse(`mutation ($i: AssignEnrollmentProfileInput!) { assignEnrollmentProfile(input: $i) { results { status } } }`);
    const error = invalidCharactersError(schema, TEXT_POLICIES, document, { i: { profileId: 'p', serialNumbers: ['A', 'B', 'C\u0000'] } });
    expect(error?.extensions).toMatchObject({ code: 'INVALID_CHARACTERS', field: 'serialNumbers', path: ['input', 'serialNumbers', 2] });
  });

  it('reads a variable default when the variable is not sent', () => {
    const document = parse(`query ($s: String = "a\\u0000") { devices(filter: {search: $s}) { totalCount } }`);
    expect(invalidCharactersError(schema, TEXT_POLICIES, document, {})?.extensions?.path).toEqual(['filter', 'search']);
  });

  it('passes clean input', () => {
    const document = parse(`query ($f: Int) { depTokens(first: $f) { totalCount } }`);
    expect(invalidCharactersError(schema, TEXT_POLICIES, document, { f: 3 })).toBeNull();
  });
});
