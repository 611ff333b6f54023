import DataLoader from 'dataloader';
import { byIds } from '../graphql/loader-batch';
import type { Services } from '../services';
import type { ApnsCertificateEntity } from './apns-certificate.entity';

export interface ApnsLoaders {
  /** The push certificate by row id (every key may read it: it names no token and holds no secret). */
  apnsCertificateById: DataLoader<string, ApnsCertificateEntity | null>;
}

export function createApnsLoaders(services: Services): ApnsLoaders {
  return {
    apnsCertificateById: new DataLoader(async (ids) => byIds(ids, await services.apnsCertificates.findByIds(ids))),
  };
}
