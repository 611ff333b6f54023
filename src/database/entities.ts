// Every TypeORM entity, registered once. A feature adds its entities here.
import { AlertEntity } from '../alerts/alert.entity';
import { AssignmentAttemptEntity } from '../assignment-history/assignment-attempt.entity';
import { ApnsCertificateEntity } from '../apns/apns-certificate.entity';
import { ApnsCertificateRequestEntity } from '../apns/apns-certificate-request.entity';
import { WebhookDeliveryEntity, WebhookEntity } from '../webhooks/webhook.entity';
import { AppleBusinessAccountEntity } from '../apple-business/account.entity';
import { AppleMdmServerEntity } from '../apple-business/mdm-server.entity';
import { OrgDeviceActivityEntity } from '../apple-business/org-device-activity.entity';
import { OrgDeviceEntity } from '../apple-business/org-device.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { ScopeTagEntity } from '../auth/scope-tag.entity';
import { DeviceDeletionEntity } from '../devices/device-deletion.entity';
import { DeviceEntity } from '../devices/device.entity';
import { ConfiguratorCertificateEntity } from '../profiles/configurator-certificate.entity';
import { EnrollmentProfileEntity } from '../profiles/profile.entity';
import { SyncRunEntity } from '../sync/sync-run.entity';
import { DepTokenKeyPairEntity } from '../tokens/key-pair.entity';
import { DepTokenEntity } from '../tokens/token.entity';
import { VppTokenEntity } from '../vpp/vpp-token.entity';

export const ENTITIES = [
  ScopeTagEntity,
  ApiKeyEntity,
  DepTokenKeyPairEntity,
  DepTokenEntity,
  ConfiguratorCertificateEntity,
  EnrollmentProfileEntity,
  DeviceEntity,
  SyncRunEntity,
  VppTokenEntity,
  AlertEntity,
  AuditEventEntity,
  AssignmentAttemptEntity,
  DeviceDeletionEntity,
  ApnsCertificateEntity,
  ApnsCertificateRequestEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  AppleBusinessAccountEntity,
  OrgDeviceEntity,
  OrgDeviceActivityEntity,
  AppleMdmServerEntity,
];
