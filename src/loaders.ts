/**
 * DataLoaders, created fresh for each request (and each subscription event) so that caching never
 * crosses callers with different visibility. Each feature contributes a factory of a group of
 * loaders.
 *
 * A group is made the first time one of its loaders is read, not with the request: a request uses
 * two to five of the 35 or so loaders, and making every group up front was about 1.5 % of a device
 * list request's CPU and 2 % of what it allocated (issue #15). Laziness is per group, so the loaders
 * of one group (which may share state) are still made together, once per request.
 *
 * The loader names are learnt from the groups the first `createLoaders` call makes (no list to keep
 * in step with the factories), and each becomes a getter on the prototype of one class (one shape:
 * property reads stay monomorphic). Two groups naming the same loader fail that first call:
 * spreading the groups into one object, as this module once did, let the later one win silently.
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

export type LoaderGroupFactory = (services: Services, scope: AccessScope) => object;

/** Every group, in no particular order (no two may name the same loader). */
const GROUPS: readonly LoaderGroupFactory[] = [
  createTokenLoaders,
  createVppTokenLoaders,
  createAlertLoaders,
  createProfileLoaders,
  createDeviceLoaders,
  createSyncLoaders,
  (services) => createAssignmentHistoryLoaders(services.assignmentHistory),
  createApnsLoaders,
  createAppleBusinessLoaders,
  createWebhookLoaders,
];

/** What `lazyLoaderGroups` makes: the loaders of one request, and how many groups it has made. */
export interface LazyLoaderGroups {
  create(services: Services, scope: AccessScope): object;
  groupsMade(loaders: object): number;
}

/**
 * One class per set of groups: its instances hold a slot per group, filled on first use, and its
 * prototype a getter per loader name once the first instance has made every group.
 */
export function lazyLoaderGroups(groups: readonly LoaderGroupFactory[]): LazyLoaderGroups {
  class RequestLoaders {
    /** The groups made so far, by their index in `groups`. */
    readonly made: (Record<string, unknown> | undefined)[] = new Array(groups.length);

    constructor(
      readonly services: Services,
      readonly scope: AccessScope,
    ) {}

    group(index: number): Record<string, unknown> {
      return (this.made[index] ??= groups[index]!(this.services, this.scope) as Record<string, unknown>);
    }
  }

  let namesLearnt = false;
  const learnNames = (first: RequestLoaders): void => {
    const groupOf = new Map<string, number>();
    groups.forEach((_, index) => {
      for (const name of Object.keys(first.group(index))) {
        const other = groupOf.get(name);
        if (other !== undefined) throw new Error(`loader groups ${other} and ${index} both define a loader named ${name}`);
        if (name in first) throw new Error(`the loader name ${name} is taken by the loaders object itself`);
        groupOf.set(name, index);
      }
    });
    for (const [name, index] of groupOf) {
      Object.defineProperty(RequestLoaders.prototype, name, {
        get(this: RequestLoaders) {
          return this.group(index)[name];
        },
        enumerable: true,
      });
    }
    namesLearnt = true;
  };

  return {
    create(services, scope) {
      const loaders = new RequestLoaders(services, scope);
      if (!namesLearnt) learnNames(loaders);
      return loaders;
    },
    groupsMade(loaders) {
      if (!(loaders instanceof RequestLoaders)) throw new TypeError('not loaders made by this lazyLoaderGroups');
      return loaders.made.filter((group) => group !== undefined).length;
    },
  };
}

const requestLoaders = lazyLoaderGroups(GROUPS);

export function createLoaders(services: Services, scope: AccessScope): Loaders {
  // The prototype's getters give the object every member of Loaders; TypeScript cannot see them.
  return requestLoaders.create(services, scope) as Loaders;
}

/** How many of the loader groups these loaders have made so far (tests of the laziness). */
export function loaderGroupsMade(loaders: Loaders): number {
  return requestLoaders.groupsMade(loaders);
}
