/**
 * `enum ErrorCode` in the schema: every `extensions.code` value, generated from the one list
 * (error-codes.ts) with its description and extensions, for fields that name a code
 * (`SyncRunError.code`) and for clients that generate types from the schema.
 */
import { registerEnumType } from 'type-graphql';
import { ERROR_CODE_DOCS, ErrorCode } from '../errors/error-codes';

const describe = (code: ErrorCode): string => {
  const doc = ERROR_CODE_DOCS[code];
  const extensions = Object.keys(doc.extensions ?? {});
  return extensions.length ? `${doc.description}. Extensions: ${extensions.join(', ')}` : doc.description;
};

registerEnumType(ErrorCode, {
  name: 'ErrorCode',
  description: 'Every `extensions.code` an error may carry (README: the extensions of each)',
  valuesConfig: Object.fromEntries(Object.values(ErrorCode).map((code) => [code, { description: describe(code) }])),
});

export { ErrorCode };
