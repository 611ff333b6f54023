/**
 * Unassigning enrollment profiles at Apple (`DELETE /profile/devices`): the `removeEnrollmentProfile`
 * mutation. Serials are looked up among the devices the key sees (a serial lives under one token),
 * sent per token in chunks of at most 1,000 (per-token-calls.ts), and each answer is stored on the device:
 * - SUCCESS: no profile any more (profile and Apple profile cleared, status EMPTY), any pending
 *   request and retry dropped, and `profile_removed_at` set so that automatic assignment does not
 *   give the token's default profile straight back (an explicit assignment clears it).
 * - NOT_ACCESSIBLE / FAILED: nothing changes.
 * Results are shaped like assignment's, one per distinct serial in the order given. Each chunk's
 * cleared devices are published on the device change feed (webhooks: DEVICES_MODIFIED).
 */
import type { DataSource } from 'typeorm';
import type { RemoveProfileStatus } from '../apple/dep.types';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import type { AssignmentOutcome } from './assignment.service';
import type { ChangedDevice, ChangeRequester, DeviceChangeFeed } from './device-changes';
import { notSentMessage, readVisibleSerials, sendPerToken } from './per-token-calls';

export class ProfileRemovalService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: DepClientFactory,
    private readonly clock: Clock,
    private readonly changes: DeviceChangeFeed,
  ) {}

  async removeSerials(serials: string[], scope: AccessScope, requestedBy: ChangeRequester | null = null): Promise<AssignmentOutcome[]> {
    const { distinct, devices, rejected } = await readVisibleSerials(this.dataSource, serials, scope);
    const outcomes = new Map<string, AssignmentOutcome>(rejected.map((r) => [r.serialNumber, { ...r, status: 'REJECTED' }]));

    await sendPerToken({
      dataSource: this.dataSource,
      clients: this.clients,
      devices: devices.values(),
      action: 'remove the profile',
      send: (client, chunk) => client.removeProfile(chunk),
      answered: async (tokenId, chunk, response) => {
        const results = chunk.map((serial) => outcomeFor(serial, response.devices?.[serial]));
        const cleared = await this.store(tokenId, results.filter((o) => o.status === 'SUCCESS').map((o) => o.serialNumber));
        results.forEach((o) => outcomes.set(o.serialNumber, o));
        if (cleared.length > 0) await this.changes.publishAfterApple({ kind: 'PROFILE_REMOVED', tokenId, requestedBy, devices: cleared }, this.dataSource);
      },
      notSent: (unsent, error) => {
        for (const serial of unsent) outcomes.set(serial, { serialNumber: serial, status: 'FAILED', message: notSentMessage(error) });
      },
    });
    return distinct.map((serial) => outcomes.get(serial)!);
  }

  /**
   * One statement per chunk: the devices Apple cleared. Answers those that had a profile here
   * (Apple also answers SUCCESS for a device without one: no change to tell of).
   */
  private async store(tokenId: string, cleared: string[]): Promise<ChangedDevice[]> {
    if (cleared.length === 0) return [];
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected].
    const [rows]: [{ id: string; serial_number: string; had_profile: boolean }[], number] = await this.dataSource.query(
      `WITH before AS (
         SELECT id, (profile_status <> 'EMPTY' OR apple_profile_uuid IS NOT NULL) AS had_profile
           FROM devices WHERE token_id = $1 AND serial_number = ANY($2::text[]) FOR UPDATE)
       UPDATE devices d SET profile_id = NULL, apple_profile_uuid = NULL, profile_status = 'EMPTY', profile_assigned_at = NULL,
              requested_profile_id = NULL, next_assignment_retry_at = NULL, profile_removed_at = $3, updated_at = $3
         FROM before b WHERE d.id = b.id
       RETURNING d.id, d.serial_number, b.had_profile`,
      [tokenId, cleared, this.clock.now()],
    );
    return rows.filter((r) => r.had_profile).map((r) => ({ id: r.id, serialNumber: r.serial_number }));
  }

}

function outcomeFor(serial: string, status: RemoveProfileStatus | undefined): AssignmentOutcome {
  switch (status) {
    case 'SUCCESS':
      return { serialNumber: serial, status: 'SUCCESS' };
    case 'NOT_ACCESSIBLE':
      return { serialNumber: serial, status: 'NOT_ACCESSIBLE', message: "Apple does not hold this serial on the token's MDM server." };
    case 'FAILED':
      return { serialNumber: serial, status: 'FAILED', message: 'Apple could not remove the profile from this device; try again later.' };
    default:
      return { serialNumber: serial, status: 'FAILED', message: 'Apple returned no result for this serial; try again later.' };
  }
}
