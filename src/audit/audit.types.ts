import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../auth/role';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { AuditEventEntity } from './audit-event.entity';

export enum AuditOutcome {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(AuditOutcome, { name: 'AuditOutcome', description: 'FAILED events carry the error code the client was shown' });

export enum AuditActorType {
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
}
registerEnumType(AuditActorType, {
  name: 'AuditActorType',
  valuesConfig: {
    API_KEY: { description: 'A mutation made with an API key' },
    SYSTEM: { description: 'Something depgate did by itself: a scheduled or follow-up sync, an automatic profile assignment, an alert raised' },
  },
});

export enum AuditTransport {
  HTTP = 'HTTP',
  WEBSOCKET = 'WEBSOCKET',
  SYSTEM = 'SYSTEM',
}
registerEnumType(AuditTransport, { name: 'AuditTransport', description: 'How the operation arrived (SYSTEM: background work)' });

@ObjectType({
  implements: Node,
  description: 'One recorded action: who, what, on which objects, how it ended and from where. Never holds a secret or an input value other than ids',
})
export class AuditEvent extends Node {
  @Field()
  occurredAt: Date;

  @Field(() => AuditActorType)
  actorType: AuditActorType;

  @Field(() => ID, { nullable: true, description: 'The ApiKey that acted; null for the system' })
  actorKeyId: string | null;

  @Field({ description: "The API key's name at the time, or `system`" })
  actorName: string;

  @Field(() => Role, { nullable: true, description: "The key's role at the time; null for the system" })
  actorRole: Role | null;

  @Field({ description: 'The mutation (`uploadDepToken`, `syncDepToken`...) or background action (`raiseAlert`)' })
  operation: string;

  @Field(() => [ID], { description: "Global ids of the objects touched: the input's ids and the objects the payload returned" })
  targetIds: string[];

  @Field(() => AuditOutcome)
  outcome: AuditOutcome;

  @Field(() => String, { nullable: true, description: 'The `extensions.code` of a FAILED event' })
  errorCode: string | null;

  @Field(() => String, { nullable: true, description: 'The request id (x-request-id) of the operation, or of the request that caused a background action' })
  requestId: string | null;

  @Field(() => String, { nullable: true, description: 'The peer address of the HTTP request or WebSocket (a proxy, behind one)' })
  clientAddress: string | null;

  @Field(() => AuditTransport)
  transport: AuditTransport;

  static from(entity: AuditEventEntity): AuditEvent {
    return Object.assign(new AuditEvent(), {
      id: toGlobalId('AuditEvent', entity.id),
      occurredAt: entity.occurredAt,
      actorType: entity.actorType as AuditActorType,
      actorKeyId: entity.actorKeyId ? toGlobalId('ApiKey', entity.actorKeyId) : null,
      actorName: entity.actorName,
      actorRole: entity.actorRole,
      operation: entity.operation,
      targetIds: entity.targetIds,
      outcome: entity.outcome as AuditOutcome,
      errorCode: entity.errorCode,
      requestId: entity.requestId,
      clientAddress: entity.clientAddress,
      transport: entity.transport as AuditTransport,
    });
  }
}

export const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent');

@InputType()
export class AuditEventFilter {
  @Field(() => ID, { nullable: true, description: 'Only events of this ApiKey' })
  actorKeyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this operation (a mutation or background action name)' })
  operation?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only events that touched this object (any global id)' })
  targetId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Events at or after this instant' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events before this instant' })
  to?: Date | null;

  @Field(() => AuditOutcome, { nullable: true })
  outcome?: AuditOutcome | null;
}
