/**
 * The audit trail of one instance: what a mutation did (recorded by audit.middleware.ts, on both
 * transports), what the system did on its own (audit.wiring.ts), reads for `auditEvents`, and the
 * retention rule (AUDIT_RETENTION_DAYS, applied by the prune job in audit.jobs.ts).
 */
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { DAY_MS, type Clock } from '../clock';
import type { SqlRunner } from '../database/sql-runner';
import { toGlobalId, type NodeTypeName } from '../graphql/global-id';
import type { AuditOutcomeName, AuditTransportName } from './audit-event.entity';
import { scopeTagsOfTargets } from './audit-scope-tags';
import { MAX_TARGET_IDS } from './audit-targets';
import { AuditStore, type AuditFilterCommand, type AuditReader } from './audit.store';

export const SYSTEM_ACTOR_NAME = 'system';

export interface MutationAudit {
  principal: Principal;
  operation: string;
  /** Global ids (input and payload). */
  targetIds: string[];
  /** Tags read before the mutation ran (its input's targets, which a deletion removes). */
  scopeTagIdsBefore: string[];
  outcome: AuditOutcomeName;
  errorCode: string | null;
  requestId: string;
  clientAddress: string | null;
  transport: Exclude<AuditTransportName, 'SYSTEM'>;
}

export interface SystemAudit {
  operation: string;
  targets: { type: NodeTypeName; id: string }[];
  outcome?: AuditOutcomeName;
  errorCode?: string | null;
  /** The request that caused it (an upload's first sync), when there was one. */
  requestId?: string | null;
}

export class AuditService {
  private readonly store: AuditStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {
    this.store = new AuditStore(dataSource);
  }

  /** The tags of the tokens these global ids belong to, now (on `executor` inside a transaction). */
  scopeTagsOf(globalIds: readonly string[], executor: SqlRunner = this.dataSource): Promise<string[]> {
    return scopeTagsOfTargets(executor, globalIds);
  }

  async recordMutation(event: MutationAudit): Promise<void> {
    const targetIds = event.targetIds.slice(0, MAX_TARGET_IDS);
    const after = await this.scopeTagsOf(targetIds);
    await this.store.insert({
      occurredAt: this.clock.now(),
      actorType: 'API_KEY',
      actorKeyId: event.principal.apiKeyId,
      actorName: event.principal.name,
      actorRole: event.principal.role,
      operation: event.operation,
      targetIds,
      outcome: event.outcome,
      errorCode: event.errorCode,
      requestId: event.requestId,
      clientAddress: event.clientAddress,
      transport: event.transport,
      scopeTagIds: [...new Set([...event.scopeTagIdsBefore, ...after])].sort(),
    });
  }

  /**
   * A background action, with the system as actor. On `executor` (the action's transaction) it
   * commits with the action or not at all. A request that caused it (an upload queueing its first
   * sync) lends its request id, handed down in `event.requestId` (no async-context store: see
   * src/http/request-logging.ts).
   */
  async recordSystem(event: SystemAudit, executor: SqlRunner = this.dataSource): Promise<void> {
    const targetIds = [...new Set(event.targets.map((t) => toGlobalId(t.type, t.id)))].slice(0, MAX_TARGET_IDS);
    const outcome = event.outcome ?? 'SUCCEEDED';
    await this.store.insert(
      {
        occurredAt: this.clock.now(),
        actorType: 'SYSTEM',
        actorKeyId: null,
        actorName: SYSTEM_ACTOR_NAME,
        actorRole: null,
        operation: event.operation,
        targetIds,
        outcome,
        errorCode: outcome === 'FAILED' ? (event.errorCode ?? 'INTERNAL_SERVER_ERROR') : null,
        requestId: event.requestId ?? null,
        clientAddress: null,
        transport: 'SYSTEM',
        scopeTagIds: await this.scopeTagsOf(targetIds, executor),
      },
      executor,
    );
  }

  listQuery(reader: AuditReader, filter: AuditFilterCommand) {
    return this.store.listQuery(reader, filter);
  }

  findVisibleByIds(reader: AuditReader, ids: readonly string[]) {
    return this.store.findVisibleByIds(reader, ids);
  }

  /** Deletes events older than AUDIT_RETENTION_DAYS on the injected clock. */
  prune(signal?: AbortSignal): Promise<number> {
    return this.store.prune(new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS), signal);
  }
}
