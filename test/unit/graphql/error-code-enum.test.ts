/**
 * `enum ErrorCode` (issue #10): the schema lists exactly the codes of src/errors/error-codes.ts,
 * each documented, fields that name a code use it, and the README's table of codes and their
 * extensions is the one errorCodeMarkdownTable() generates.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { getNamedType, getNullableType, isEnumType, type GraphQLEnumType, type GraphQLSchema } from 'graphql';
import { ERROR_CODE_DOCS, ErrorCode, errorCodeMarkdownTable, REQUEST_ERROR_CODES, storedErrorCode } from '../../../src/errors/error-codes';
import { QUERY_TOO_COMPLEX } from '../../../src/graphql/query-complexity';
import { buildDepgateSchema } from '../../../src/schema';

let schema: GraphQLSchema;
let enumType: GraphQLEnumType;
beforeAll(() => {
  schema = buildDepgateSchema();
  const type = schema.getType('ErrorCode');
  if (!isEnumType(type)) throw new Error('ErrorCode is not an enum in the schema');
  enumType = type;
});

describe('enum ErrorCode', () => {
  it('lists exactly the codes of the one list, each with a description', () => {
    expect(enumType.getValues().map((v) => v.name).sort()).toEqual(Object.values(ErrorCode).sort());
    for (const value of enumType.getValues()) {
      expect(value.value).toBe(value.name); // the wire value is the code itself
      expect(value.description?.length).toBeGreaterThan(10);
    }
  });

  it('includes the codes passed through from graphql-js, Apollo and the cost check', () => {
    for (const code of [...REQUEST_ERROR_CODES, QUERY_TOO_COMPLEX]) expect(Object.values(ErrorCode)).toContain(code);
  });

  it('types SyncRunError.code', () => {
    const field = (schema.getType('SyncRunError') as any).getFields().code;
    expect(getNamedType(field.type)).toBe(enumType);
    expect(getNullableType(field.type)).toBe(enumType);
  });

  it('reads a stored code this version no longer has as the fallback', () => {
    expect(storedErrorCode('APPLE_UNAVAILABLE', ErrorCode.SYNC_FAILED)).toBe(ErrorCode.APPLE_UNAVAILABLE);
    expect(storedErrorCode('SOMETHING_RETIRED', ErrorCode.SYNC_FAILED)).toBe(ErrorCode.SYNC_FAILED);
  });
});

describe('README', () => {
  it('documents every code and its extensions exactly as ERROR_CODE_DOCS says', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    const match = /<!-- error-codes:start[^>]*-->\n([\s\S]*?)<!-- error-codes:end -->/.exec(readme);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(errorCodeMarkdownTable()); // regenerate the block with errorCodeMarkdownTable()
    for (const code of Object.keys(ERROR_CODE_DOCS)) expect(match![1]).toContain(`| \`${code}\` |`);
  });
});
