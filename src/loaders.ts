/**
 * DataLoaders, created fresh for each request (and each subscription event) so that caching never
 * crosses callers with different visibility. Each feature contributes a factory.
 */
import { createAssignmentHistoryLoaders, type AssignmentHistoryLoaders } from './assignment-history/assignment-history.loaders';
import { createApnsLoaders, type ApnsLoaders } from './apns/apns-certificate.loaders';
import { createAppleBusinessLoaders, type AppleBusinessLoaders } from './apple-business/apple-business.loaders';
import type { AccessScope } from './auth/access-scope';
import { createDeviceLoaders, type DeviceLoaders } from './devices/device.loaders';
import { createProfileLoaders, type ProfileLoaders } from './profiles/profile.loaders';
import type { Services } from './services';
import { createSyncLoaders, type SyncLoaders } from './sync/sync.loaders';
import { createTokenLoaders, type TokenLoaders } from './tokens/token.loaders';
import { createAlertLoaders, type AlertLoaders } from './alerts/alert.loaders';
import { createVppTokenLoaders, type VppTokenLoaders } from './vpp/vpp-token.loaders';
import { createWebhookLoaders, type WebhookLoaders } from './webhooks/webhook.loaders';

export type Loaders = AssignmentHistoryLoaders &
  ApnsLoaders &
  AppleBusinessLoaders &
  VppTokenLoaders &
  AlertLoaders &
  TokenLoaders &
  ProfileLoaders &
  DeviceLoaders &
  SyncLoaders &
  WebhookLoaders;

export function createLoaders(services: Services, scope: AccessScope): Loaders {
  return {
    ...createTokenLoaders(services, scope),
    ...createVppTokenLoaders(services, scope),
    ...createAlertLoaders(services, scope),
    ...createProfileLoaders(services, scope),
    ...createDeviceLoaders(services, scope),
    ...createSyncLoaders(services, scope),
    ...createAssignmentHistoryLoaders(services.assignmentHistory),
    ...createApnsLoaders(services),
    ...createAppleBusinessLoaders(services, scope),
    ...createWebhookLoaders(services, scope),
  };
}
