/**
 * The request id and logger of the work in progress, carried across awaits (AsyncLocalStorage), so
 * that error formatting and deep log lines name the request without threading it everywhere.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from './logger';

export interface RequestStore {
  requestId: string;
  logger: Logger;
}

export const requestStore = new AsyncLocalStorage<RequestStore>();
