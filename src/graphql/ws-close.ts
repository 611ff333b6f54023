/**
 * Every close the server itself sends on a graphql-ws socket, code and reason named in one place.
 * Protocol codes come from graphql-ws's `CloseCode`; 1001 is RFC 6455's "going away", which tells
 * a client to reconnect (to another instance behind the load balancer).
 * A wrong or revoked key at connection_init needs no entry: graphql-ws closes with
 * `CloseCode.Forbidden` (4403) itself when onConnect returns false.
 */
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';

const GOING_AWAY = 1001;
/** RFC 6455 "policy violation": graphql-ws clients treat it as fatal, so they do not reconnect in a loop. */
const POLICY_VIOLATION = 1008;

export const WsClose = {
  KEY_REQUIRED: { code: CloseCode.Unauthorized, reason: 'An API key is required (connection_init payload authorization)' },
  KEY_REVOKED: { code: CloseCode.Forbidden, reason: 'API key revoked' },
  SHUTTING_DOWN: { code: GOING_AWAY, reason: 'Server shutting down' },
  TOO_MANY_SOCKETS: { code: POLICY_VIOLATION, reason: 'Too many WebSockets open for this API key (WS_MAX_SOCKETS_PER_KEY)' },
} as const;
export type WsClose = (typeof WsClose)[keyof typeof WsClose];

export function closeSocket(socket: WebSocket, close: WsClose): void {
  socket.close(close.code, close.reason);
}
