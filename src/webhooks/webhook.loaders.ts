import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { WebhookEntity } from './webhook.entity';

export interface WebhookLoaders {
  /** Webhooks this key may see by row id (null when absent or not visible): alerts' `webhook` and `node` share one batch. */
  webhookById: DataLoader<string, WebhookEntity | null>;
}

export function createWebhookLoaders(services: Services, scope: AccessScope): WebhookLoaders {
  return {
    webhookById: new DataLoader(async (ids) => byIds(ids, await services.webhooks.findVisibleByIds(ids, scope))),
  };
}
