/**
 * Query hardening: depth, aliases, directives, tokens (graphql-armor). Apollo's plugins and
 * validation rules do not run on the WebSocket path, so both transports take their rules from here.
 * Cost is limited by query-complexity.ts (page-size aware); armor's estimate grows with depth.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';

export type QueryHardening = ReturnType<ApolloArmor['protect']>;

export function createQueryHardening(): QueryHardening {
  return new ApolloArmor({
    maxDepth: { n: 12 },
    maxAliases: { n: 30 },
    maxDirectives: { n: 30 },
    maxTokens: { n: 5000 },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
