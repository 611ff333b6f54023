/**
 * The explorer's browser code, as source text for esbuild (explorer.bundle.ts). It is a string,
 * not a file of its own, so that `npm run build` (tsc) carries it into dist/ like any module and
 * the release can bundle it without its sources. It runs in the browser, never in Node.
 *
 * The page's API key field fills GraphiQL's Authorization header (shown prefilled in the header
 * editor, and added to every HTTP request), and the graphql-ws client
 * reads the same field at each connect (connectionParams), so a subscription uses the key too.
 */
export const EXPLORER_CLIENT_SOURCE = String.raw`
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';

const url = new URL(window.location.pathname, window.location.origin).href;
const keyField = document.getElementById('api-key');
const authorization = () => (keyField.value.trim() ? 'Bearer ' + keyField.value.trim() : '');
const headersText = () => JSON.stringify(authorization() ? { Authorization: authorization() } : {}, null, 2);

let wsClient;
function fetcherFor() {
  wsClient?.dispose();
  wsClient = createClient({ url: url.replace(/^http/, 'ws'), lazy: true, connectionParams: () => ({ authorization: authorization() }) });
  const fetcher = createGraphiQLFetcher({ url, wsClient });
  // The field's key on every HTTP request (the schema's introspection included), whatever the
  // header editor holds; a header typed into the editor still wins.
  return (params, options) => fetcher(params, { ...options, headers: { ...(authorization() ? { Authorization: authorization() } : {}), ...options?.headers } });
}

const root = createRoot(document.getElementById('graphiql'));
function render() {
  // A new key: a new socket (the old one was authenticated with the old key), and the header
  // editor shows the new Authorization header.
  const fetcher = fetcherFor();
  root.render(React.createElement(GraphiQL, { key: authorization(), fetcher, defaultHeaders: headersText(), headers: headersText(), shouldPersistHeaders: false }));
}
keyField.addEventListener('change', render);
render();
`;
