// Every migration in order. A schema change adds a file here; never edit one that has shipped.
import { AccessControl1764140000000 } from './1764140000000-AccessControl';
import { DepTokens1764140100000 } from './1764140100000-DepTokens';
import { ProfilesAndDevices1764140200000 } from './1764140200000-ProfilesAndDevices';
import { DeviceListIndexes1764140250000 } from './1764140250000-DeviceListIndexes';
import { SyncRuns1764140300000 } from './1764140300000-SyncRuns';
import { VppAndAlerts1764140400000 } from './1764140400000-VppAndAlerts';
import { DeviceSearchIndex1764140500000 } from './1764140500000-DeviceSearchIndex';
import { ListOrderIndexes1764140600000 } from './1764140600000-ListOrderIndexes';
import { ApiKeyRateLimits1764140650000 } from './1764140650000-ApiKeyRateLimits';
import { AuditEvents1764140690000 } from './1764140690000-AuditEvents';
import { TokenRefusalAlertKinds1764140700000 } from './1764140700000-TokenRefusalAlertKinds';
import { SyncRunDevicesSkipped1764140710000 } from './1764140710000-SyncRunDevicesSkipped';
import { SyncRunProgress1764140800000 } from './1764140800000-SyncRunProgress';
import { ApiKeyListIndex1764140810000 } from './1764140810000-ApiKeyListIndex';
import { AlertKindsTable1764141000000 } from './1764141000000-AlertKindsTable';
import { ProfilePlatforms1764141200000 } from './1764141200000-ProfilePlatforms';
import { ProfileAppleKeys1764141210000 } from './1764141210000-ProfileAppleKeys';
import { DeviceMigrationDeadline1764141220000 } from './1764141220000-DeviceMigrationDeadline';
import { DeviceSerialOneToken1764141300000 } from './1764141300000-DeviceSerialOneToken';
import { DeviceProfileRemoval1764141310000 } from './1764141310000-DeviceProfileRemoval';
import { AssignmentAttempts1764141320000 } from './1764141320000-AssignmentAttempts';
import { AssignmentRetryIndex1764141330000 } from './1764141330000-AssignmentRetryIndex';
import { DeviceDeletions1764141340000 } from './1764141340000-DeviceDeletions';
import { ApnsCertificates1764141400000 } from './1764141400000-ApnsCertificates';
import { TokenEnrollmentUrl1764141410000 } from './1764141410000-TokenEnrollmentUrl';
import { Webhooks1764141420000 } from './1764141420000-Webhooks';
import { AppleBusinessApi1764141500000 } from './1764141500000-AppleBusinessApi';
import { ProfileAppleDefinition1764141700000 } from './1764141700000-ProfileAppleDefinition';
import { TokenAnnouncedStatus1764141800000 } from './1764141800000-TokenAnnouncedStatus';
import { AppleBusinessAlerts1764141810000 } from './1764141810000-AppleBusinessAlerts';
import { ApnsCertificateRequests1764141820000 } from './1764141820000-ApnsCertificateRequests';
import { DropRedundantDeviceIndexes1764141830000 } from './1764141830000-DropRedundantDeviceIndexes';

export const MIGRATIONS = [
  AccessControl1764140000000,
  DepTokens1764140100000,
  ProfilesAndDevices1764140200000,
  DeviceListIndexes1764140250000,
  SyncRuns1764140300000,
  VppAndAlerts1764140400000,
  DeviceSearchIndex1764140500000,
  ListOrderIndexes1764140600000,
  ApiKeyRateLimits1764140650000,
  AuditEvents1764140690000,
  TokenRefusalAlertKinds1764140700000,
  SyncRunDevicesSkipped1764140710000,
  SyncRunProgress1764140800000,
  ApiKeyListIndex1764140810000,
  AlertKindsTable1764141000000,
  ProfilePlatforms1764141200000,
  ProfileAppleKeys1764141210000,
  DeviceMigrationDeadline1764141220000,
  DeviceSerialOneToken1764141300000,
  DeviceProfileRemoval1764141310000,
  AssignmentAttempts1764141320000,
  AssignmentRetryIndex1764141330000,
  DeviceDeletions1764141340000,
  ApnsCertificates1764141400000,
  TokenEnrollmentUrl1764141410000,
  Webhooks1764141420000,
  AppleBusinessApi1764141500000,
  ProfileAppleDefinition1764141700000,
  TokenAnnouncedStatus1764141800000,
  AppleBusinessAlerts1764141810000,
  ApnsCertificateRequests1764141820000,
  DropRedundantDeviceIndexes1764141830000,
];
