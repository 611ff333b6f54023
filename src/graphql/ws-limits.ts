/**
 * What one client may hold on the WebSocket transport, so that no socket or key can grow the
 * server's memory without bound (one socket once opened 20,000 subscriptions: RSS 142 -> 902 MB):
 * - frames of at most WS_MAX_PAYLOAD_BYTES, enforced by ws before a frame is buffered, so before
 *   connection_init is read (ws's default of 100 MiB let anonymous frames double the RSS);
 * - WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations open at once on one socket (a typed error for the
 *   operation beyond it; the socket and its other operations go on);
 * - WS_MAX_SOCKETS_PER_KEY sockets per API key on this instance (the socket beyond is closed).
 */
import type { WebSocket } from 'ws';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** GraphQL operations are kilobytes; a DEP token upload belongs on HTTP (its limit is 4 MB). */
export const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface WsLimits {
  maxSubscriptionsPerSocket: number;
  maxSocketsPerKey: number;
}

/** The refusal of an operation beyond the socket's limit; `open` counts the operation itself. */
export function subscriptionLimitError(open: number, limit: number): DomainError | undefined {
  if (open <= limit) return undefined;
  return new DomainError(
    ErrorCode.SUBSCRIPTION_LIMIT_REACHED,
    `This WebSocket already has ${limit} operations open (WS_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one, or open another socket`,
    { limit },
  );
}

/** Open sockets per API key: for WS_MAX_SOCKETS_PER_KEY, and so that revoking a key closes them at once. */
export class SocketsByKey {
  private readonly sockets = new Map<string, Set<WebSocket>>();

  add(apiKeyId: string, socket: WebSocket): void {
    const sockets = this.sockets.get(apiKeyId) ?? new Set<WebSocket>();
    this.sockets.set(apiKeyId, sockets.add(socket));
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) this.sockets.delete(apiKeyId);
    });
  }

  count(apiKeyId: string): number {
    return this.sockets.get(apiKeyId)?.size ?? 0;
  }

  of(apiKeyId: string): Iterable<WebSocket> {
    return this.sockets.get(apiKeyId) ?? [];
  }
}
