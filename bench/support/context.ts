import type { BenchDatabaseServer } from './database';

/** What every section gets from the runner. */
export interface BenchContext {
  db: BenchDatabaseServer;
  /** BENCH_DEVICES: the fleet size of the ingest sections. */
  devices: number;
  /** BENCH_RSS_DEVICES: the fleet whose first sync the peak RSS is measured on. */
  rssDevices: number;
}
