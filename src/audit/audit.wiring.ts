/**
 * Connects the audit trail to what depgate does by itself, recorded with the system as actor:
 * - a sync it queues (scheduled, after an upload, a follow-up), in the transaction that queues
 *   it, as `syncDepToken` (manual syncs are the mutation's own event);
 * - each profile's automatic assignment after a sync page, as `assignEnrollmentProfile`, FAILED
 *   with the Apple error's code when Apple's request failed;
 * - each alert raised, in the evaluation's transaction, as `raiseAlert`.
 * Events written in the action's transaction are written exactly once, however many instances run.
 */
import type { AlertEntity } from '../alerts/alert.entity';
import type { AlertService } from '../alerts/alert.service';
import type { DeviceAssignmentService } from '../devices/assignment.service';
import { appleActionMessages } from '../devices/device.errors';
import { describeDepFailure } from '../graphql/apple-error.mapping';
import type { NodeTypeName } from '../graphql/global-id';
import type { SyncRequestService } from '../sync/sync-request.service';
import type { AuditService } from './audit.service';

export const SYSTEM_OPERATIONS = {
  sync: 'syncDepToken',
  autoAssign: 'assignEnrollmentProfile',
  alertRaised: 'raiseAlert',
} as const;

export interface AuditWiring {
  audit: AuditService;
  syncRequests: Pick<SyncRequestService, 'onQueued'>;
  assignments: Pick<DeviceAssignmentService, 'onAutoAssigned'>;
  alerts: Pick<AlertService, 'onRaised'>;
}

export function wireAudit({ audit, syncRequests, assignments, alerts }: AuditWiring): void {
  syncRequests.onQueued(async (m, run, request) => {
    if (run.trigger === 'MANUAL') return;
    await audit.recordSystem(
      {
        requestId: request.requestId,
        operation: SYSTEM_OPERATIONS.sync,
        targets: [
          { type: 'DepToken', id: run.tokenId },
          { type: 'SyncRun', id: run.id },
        ],
      },
      m,
    );
  });
  assignments.onAutoAssigned(async (report) => {
    const failed = report.assigned === 0 && report.error !== undefined;
    await audit.recordSystem({
      operation: SYSTEM_OPERATIONS.autoAssign,
      targets: [
        { type: 'DepToken', id: report.tokenId },
        { type: 'EnrollmentProfile', id: report.profileId },
      ],
      outcome: failed ? 'FAILED' : 'SUCCEEDED',
      errorCode: failed ? describeDepFailure(report.error!, appleActionMessages('assign the profile')).code : null,
    });
  });
  alerts.onRaised(async (alert, executor) => {
    await audit.recordSystem({ operation: SYSTEM_OPERATIONS.alertRaised, targets: [{ type: 'Alert', id: alert.id }, ...alertSubject(alert)] }, executor);
  });
}

/** What an alert is about, as an audit target (one of its subject columns is set). */
function alertSubject(alert: AlertEntity): { type: NodeTypeName; id: string }[] {
  if (alert.depTokenId) return [{ type: 'DepToken', id: alert.depTokenId }];
  if (alert.vppTokenId) return [{ type: 'VppToken', id: alert.vppTokenId }];
  if (alert.apnsCertificateId) return [{ type: 'ApnsCertificate', id: alert.apnsCertificateId }];
  if (alert.webhookId) return [{ type: 'Webhook', id: alert.webhookId }];
  if (alert.appleBusinessAccountId) return [{ type: 'AppleBusinessAccount', id: alert.appleBusinessAccountId }];
  return [];
}
