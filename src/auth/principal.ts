import type { Role } from './role';

/** Who is calling: the API key behind a request or a WebSocket connection. */
export interface Principal {
  apiKeyId: string;
  name: string;
  role: Role;
  /** Empty: unrestricted. Otherwise the key sees only tokens sharing one of these tags. */
  scopeTagIds: readonly string[];
}
