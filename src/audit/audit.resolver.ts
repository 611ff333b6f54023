import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ascending, ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { badInput } from '../errors/domain-error';
import { fromGlobalId, parseGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { AuditEventEntity } from './audit-event.entity';
import type { AuditFilterCommand, AuditReader } from './audit.store';
import { AuditEvent, AuditEventConnection, AuditEventFilter } from './audit.types';

/** Longer than any operation name; a longer filter is a mistake, said as one. */
const MAX_OPERATION_LENGTH = 100;

function filterCommand(filter: AuditEventFilter | null | undefined): AuditFilterCommand {
  if (filter?.targetId && !parseGlobalId(filter.targetId)) throw badInput('targetId must be a global id', 'targetId');
  if (filter?.operation && filter.operation.length > MAX_OPERATION_LENGTH) {
    throw badInput(`operation is at most ${MAX_OPERATION_LENGTH} characters`, 'operation');
  }
  return {
    actorKeyId: filter?.actorKeyId ? fromGlobalId(filter.actorKeyId, 'ApiKey', 'actorKeyId') : null,
    operation: filter?.operation ?? null,
    targetId: filter?.targetId ?? null,
    from: filter?.from ?? null,
    to: filter?.to ?? null,
    outcome: filter?.outcome ?? null,
  };
}

const reader = (ctx: RequestContext): AuditReader => ({ apiKeyId: ctx.principal.apiKeyId, scope: ctx.scope });

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description:
      'The audit trail, oldest first: every mutation and background action kept for AUDIT_RETENTION_DAYS. A key with scope tags sees the events about its tokens and its own',
  })
  @RequireRole(Role.ADMIN)
  async auditEvents(
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter: AuditEventFilter | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<AuditEvent>> {
    const page = await paginate(
      ctx.services.audit.listQuery(reader(ctx), filterCommand(filter)),
      ascending([
        { sql: 'e.occurred_at', value: (e: AuditEventEntity) => e.occurredAt.toISOString(), cast: 'timestamptz' },
        { sql: 'e.seq', value: (e: AuditEventEntity) => Number(e.seq), cast: 'int' },
      ]),
      args,
    );
    return page.map(AuditEvent.from);
  }
}

registerNodeType('AuditEvent', async (ctx, ids) => {
  // The trail is an ADMIN's: to other roles its events do not exist.
  if (ctx.principal.role !== Role.ADMIN) return ids.map(() => null);
  const found = new Map((await ctx.services.audit.findVisibleByIds(reader(ctx), ids)).map((e) => [e.id, e]));
  return ids.map((id) => (found.has(id) ? AuditEvent.from(found.get(id)!) : null));
});
