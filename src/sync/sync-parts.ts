/**
 * What every part of the sync feature (requests, worker, scheduler) is built with: one instance's
 * database, time and logs, the queue, and the two stores that own the rows a sync writes.
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SyncQueue } from './sync-queue';
import type { SyncRunStore } from './sync-run.store';
import type { SyncIntervals } from './sync.rules';
import type { TokenSyncStateStore } from './token-sync-state.store';

export interface SyncParts {
  dataSource: DataSource;
  clock: Clock;
  logger: Logger;
  intervals: SyncIntervals;
  queue: SyncQueue;
  runs: SyncRunStore;
  tokenStates: TokenSyncStateStore;
}
