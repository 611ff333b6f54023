import { In, IsNull, type DataSource, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { Clock } from '../clock';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { AccessScope } from './access-scope';
import { ApiKeyEntity } from './api-key.entity';
import { generateApiKeySecret, hashApiKeySecret, secretMatches, secretPrefix } from './api-key.secret';
import type { Principal } from './principal';
import type { PrincipalCache } from './principal-cache';
import { Role } from './role';
import { ScopeTagEntity } from './scope-tag.entity';

const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreateApiKeyCommand {
  name: string;
  role: Role;
  scopeTagIds: string[];
}

export class ApiKeyService {
  private readonly keys: Repository<ApiKeyEntity>;
  private readonly tags: Repository<ScopeTagEntity>;
  private readonly revokedListeners: ((apiKeyId: string) => Promise<void> | void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    /** Recently valid keys (principal-cache.ts); without one, every request reads api_keys. */
    private readonly principals?: PrincipalCache,
  ) {
    this.keys = dataSource.getRepository(ApiKeyEntity);
    this.tags = dataSource.getRepository(ScopeTagEntity);
  }

  /** Called after a key is revoked (the server closes its open WebSockets on every instance). */
  onRevoked(listener: (apiKeyId: string) => Promise<void> | void): void {
    this.revokedListeners.push(listener);
  }

  /** The principal behind a secret, or null for an unknown or revoked key. */
  async authenticate(secret: string): Promise<Principal | null> {
    const cacheKey = hashApiKeySecret(secret).toString('hex');
    const cached = this.principals?.get(cacheKey);
    if (cached) {
      await this.touch(cached.principal.apiKeyId, cached);
      return cached.principal;
    }
    const candidates = await this.keys.find({
      where: { secretPrefix: secretPrefix(secret), revokedAt: IsNull() },
      relations: { scopeTags: true },
    });
    const key = candidates.find((k) => secretMatches(secret, k.secretHash));
    if (!key) return null;
    const found = {
      principal: { apiKeyId: key.id, name: key.name, role: key.role, scopeTagIds: key.scopeTags.map((t) => t.id) },
      lastUsedAt: key.lastUsedAt,
    };
    await this.touch(key.id, found);
    this.principals?.set(cacheKey, found);
    return found.principal;
  }

  /** Keeps "last used" roughly right without a write on every request. */
  private async touch(id: string, key: { lastUsedAt: Date | null }): Promise<void> {
    const now = this.clock.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      key.lastUsedAt = now;
      await this.keys.update({ id }, { lastUsedAt: now });
    }
  }

  async create(command: CreateApiKeyCommand, scope: AccessScope): Promise<{ apiKey: ApiKeyEntity; secret: string }> {
    const name = command.name.trim();
    if (name.length < 1 || name.length > 100) throw badInput('name must be 1 to 100 characters', 'name');
    const scopeTagIds = [...new Set(command.scopeTagIds)];
    if (!scope.unrestricted && scopeTagIds.length === 0) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'A key with scope tags can only create keys restricted to its own scope tags');
    }
    if (!scope.holdsAll(scopeTagIds)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'A key with scope tags cannot grant scope tags it does not hold');
    }
    const scopeTags = await this.findTags(scopeTagIds);
    const secret = generateApiKeySecret();
    const apiKey = await this.keys.save(
      this.keys.create({
        name,
        role: command.role,
        secretPrefix: secretPrefix(secret),
        secretHash: hashApiKeySecret(secret),
        isBootstrap: false,
        scopeTags,
        createdAt: this.clock.now(),
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { apiKey, secret };
  }

  async revoke(id: string, scope: AccessScope): Promise<ApiKeyEntity> {
    const key = await this.findVisible(id, scope);
    if (!key) throw notFound('API key');
    if (!key.revokedAt) {
      key.revokedAt = this.clock.now();
      await this.keys.update({ id }, { revokedAt: key.revokedAt });
      // This instance refuses the key from now on; the others when API_KEY_REVOKED reaches them.
      this.principals?.evictKey(id);
      for (const listener of this.revokedListeners) await listener(id);
    }
    return key;
  }

  /** A scoped key sees keys whose tags are all its own (and never unrestricted keys). */
  async findVisible(id: string, scope: AccessScope): Promise<ApiKeyEntity | null> {
    const key = await this.keys.findOne({ where: { id }, relations: { scopeTags: true } });
    if (!key) return null;
    const tagIds = key.scopeTags.map((t) => t.id);
    if (!scope.unrestricted && (tagIds.length === 0 || !scope.holdsAll(tagIds))) return null;
    return key;
  }

  /**
   * The keys a caller may list (`apiKeys`), by the rule of findVisible in SQL: everything for an
   * unrestricted key; for a scoped one, keys with at least one tag and none outside its own.
   * Without relations (the connection pages it); the tags are read per page with findByIds.
   */
  listQuery(scope: AccessScope, options: { includeRevoked: boolean }): SelectQueryBuilder<ApiKeyEntity> {
    const qb = this.keys.createQueryBuilder('k');
    if (!options.includeRevoked) qb.andWhere('k.revoked_at IS NULL');
    if (!scope.unrestricted) {
      qb.andWhere('EXISTS (SELECT 1 FROM api_key_scope_tags own WHERE own.api_key_id = k.id)');
      qb.andWhere('NOT EXISTS (SELECT 1 FROM api_key_scope_tags x WHERE x.api_key_id = k.id AND x.scope_tag_id NOT IN (:...scopeTagIds))', {
        scopeTagIds: [...scope.scopeTagIds],
      });
    }
    return qb;
  }

  async findByIds(ids: readonly string[]): Promise<ApiKeyEntity[]> {
    return ids.length ? this.keys.find({ where: { id: In([...ids]) }, relations: { scopeTags: true } }) : [];
  }

  /** Makes sure an unrevoked ADMIN key with this secret exists (BOOTSTRAP_API_KEY). */
  async ensureBootstrapKey(secret: string): Promise<void> {
    const hash = hashApiKeySecret(secret);
    await this.dataSource.query(
      `INSERT INTO api_keys (name, role, secret_prefix, secret_hash, is_bootstrap, created_at)
       VALUES ('bootstrap', 'ADMIN', $1, $2, true, $3)
       ON CONFLICT (secret_hash) DO UPDATE SET role = 'ADMIN', revoked_at = NULL`,
      [secretPrefix(secret), hash, this.clock.now()],
    );
  }

  private async findTags(ids: string[]): Promise<ScopeTagEntity[]> {
    if (ids.length === 0) return [];
    const tags = await this.tags.find({ where: { id: In(ids) } });
    if (tags.length !== ids.length) throw badInput('scopeTagIds names a scope tag that does not exist', 'scopeTagIds');
    return tags;
  }
}
