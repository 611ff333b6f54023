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
import { AppleBusinessApi1764141500000 } from './1764141500000-AppleBusinessApi';

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
  AppleBusinessApi1764141500000,
];
