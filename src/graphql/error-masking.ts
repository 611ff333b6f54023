/**
 * The one place errors become what clients see, for HTTP (Apollo) and WebSocket (graphql-ws) alike:
 * a DomainError keeps its code, message and extensions (ids in them as global ids); a failed Apple
 * call a feature threw is mapped to one (apple-error.mapping.ts); request errors from graphql-js
 * pass through; everything else is masked as INTERNAL_SERVER_ERROR and logged in full with the
 * request id.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';
import { appleRequestDomainError } from './apple-error.mapping';
import { DomainError } from '../errors/domain-error';
import { ErrorCode, REQUEST_ERROR_CODES } from '../errors/error-codes';
import { withGlobalIds } from './error-extension-ids';

const PASS_THROUGH_CODES = new Set<string>([...REQUEST_ERROR_CODES, ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN]);

/** The error and the errors it wraps, outermost first. */
function chain(error: unknown): unknown[] {
  const links: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && links.length < 10) {
    links.push(current);
    current = current instanceof GraphQLError ? current.originalError : undefined;
  }
  return links;
}

function codeOf(error: unknown): string {
  return error instanceof GraphQLError ? String(error.extensions?.code ?? '') : '';
}

/** A feature's expected failure as a DomainError: thrown as one, or a feature exception mapped here. */
function asDomainError(error: unknown): DomainError | undefined {
  return error instanceof DomainError ? error : appleRequestDomainError(error);
}

function original(error: unknown): unknown {
  const links = chain(error);
  return (
    links.map(asDomainError).find((e) => e !== undefined) ??
    links.find((e) => PASS_THROUGH_CODES.has(codeOf(e))) ??
    links[links.length - 1]
  );
}

/** Whether an error is one the client should see as it is. */
export function isExpectedError(error: unknown): boolean {
  const root = original(error);
  if (root instanceof DomainError) return true;
  if (root instanceof GraphQLError) return PASS_THROUGH_CODES.has(String(root.extensions?.code ?? ''));
  return false;
}

/** `requestId` undefined: the caller adds it to the answer (src/graphql/apollo-express.ts). */
export function toClientError(error: GraphQLError, requestId: string | undefined, logger?: Logger): GraphQLFormattedError {
  const root = original(error);
  const location = { locations: error.locations, path: error.path };
  if (root instanceof DomainError) {
    return { message: root.message, ...location, extensions: { ...withGlobalIds(root.extensions), code: root.code, requestId } };
  }
  if (root instanceof GraphQLError && PASS_THROUGH_CODES.has(String(root.extensions?.code ?? ''))) {
    const { http: _http, ...extensions } = root.extensions ?? {};
    return { message: root.message, ...location, extensions: { ...extensions, requestId } };
  }
  if (root instanceof GraphQLError && !error.originalError && !error.path) {
    // graphql-js's own request errors (validation, coercion) carry no code before Apollo adds one.
    return { message: root.message, ...location, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, requestId } };
  }
  logger?.error({ err: root, requestId, path: error.path }, 'unexpected error while executing a GraphQL operation');
  return {
    message: 'Internal server error',
    ...location,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
  };
}
