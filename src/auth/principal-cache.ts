/**
 * The principals of recently presented API keys, so that a request does not read `api_keys` and
 * its scope tags again (a statement, and typeorm's mapping, on every request of a busy client).
 *
 * Contract:
 * - Only a key found valid is cached, under the SHA-256 of its secret; an unknown or revoked
 *   secret always reaches the database.
 * - A key's role and scope tags never change after creation (a tag in use cannot be deleted), so
 *   the one thing that can make an entry wrong is revocation: `evictKey` drops it. The revoking
 *   instance evicts before the mutation answers; every other instance evicts when the events
 *   channel brings API_KEY_REVOKED (`evictRevokedPrincipals`).
 * - The channel is at-most-once, so the cache is trusted only while the channel listens
 *   (`isTrusted`), and it is cleared when the channel comes back after a drop (events sent
 *   meanwhile were missed). An entry also lives at most `ttlMs` on the injected clock: the bound
 *   even if a notification were lost while the channel looked up.
 * - At most `maxEntries` keys: the oldest entry goes first.
 */
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Principal } from './principal';

export const PRINCIPAL_CACHE_TTL_MS = 10_000;
export const PRINCIPAL_CACHE_MAX_ENTRIES = 10_000;

export interface CachedPrincipal {
  principal: Principal;
  /** What `api_keys.last_used_at` holds as far as this instance knows (it writes it at most once a minute). */
  lastUsedAt: Date | null;
}

interface Entry extends CachedPrincipal {
  expiresAt: number;
}

export interface PrincipalCacheOptions {
  /** False while revocations might be missed (the events channel is down): every lookup then misses. */
  isTrusted: () => boolean;
  ttlMs?: number;
  maxEntries?: number;
}

export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private disabled = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: PrincipalCacheOptions,
  ) {
    this.ttlMs = options.ttlMs ?? PRINCIPAL_CACHE_TTL_MS;
    this.maxEntries = options.maxEntries ?? PRINCIPAL_CACHE_MAX_ENTRIES;
    if (!(this.ttlMs > 0) || !(this.maxEntries > 0)) throw new Error('PrincipalCache: ttlMs and maxEntries must be positive');
  }

  /** The cached principal behind a secret's hash (hex), or undefined: unknown, expired, or not trusted now. */
  get(secretHash: string): CachedPrincipal | undefined {
    const entry = this.entries.get(secretHash);
    if (!entry) return undefined;
    if (this.disabled || !this.options.isTrusted() || entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(secretHash);
      return undefined;
    }
    return entry;
  }

  set(secretHash: string, value: CachedPrincipal): void {
    if (this.disabled) return;
    this.entries.delete(secretHash);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(secretHash, { ...value, expiresAt: this.clock.now().getTime() + this.ttlMs });
  }

  /** Drops every entry of this key (revoked). */
  evictKey(apiKeyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.apiKeyId === apiKeyId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }

  /** For good: every lookup misses (the revocations can no longer be heard). */
  disable(): void {
    this.disabled = true;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Evicts each key revoked on any instance, as the events channel reports it; ends with the channel. */
export function evictRevokedPrincipals(revocations: AsyncIterable<{ apiKeyId: string }>, cache: PrincipalCache, logger: Logger): void {
  void (async () => {
    for await (const { apiKeyId } of revocations) cache.evictKey(apiKeyId);
  })().catch((error: Error) => {
    // Without the evictions the cache could outlive a revocation elsewhere: stop using it.
    cache.disable();
    logger.error({ err: { message: error.message } }, 'API key revocation listener of the principal cache stopped');
  });
}
