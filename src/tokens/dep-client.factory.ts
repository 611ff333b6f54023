/**
 * Builds DEP clients for stored tokens. One client per token (and credential version) is kept, so
 * its Apple session is reused across calls instead of authenticating every time.
 */
import { DepClient, type DepClientOptions } from '../apple/dep-client';
import type { DepOAuthCredentials } from '../apple/dep-credentials';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import type { DepTokenEntity } from './token.entity';

export type DepClientTuning = Pick<DepClientOptions, 'timeoutMs' | 'retry' | 'sleep' | 'random' | 'fetch' | 'observe'>;

export const credentialsContext = (tokenId: string) => `dep_token:${tokenId}:credentials`;

export function sealCredentials(box: SecretBox, tokenId: string, credentials: DepOAuthCredentials): string {
  return box.seal(JSON.stringify(credentials), credentialsContext(tokenId));
}

export function openCredentials(box: SecretBox, token: Pick<DepTokenEntity, 'id' | 'credentialsSealed'>): DepOAuthCredentials {
  return JSON.parse(box.open(token.credentialsSealed, credentialsContext(token.id))) as DepOAuthCredentials;
}

export class DepClientFactory {
  private readonly cache = new Map<string, { version: string; client: DepClient }>();

  constructor(
    private readonly baseUrl: string,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly tuning: DepClientTuning = {},
  ) {}

  /** A one-off client for credentials not stored yet (upload and renewal checks). */
  forCredentials(credentials: DepOAuthCredentials, signal?: AbortSignal): DepClient {
    return new DepClient({ baseUrl: this.baseUrl, credentials, clock: this.clock, signal, ...this.tuning });
  }

  forToken(token: Pick<DepTokenEntity, 'id' | 'credentialsSealed' | 'updatedAt'>): DepClient {
    const version = `${token.updatedAt.getTime()}:${token.credentialsSealed.length}`;
    const cached = this.cache.get(token.id);
    if (cached && cached.version === version) return cached.client;
    const client = this.forCredentials(openCredentials(this.box, token));
    this.cache.set(token.id, { version, client });
    return client;
  }

  forget(tokenId: string): void {
    this.cache.delete(tokenId);
  }
}
