import 'reflect-metadata';
import DataLoader from 'dataloader';
import { createAlertLoaders } from '../../src/alerts/alert.loaders';
import { createApnsLoaders } from '../../src/apns/apns-certificate.loaders';
import { createAppleBusinessLoaders } from '../../src/apple-business/apple-business.loaders';
import { createAssignmentHistoryLoaders } from '../../src/assignment-history/assignment-history.loaders';
import { AccessScope } from '../../src/auth/access-scope';
import { createDeviceLoaders } from '../../src/devices/device.loaders';
import { createLoaders, lazyLoaderGroups, loaderGroupsMade, type LoaderGroupFactory } from '../../src/loaders';
import { createProfileLoaders } from '../../src/profiles/profile.loaders';
import type { Services } from '../../src/services';
import { createSyncLoaders } from '../../src/sync/sync.loaders';
import { createTokenLoaders } from '../../src/tokens/token.loaders';
import { createVppTokenLoaders } from '../../src/vpp/vpp-token.loaders';
import { createWebhookLoaders } from '../../src/webhooks/webhook.loaders';

// The factories only close over services; nothing here runs a batch.
const services = {} as Services;
const scope = new AccessScope({ scopeTagIds: [] });

/** The loader names the object offers: its prototype's getters, not its own bookkeeping. */
function namesOf(loaders: object): string[] {
  const names: string[] = [];
  for (const name in loaders) if (!Object.hasOwn(loaders, name)) names.push(name);
  return names.sort();
}

describe('createLoaders', () => {
  it('offers every loader of every feature, as the groups themselves name them', () => {
    const eager = {
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
    const loaders = createLoaders(services, scope);
    expect(namesOf(loaders)).toEqual(Object.keys(eager).sort());
    expect(loaders.tokenById).toBeInstanceOf(DataLoader);
    expect(typeof loaders.devicesByToken).toBe('function');
  });

  it('makes a group on the first read of one of its loaders, once per request', () => {
    const loaders = createLoaders(services, scope);
    expect(loaderGroupsMade(loaders)).toBe(0);
    const tokenById = loaders.tokenById;
    expect(loaderGroupsMade(loaders)).toBe(1);
    expect(loaders.tokenById).toBe(tokenById);
    void loaders.scopeTagsByToken; // the same group as tokenById
    expect(loaderGroupsMade(loaders)).toBe(1);
    void loaders.profileById;
    expect(loaderGroupsMade(loaders)).toBe(2);
  });

  it('never shares a loader between two requests', () => {
    const first = createLoaders(services, scope);
    const second = createLoaders(services, scope);
    expect(first.tokenById).not.toBe(second.tokenById);
    expect(first.deviceById).not.toBe(second.deviceById);
  });

  it('hands each group the services and scope of its own request', () => {
    const seen: AccessScope[] = [];
    const groups = lazyLoaderGroups([(_services, groupScope) => (seen.push(groupScope), { only: 1 })]);
    const other = new AccessScope({ scopeTagIds: ['t1'] });
    const loaders = groups.create(services, other) as { only: number };
    expect(loaders.only).toBe(1);
    expect(seen).toEqual([other]);
  });
});

describe('lazyLoaderGroups', () => {
  it('refuses two groups that name the same loader, on the first request', () => {
    const groups: LoaderGroupFactory[] = [() => ({ a: 1, shared: 2 }), () => ({ b: 3, shared: 4 })];
    expect(() => lazyLoaderGroups(groups).create(services, scope)).toThrow('loader groups 0 and 1 both define a loader named shared');
  });

  it('refuses a loader named like a member of the loaders object itself', () => {
    expect(() => lazyLoaderGroups([() => ({ group: 1 })]).create(services, scope)).toThrow('the loader name group is taken');
    expect(() => lazyLoaderGroups([() => ({ made: 1 })]).create(services, scope)).toThrow('the loader name made is taken');
    expect(() => lazyLoaderGroups([() => ({ scope: 1 })]).create(services, scope)).toThrow('the loader name scope is taken');
  });

  it('refuses to count the groups of an object it did not make', () => {
    const groups = lazyLoaderGroups([() => ({ a: 1 })]);
    expect(() => groups.groupsMade({ a: 1 })).toThrow(TypeError);
    expect(() => groups.groupsMade(lazyLoaderGroups([() => ({ a: 1 })]).create(services, scope))).toThrow(TypeError);
  });
});
