/**
 * GraphQL over HTTP's status codes per Accept header. A request error (the operation never ran:
 * a syntax error, a validation error, bad variables, a limit) is HTTP 400 for clients that accept
 * `application/graphql-response+json` (Apollo Client 4, urql, graphql-http), and 200 for clients
 * that explicitly ask for legacy `application/json` only: the spec's rule for that media type,
 * whose clients may treat any non-2xx as a network failure and never read the errors.
 * Without an Accept header (curl, scripts) the body is still `application/json`, but the status
 * stays 400: a syntax error is the client's error, and existing callers rely on seeing that.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

/** Whether the client chose legacy application/json, by name, over application/graphql-response+json. */
export function prefersLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  // Same preference order Apollo uses when it picks the response's Content-Type.
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]) === JSON_TYPE && /application\/json/i.test(accept);
}

export const statusPerAccept: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ request, response }) {
        if (response.body.kind !== 'single' || response.http.status !== 400) return;
        const { singleResult } = response.body;
        // A request error: errors and no data entry at all (execution never started).
        if (!singleResult.errors?.length || 'data' in singleResult) return;
        if (prefersLegacyJson(request.http?.headers.get('accept'))) response.http.status = 200;
      },
    };
  },
};
