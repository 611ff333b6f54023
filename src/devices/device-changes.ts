/**
 * What depgate itself does to devices outside a sync page (whose changes the sync engine's page
 * observer reports): profiles assigned (an admin's call, automatic assignment, the retry job),
 * profiles removed, devices deleted from depgate. Services publish one change per stored chunk
 * (at most 1,000 devices, one token) with the devices' ids, so a listener batches as a sync page
 * does: never one message per device.
 *
 * Contract: `publish` runs every listener in order on the executor given and rejects when one
 * does: inside a transaction the listener's writes commit or roll back with the change
 * (deletions). `publishAfterApple` is for changes Apple already made (assignments, removals):
 * nothing here can undo Apple's side, so a failing listener is logged, never thrown.
 * A change without devices is a caller's bug and throws.
 */
import type { SqlRunner } from '../database/sql-runner';
import type { Logger } from '../logger';
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

/** The requester of an assignment attempt's origin (assignment-history.store.ts), if a key asked. */
export const requesterOf = (origin: { apiKeyId?: string | null; apiKeyName?: string | null }): ChangeRequester | null =>
  origin.apiKeyId ? { apiKeyId: origin.apiKeyId, name: origin.apiKeyName ?? '' } : null;

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

  constructor(private readonly logger: Logger) {}

  on(listener: DeviceChangeListener): void {
    this.listeners.push(listener);
  }

  async publish(change: DeviceChange, executor: SqlRunner): Promise<void> {
    if (change.devices.length === 0) throw new Error(`DeviceChangeFeed.publish: a ${change.kind} change without devices`);
    for (const listener of this.listeners) await listener(change, executor);
  }

  /** `publish` for a change Apple already made: a failing listener is logged, not thrown. */
  async publishAfterApple(change: DeviceChange, executor: SqlRunner): Promise<void> {
    try {
      await this.publish(change, executor);
    } catch (err) {
      this.logger.error({ tokenId: change.tokenId, kind: change.kind, err: { message: (err as Error).message } }, 'device change not announced');
    }
  }
}
