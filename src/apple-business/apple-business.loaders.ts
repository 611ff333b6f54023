import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import type { ScopeTagEntity } from '../auth/scope-tag.entity';
import { createScopeTagsLoader } from '../auth/scope-tag.loaders';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { DepTokenEntity } from '../tokens/token.entity';
import type { AppleBusinessAccountEntity } from './account.entity';
import { mdmServerAppleIdOf, type AppleMdmServerEntity } from './mdm-server.entity';
import type { OrgDeviceActivityEntity } from './org-device-activity.entity';
import type { OrgDeviceEntity } from './org-device.entity';

export interface AppleBusinessLoaders {
  /** Visible accounts by row id (null when absent or not visible). */
  appleBusinessAccountById: DataLoader<string, AppleBusinessAccountEntity | null>;
  scopeTagsByAppleBusinessAccount: DataLoader<string, ScopeTagEntity[]>;
  orgDeviceById: DataLoader<string, OrgDeviceEntity | null>;
  /** The org device of a DEP device's serial (Device.orgDevice). */
  orgDeviceBySerial: DataLoader<string, OrgDeviceEntity | null>;
  mdmServerById: DataLoader<string, AppleMdmServerEntity | null>;
  /** Keyed `accountId:appleServerId` (OrgDevice.assignedServer). */
  mdmServerByAppleKey: DataLoader<string, AppleMdmServerEntity | null>;
  /** Keyed by a DEP server uuid spelled as Apple's id (DepToken.mdmServer). */
  mdmServerByDepServer: DataLoader<string, AppleMdmServerEntity | null>;
  orgDeviceActivityById: DataLoader<string, OrgDeviceActivityEntity | null>;
  /** Visible DEP tokens by their server uuid spelled as Apple's id (MdmServer.depToken). */
  depTokenByServerAppleId: DataLoader<string, DepTokenEntity | null>;
}

export function createAppleBusinessLoaders(services: Services, scope: AccessScope): AppleBusinessLoaders {
  return {
    appleBusinessAccountById: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessAccounts.findVisibleByIds(ids, scope))),
    scopeTagsByAppleBusinessAccount: createScopeTagsLoader(services.scopeTags, (ids) => services.appleBusinessAccounts.scopeTagIdsByToken(ids)),
    orgDeviceById: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessInventory.visibleDevicesByIds(ids, scope))),
    orgDeviceBySerial: new DataLoader(async (serials) => byIds(serials, await services.appleBusinessInventory.visibleDevicesBySerial(serials, scope), (d) => d.serialNumber)),
    mdmServerById: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessInventory.visibleServersByIds(ids, scope))),
    mdmServerByAppleKey: new DataLoader(async (keys) =>
      byIds(keys, await services.appleBusinessInventory.visibleServersByAppleKey(keys, scope), (s) => `${s.accountId}:${s.appleId}`),
    ),
    mdmServerByDepServer: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessInventory.visibleServersByDepUuid(ids, scope), (s) => s.appleId)),
    orgDeviceActivityById: new DataLoader(async (ids) => byIds(ids, await services.appleBusinessActivities.visibleByIds(ids, scope))),
    depTokenByServerAppleId: new DataLoader(async (ids) =>
      byIds(ids, await services.appleBusinessInventory.visibleDepTokensByServerAppleId(ids, scope), (t) => mdmServerAppleIdOf(t.serverUuid)),
    ),
  };
}
