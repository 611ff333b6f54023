import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';

export enum WebhookEvent {
  DEVICES_ADDED = 'DEVICES_ADDED',
  DEVICES_MODIFIED = 'DEVICES_MODIFIED',
  DEVICES_DELETED = 'DEVICES_DELETED',
  DEVICES_ASSIGNED = 'DEVICES_ASSIGNED',
  SYNC_RUN_FINISHED = 'SYNC_RUN_FINISHED',
  ALERT_RAISED = 'ALERT_RAISED',
  ALERT_RESOLVED = 'ALERT_RESOLVED',
  TOKEN_STATUS_CHANGED = 'TOKEN_STATUS_CHANGED',
}
registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  valuesConfig: {
    DEVICES_ADDED: { description: 'Devices arrived (a sync page): `data.devices` with their global ids and fields; one request per page' },
    DEVICES_MODIFIED: {
      description:
        'Devices changed at Apple (a sync page), or their profile was removed (`data.cause` PROFILE_REMOVED): `data.devices` with `changedFields` (new values)',
    },
    DEVICES_DELETED: {
      description:
        'Devices left: from the MDM server in Apple Business Manager (a sync page, `data.deletedBy` APPLE) or deleted from depgate (`deletedBy` DEPGATE, with `requestedBy` and the bulk `deviceDeletionId`)',
    },
    DEVICES_ASSIGNED: {
      description:
        "Apple answered a profile assignment (an admin's `assignEnrollmentProfile`, or automatic after a sync page: `data.automatic`): `data.profileId`, counts, and `data.devices` with each one's `status`; one request per chunk of at most 1,000",
    },
    SYNC_RUN_FINISHED: { description: 'A sync run ended (succeeded, failed or timed out), with its counters' },
    ALERT_RAISED: { description: 'An alert was raised' },
    ALERT_RESOLVED: { description: 'An alert was resolved' },
    TOKEN_STATUS_CHANGED: {
      description:
        'A DEP token changed status: expiring soon (TOKEN_EXPIRING_SOON_DAYS), expired, rejected, held by unsigned terms, or recovered (`data.status` now, `data.previousStatus` before)',
    },
  },
});

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its turn or for the next retry (nextAttemptAt)' },
    DELIVERED: { description: 'The receiver answered 2xx' },
    FAILED: { description: 'Given up (not used while the webhook is enabled: deliveries are retried until it is disabled)' },
  },
});

@ObjectType({ implements: Node, description: 'An HTTP endpoint told of events with signed POSTs (X-Depgate-Timestamp, X-Depgate-Signature)' })
export class Webhook extends Node {
  @Field()
  url: string;

  @Field(() => [WebhookEvent])
  events: WebhookEvent[];

  @Field(() => [ID], { description: 'Only events about tokens carrying one of these tags (those this key may see); empty: every event' })
  scopeTagIds: string[];

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field({ description: 'False once disabled by an admin or after repeated failures (WEBHOOK_DISABLE_AFTER_FAILURES)' })
  enabled: boolean;

  @Field(() => Date, { nullable: true })
  disabledAt: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason: string | null;

  @Field(() => Int, { description: 'Failed attempts since the last delivered one' })
  consecutiveFailures: number;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  rowId: string;

  static from(entity: WebhookEntity, visibleTagIds: string[]): Webhook {
    return Object.assign(new Webhook(), {
      id: toGlobalId('Webhook', entity.id),
      rowId: entity.id,
      url: entity.url,
      events: entity.events as WebhookEvent[],
      scopeTagIds: visibleTagIds.map((id) => toGlobalId('ScopeTag', id)),
      description: entity.description,
      enabled: entity.enabled,
      disabledAt: entity.disabledAt,
      disabledReason: entity.disabledReason,
      consecutiveFailures: entity.consecutiveFailures,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    });
  }
}

@ObjectType({ description: 'One event for one webhook and how its delivery went' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Also the body\'s `deliveryId` (receivers deduplicate on it: delivery is at least once)' })
  id: string;

  @Field(() => WebhookEvent)
  event: WebhookEvent;

  @Field(() => WebhookDeliveryStatus)
  status: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts: number;

  @Field(() => Int, { nullable: true, description: "The receiver's last HTTP status; null when it could not be reached" })
  lastResponseCode: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (e.g. `HTTP 500`, `ECONNREFUSED`)' })
  lastError: string | null;

  @Field(() => Date, { nullable: true })
  lastAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  nextAttemptAt: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;

  @Field()
  createdAt: Date;

  @Field({ description: 'The JSON body sent (the same on every attempt)' })
  payload: string;

  static from(entity: WebhookDeliveryEntity): WebhookDelivery {
    return Object.assign(new WebhookDelivery(), {
      id: entity.id,
      event: entity.event as WebhookEvent,
      status: entity.status as WebhookDeliveryStatus,
      attempts: entity.attempts,
      lastResponseCode: entity.lastResponseCode,
      lastError: entity.lastError,
      lastAttemptAt: entity.lastAttemptAt,
      nextAttemptAt: entity.nextAttemptAt,
      deliveredAt: entity.deliveredAt,
      createdAt: entity.createdAt,
      payload: entity.body,
    });
  }
}

export const WebhookConnection = ConnectionType(Webhook, 'Webhook');
export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'https (http and private addresses only with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true); at most 2000 characters' })
  url: string;

  @Field(() => [WebhookEvent], { description: 'At least one; at most as many as there are events' })
  events: WebhookEvent[];

  @Field(() => [ID], { nullable: true, description: 'Only events about tokens carrying one of these tags; a scoped key defaults to its own tags. At most 100' })
  scopeTagIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'The signing secret (16 to 200 characters); omitted: one is generated. Returned once, in the payload' })
  secret?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 1000 characters' })
  description?: string | null;
}

@InputType()
export class UpdateWebhookInput {
  @Field(() => ID)
  webhookId: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [WebhookEvent], { nullable: true, description: 'Replaces the events: at least one; at most as many as there are events' })
  events?: WebhookEvent[] | null;

  @Field(() => [ID], { nullable: true, description: 'Replaces the scope tags. At most 100' })
  scopeTagIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A new signing secret (not returned)' })
  secret?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled webhook: the deliveries kept meanwhile go out, in order' })
  enabled?: boolean | null;
}

@InputType()
export class DeleteWebhookInput {
  @Field(() => ID)
  webhookId: string;
}

@ObjectType()
export class CreateWebhookPayload {
  @Field(() => Webhook)
  webhook: Webhook;

  @Field({ description: 'The signing secret: shown this once, never again' })
  secret: string;
}

@ObjectType()
export class WebhookPayload {
  @Field(() => Webhook)
  webhook: Webhook;
}

@ObjectType()
export class DeleteWebhookPayload {
  @Field(() => ID)
  deletedWebhookId: string;
}
