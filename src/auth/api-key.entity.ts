import { Column, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from './role';
import { ScopeTagEntity } from './scope-tag.entity';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  /** The first characters of the secret: narrows the lookup; the hash decides. */
  @Column({ name: 'secret_prefix', type: 'text' })
  secretPrefix: string;

  /** SHA-256 of the whole secret (secrets are 256-bit random, so a fast hash is sufficient). */
  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash: Buffer;

  @Column({ name: 'is_bootstrap', type: 'boolean', default: false })
  isBootstrap: boolean;

  @ManyToMany(() => ScopeTagEntity)
  @JoinTable({
    name: 'api_key_scope_tags',
    joinColumn: { name: 'api_key_id' },
    inverseJoinColumn: { name: 'scope_tag_id' },
  })
  scopeTags: ScopeTagEntity[];

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt: Date | null;
}
