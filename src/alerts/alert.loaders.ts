import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { AlertEntity } from './alert.entity';

export interface AlertLoaders {
  /** Visible alerts by row id (null when absent or not visible). */
  alertById: DataLoader<string, AlertEntity | null>;
}

export function createAlertLoaders(services: Services, scope: AccessScope): AlertLoaders {
  return {
    alertById: new DataLoader(async (ids) => byIds(ids, await services.alerts.findVisibleByIds(ids, scope))),
  };
}
