import { In, type DataSource, type Repository } from 'typeorm';
import type { Clock } from '../clock';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { AccessScope } from './access-scope';
import { ScopeTagEntity } from './scope-tag.entity';

export class ScopeTagService {
  private readonly tags: Repository<ScopeTagEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.tags = dataSource.getRepository(ScopeTagEntity);
  }

  /** A scoped key lists only its own tags. */
  async list(scope: AccessScope): Promise<ScopeTagEntity[]> {
    const where = scope.unrestricted ? {} : { id: In([...scope.scopeTagIds]) };
    return this.tags.find({ where, order: { name: 'ASC', id: 'ASC' } });
  }

  async findByIds(ids: readonly string[]): Promise<ScopeTagEntity[]> {
    return ids.length ? this.tags.find({ where: { id: In([...ids]) } }) : [];
  }

  /** Scope tags shape everyone's visibility, so only an unrestricted ADMIN manages them. */
  async create(name: string, description: string | null | undefined, scope: AccessScope): Promise<ScopeTagEntity> {
    this.requireUnrestricted(scope);
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 64) throw badInput('name must be 1 to 64 characters', 'name');
    if (description && description.length > 1024) throw badInput('description must be at most 1024 characters', 'description');
    try {
      return await this.tags.save(this.tags.create({ name: trimmed, description: description ?? null, createdAt: this.clock.now() }));
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.SCOPE_TAG_NAME_TAKEN, `A scope tag named "${trimmed}" already exists`);
      }
      throw error;
    }
  }

  /** Refused while a token or an API key carries the tag: deleting it would widen or break access. */
  async delete(id: string, scope: AccessScope): Promise<string> {
    this.requireUnrestricted(scope);
    const tag = await this.tags.findOne({ where: { id } });
    if (!tag) throw notFound('Scope tag');
    const [{ in_use }] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM api_key_scope_tags WHERE scope_tag_id = $1)
           OR EXISTS (SELECT 1 FROM dep_token_scope_tags WHERE scope_tag_id = $1)
           OR EXISTS (SELECT 1 FROM vpp_token_scope_tags WHERE scope_tag_id = $1) AS in_use`,
      [id],
    );
    if (in_use) {
      throw new DomainError(ErrorCode.SCOPE_TAG_IN_USE, `Scope tag "${tag.name}" is still assigned to DEP tokens, VPP tokens or API keys`);
    }
    await this.tags.delete({ id });
    return id;
  }

  private requireUnrestricted(scope: AccessScope): void {
    if (!scope.unrestricted) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only an API key without scope tags can manage scope tags');
    }
  }
}
