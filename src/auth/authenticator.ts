/**
 * The one API-key check, shared by both transports: the Authorization value a client presents (the
 * HTTP header, or the graphql-ws connection_init payload) -> the Principal behind it, or why not.
 * Each transport phrases a refusal its own way (401 + UNAUTHENTICATED over HTTP, a close code on a
 * WebSocket), so the refusal is a plain reason, free of GraphQL.
 */
import { bearerSecret } from './api-key.secret';
import type { ApiKeyService } from './api-key.service';
import type { Principal } from './principal';

export const AuthRefusal = {
  /** No `Bearer <key>` value, or a malformed one. */
  MISSING_KEY: 'MISSING_KEY',
  /** A well-formed key that is unknown or revoked. */
  INVALID_KEY: 'INVALID_KEY',
} as const;
export type AuthRefusal = (typeof AuthRefusal)[keyof typeof AuthRefusal];

export type Authentication = { principal: Principal; refusal?: never } | { principal?: never; refusal: AuthRefusal };

export class Authenticator {
  constructor(private readonly apiKeys: Pick<ApiKeyService, 'authenticate'>) {}

  async authenticate(authorization: unknown): Promise<Authentication> {
    const secret = bearerSecret(authorization);
    if (!secret) return { refusal: AuthRefusal.MISSING_KEY };
    const principal = await this.apiKeys.authenticate(secret);
    return principal ? { principal } : { refusal: AuthRefusal.INVALID_KEY };
  }
}
