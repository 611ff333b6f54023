/**
 * The per-request (per-operation, on WebSockets) context: who is calling, what they may see,
 * fresh DataLoaders, and the shared services.
 */
import { randomUUID } from 'node:crypto';
import { AccessScope } from './auth/access-scope';
import type { Principal } from './auth/principal';
import { createLoaders, type Loaders } from './loaders';
import type { Logger } from './logger';
import type { Services } from './services';

export interface RequestContext {
  requestId: string;
  principal: Principal;
  scope: AccessScope;
  services: Services;
  loaders: Loaders;
  logger: Logger;
  /** How the operation arrived (the audit trail records it). */
  transport?: 'HTTP' | 'WEBSOCKET';
  /** The peer address of the HTTP request or WebSocket (a proxy's, behind one). */
  clientAddress?: string | null;
}

export function createRequestContext(args: {
  principal: Principal;
  services: Services;
  logger: Logger;
  requestId?: string;
  /** The request's own logger, bound to `requestId` already (pino-http's req.log): no second child. */
  requestLogger?: Logger;
  transport?: RequestContext['transport'];
  clientAddress?: string | null;
}): RequestContext {
  const requestId = args.requestId ?? randomUUID();
  const scope = new AccessScope(args.principal);
  return {
    requestId,
    principal: args.principal,
    scope,
    services: args.services,
    loaders: createLoaders(args.services, scope),
    logger: args.requestLogger ?? args.logger.child({ requestId }),
    transport: args.transport,
    clientAddress: args.clientAddress ?? null,
  };
}

/** A request id from a trusted-looking header, else a new one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(header) ? header : randomUUID();
}
