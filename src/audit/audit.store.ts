/**
 * The one owner of `audit_events`: appends events (on the caller's executor, so a background
 * action and its event commit together), lists them for a reader, and prunes old ones. Rows are
 * never updated.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import type { SqlRunner } from '../database/sql-runner';
import { AuditEventEntity, type AuditOutcomeName } from './audit-event.entity';

export type NewAuditEvent = Omit<AuditEventEntity, 'id' | 'seq'>;

/** Who reads the trail: an unrestricted key sees every event; a scoped one its tokens' events and its own. */
export interface AuditReader {
  apiKeyId: string;
  scope: AccessScope;
}

export interface AuditFilterCommand {
  actorKeyId?: string | null;
  operation?: string | null;
  /** A global id, as stored. */
  targetId?: string | null;
  /** Inclusive. */
  from?: Date | null;
  /** Exclusive. */
  to?: Date | null;
  outcome?: AuditOutcomeName | null;
}

/** Rows deleted per statement while pruning: short statements, no long lock on a busy table. */
const PRUNE_BATCH = 5_000;

export class AuditStore {
  private readonly events: Repository<AuditEventEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.events = dataSource.getRepository(AuditEventEntity);
  }

  async insert(event: NewAuditEvent, executor: SqlRunner = this.dataSource): Promise<string> {
    const id = randomUUID();
    await executor.query(
      `INSERT INTO audit_events (id, occurred_at, actor_type, actor_key_id, actor_name, actor_role, operation, target_ids, outcome,
                                 error_code, request_id, client_address, transport, scope_tag_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10, $11, $12, $13, $14::uuid[])`,
      [
        id,
        event.occurredAt,
        event.actorType,
        event.actorKeyId,
        event.actorName,
        event.actorRole,
        event.operation,
        event.targetIds,
        event.outcome,
        event.errorCode,
        event.requestId,
        event.clientAddress,
        event.transport,
        event.scopeTagIds,
      ],
    );
    return id;
  }

  /** The reader's visible events matching the filter (the caller pages on occurred_at, seq). */
  listQuery(reader: AuditReader, filter: AuditFilterCommand = {}): SelectQueryBuilder<AuditEventEntity> {
    const qb = this.visible(reader, this.events.createQueryBuilder('e'));
    if (filter.actorKeyId) qb.andWhere('e.actor_key_id = :actorKeyId', { actorKeyId: filter.actorKeyId });
    if (filter.operation) qb.andWhere('e.operation = :operation', { operation: filter.operation });
    if (filter.targetId) qb.andWhere('e.target_ids @> ARRAY[CAST(:targetId AS text)]', { targetId: filter.targetId });
    if (filter.from) qb.andWhere('e.occurred_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.occurred_at < :to', { to: filter.to });
    if (filter.outcome) qb.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    return qb;
  }

  async findVisibleByIds(reader: AuditReader, ids: readonly string[]): Promise<AuditEventEntity[]> {
    if (ids.length === 0) return [];
    return this.visible(reader, this.events.createQueryBuilder('e').where('e.id IN (:...ids)', { ids: [...ids] })).getMany();
  }

  /** Deletes events older than `before`; returns how many went. */
  async prune(before: Date, signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (;;) {
      if (signal?.aborted) break;
      const [, affected] = await this.dataSource.query(
        `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at, seq LIMIT $2)`,
        [before, PRUNE_BATCH],
      );
      const n = Number(affected) || 0;
      total += n;
      if (n < PRUNE_BATCH) break;
    }
    return total;
  }

  private visible(reader: AuditReader, qb: SelectQueryBuilder<AuditEventEntity>): SelectQueryBuilder<AuditEventEntity> {
    if (reader.scope.unrestricted) return qb;
    return qb.andWhere('(e.actor_key_id = :readerKeyId OR e.scope_tag_ids && CAST(:readerTags AS uuid[]))', {
      readerKeyId: reader.apiKeyId,
      readerTags: [...reader.scope.scopeTagIds],
    });
  }
}
