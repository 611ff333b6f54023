/**
 * The one guard for the characters of every string a request carries (issue #9): C0 control
 * characters (U+0000-U+001F) and unpaired UTF-16 surrogates are refused with INVALID_CHARACTERS
 * (`extensions.field`, `extensions.path`), never stripped. It runs on the document's literals and
 * the raw variables, nested input objects and lists included, on HTTP and WebSocket alike, before
 * any resolver: so nothing is written here or sent to Apple.
 *
 * Why refuse: PostgreSQL cannot store NUL in text (error 22021, a masked 500, after Apple may
 * already have been called); the other control characters are invisible in consoles, split log
 * lines and device names, and Apple's fields are single-line. Unpaired surrogates cannot be
 * encoded as UTF-8: the driver would silently store U+FFFD instead of what was sent.
 *
 * Text that is a file's content (a CSV, a PEM, a token file) or a free-form note (descriptions)
 * may hold TAB, LF and CR; the table of those fields is TEXT_POLICIES in schema.ts. Every other
 * string (names, ids, serial numbers, Apple IDs, searches, cursors) is one line.
 */
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { walkOperationInputs, type InputPosition } from './input-walk';

export interface TextPolicy {
  /** TAB, LF and CR are part of the text (files, notes). */
  multiline?: boolean;
  /** The refusal's code when the feature already had one; INVALID_CHARACTERS otherwise. */
  code?: ErrorCode;
}

/** Policies by schema coordinate (`Type.field` or `Type.field(arg:)`); a string not listed is one line. */
export type TextPolicies = Readonly<Record<string, TextPolicy>>;

const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f]/;
const MULTILINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first character of `text` the policy refuses, as `U+XXXX`, or null. */
export function forbiddenCharacter(text: string, policy: TextPolicy = {}): string | null {
  const control = (policy.multiline ? MULTILINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).exec(text) ?? UNPAIRED_SURROGATE.exec(text);
  if (!control) return null;
  return `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

class InvalidCharacters extends Error {
  constructor(
    readonly at: InputPosition,
    readonly character: string,
    readonly policy: TextPolicy,
  ) {
    // The value itself is not echoed: it may be a secret or a file's content.
    super(`${at.field} holds a character that is not accepted here (${character}): control characters${policy.multiline ? ' other than tab and line breaks' : ''} and unpaired surrogates are refused, not removed`);
  }
}

/**
 * A typed error (400) for the first string holding a refused character, with `extensions.field`
 * (the argument or input field) and `extensions.path` (from the argument down, list indexes
 * included); null when every string is clean.
 */
export function invalidCharactersError(schema: GraphQLSchema, policies: TextPolicies, document: DocumentNode, variables?: Record<string, unknown> | null): GraphQLError | null {
  try {
    walkOperationInputs(schema, document, variables, {
      leaf(value, _type, at) {
        if (typeof value !== 'string') return;
        const policy = policies[at.coordinate] ?? {};
        const character = forbiddenCharacter(value, policy);
        if (character) throw new InvalidCharacters(at, character, policy);
      },
    });
  } catch (error) {
    if (!(error instanceof InvalidCharacters)) throw error;
    const code = error.policy.code ?? ErrorCode.INVALID_CHARACTERS;
    const details = { field: error.at.field, path: [...error.at.path], character: error.character };
    return new GraphQLError(error.message, {
      originalError: new DomainError(code, error.message, details),
      extensions: { code, ...details, http: { status: 400 } },
    });
  }
  return null;
}
