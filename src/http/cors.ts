/**
 * CORS for browser front ends on other origins (CORS_ORIGINS), with the `cors` package. depgate
 * authenticates with bearer keys, never cookies, so no response is credentialed and `*` is safe.
 * A listed origin gets Access-Control-Allow-Origin echoed (and `Vary: Origin`); any other origin
 * gets no Access-Control-* header at all, so the browser refuses to hand it the response. The
 * default (no origins) is same origin only: no CORS headers for anyone.
 */
import cors from 'cors';
import type { RequestHandler } from 'express';

/** Headers a front end sends: the key, JSON, and what Apollo Client / urql / GraphiQL add. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'];

export function corsFor(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.length === 1 && origins[0] === '*';
  const listed = new Set(origins);
  return cors({
    origin: anyOrigin ? '*' : (origin, callback) => callback(null, origin !== undefined && listed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id', 'retry-after'],
    credentials: false,
    maxAge: 600,
  });
}
