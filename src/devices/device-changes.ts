/**
 * What depgate itself does to devices outside a sync page (whose changes the sync engine's page
 * observer reports): profiles assigned (an admin's call, automatic assignment, the retry job),
 * profiles removed, devices deleted from depgate. Services publish one change per stored chunk
 * (at most 1,000 devices, one token) with the devices' ids, so a listener batches as a sync page
 * does: never one message per device.
 *
 * Contract: `publish` runs every listener in order on the executor given and rejects when one
 * does; the publisher decides what a failure means. Where the change is in a transaction the
 * listener's writes commit or roll back with it (deletions); where Apple already acted
 * (assignments, removals) the publisher logs the failure, since nothing here can undo Apple's side.
 * A change without devices is a caller's bug and throws.
 */
import type { SqlRunner } from '../database/sql-runner';
import type { AssignmentOutcomeStatus } from './assignment.service';

export interface ChangedDevice {
  id: string;
  serialNumber: string;
}

/** Who asked: an API key (null for automatic work: sync pages, the retry job). */
export interface ChangeRequester {
  apiKeyId: string;
  name: string;
}

export type DeviceChange =
  | {
      kind: 'PROFILE_ASSIGNED';
      tokenId: string;
      profileId: string;
      requestedBy: ChangeRequester | null;
      /** Every device Apple answered for in the chunk, with its outcome (SUCCESS or why not). */
      devices: (ChangedDevice & { status: AssignmentOutcomeStatus; message?: string })[];
    }
  | { kind: 'PROFILE_REMOVED'; tokenId: string; requestedBy: ChangeRequester | null; devices: ChangedDevice[] }
  | { kind: 'DELETED'; tokenId: string; requestedBy: ChangeRequester | null; deletionId: string | null; devices: ChangedDevice[] };

export type DeviceChangeListener = (change: DeviceChange, executor: SqlRunner) => Promise<void>;

export class DeviceChangeFeed {
  private readonly listeners: DeviceChangeListener[] = [];

  on(listener: DeviceChangeListener): void {
    this.listeners.push(listener);
  }

  async publish(change: DeviceChange, executor: SqlRunner): Promise<void> {
    if (change.devices.length === 0) throw new Error(`DeviceChangeFeed.publish: a ${change.kind} change without devices`);
    for (const listener of this.listeners) await listener(change, executor);
  }
}
