// urql over HTTP for queries and mutations, graphql-ws on the same /graphql path for
// subscriptions; both carry the signed-in key (Authorization header / connection_init).
import { createClient as createWsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';

export const GRAPHQL_PATH = '/graphql';

export function createApiClient(apiKey: string): { client: Client; dispose: () => void } {
  const wsUrl = new URL(GRAPHQL_PATH, window.location.href);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = createWsClient({ url: wsUrl.href, lazy: true, connectionParams: { authorization: `Bearer ${apiKey}` } });
  const client = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    fetchOptions: { headers: { authorization: `Bearer ${apiKey}` } },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
