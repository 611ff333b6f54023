/**
 * Unassigning enrollment profiles at Apple (`DELETE /profile/devices`): the `removeEnrollmentProfile`
 * mutation. Serials are looked up among the devices the key sees (a serial lives under one token),
 * sent per token in chunks of at most 1,000, and each answer is stored on the device:
 * - SUCCESS: no profile any more (profile and Apple profile cleared, status EMPTY), any pending
 *   request and retry dropped, and `profile_removed_at` set so that automatic assignment does not
 *   give the token's default profile straight back (an explicit assignment clears it).
 * - NOT_ACCESSIBLE / FAILED: nothing changes.
 * Results are shaped like assignment's, one per distinct serial in the order given.
 */
import type { DataSource } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import { MAX_SERIALS_PER_ASSIGNMENT } from '../apple/dep-client';
import { type AppleDepError, isAppleDepError } from '../apple/dep-errors';
import type { RemoveProfileStatus } from '../apple/dep.types';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { DepTokenEntity } from '../tokens/token.entity';
import { chunks, type AssignmentOutcome } from './assignment.service';
import { appleActionMessages } from './device.errors';
import { readSerialList } from './serial-list';

export const NOT_VISIBLE_MESSAGE = 'depgate holds no device with this serial number that this key may see.';

export class ProfileRemovalService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: DepClientFactory,
    private readonly clock: Clock,
  ) {}

  async removeSerials(serials: string[], scope: AccessScope): Promise<AssignmentOutcome[]> {
    const list = readSerialList(serials);
    const outcomes = new Map<string, AssignmentOutcome>();
    for (const m of list.malformed) outcomes.set(m.serialNumber, { serialNumber: m.serialNumber, status: 'REJECTED', message: m.message });

    const byToken = await this.visibleLiveDevices(list.wellFormed, scope);
    for (const serial of list.wellFormed) {
      if (!byToken.serialToken.has(serial)) outcomes.set(serial, { serialNumber: serial, status: 'REJECTED', message: NOT_VISIBLE_MESSAGE });
    }

    let firstError: AppleDepError | undefined;
    let answered = 0;
    for (const [tokenId, tokenSerials] of byToken.tokens) {
      const token = await this.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenId });
      const client = this.clients.forToken(token);
      const parts = chunks(tokenSerials, MAX_SERIALS_PER_ASSIGNMENT);
      for (let i = 0; i < parts.length; i++) {
        const chunk = parts[i]!;
        let response;
        try {
          response = await client.removeProfile(chunk);
        } catch (error) {
          if (!isAppleDepError(error)) throw error;
          firstError ??= error;
          for (const serial of parts.slice(i).flat()) {
            outcomes.set(serial, { serialNumber: serial, status: 'FAILED', message: `Not sent: Apple's device enrollment service failed (${error.kind}); try again later.` });
          }
          break;
        }
        answered += chunk.length;
        const results = chunk.map((serial) => outcomeFor(serial, response.devices?.[serial]));
        await this.store(tokenId, results.filter((o) => o.status === 'SUCCESS').map((o) => o.serialNumber));
        results.forEach((o) => outcomes.set(o.serialNumber, o));
      }
    }
    // Apple refused before answering anything: the call fails as a whole, nothing changed.
    if (firstError && answered === 0) {
      throw new AppleRequestException({ family: 'DEP', error: firstError, messages: appleActionMessages('remove the profile') });
    }
    return list.distinct.map((serial) => outcomes.get(serial)!);
  }

  private async visibleLiveDevices(serials: string[], scope: AccessScope) {
    const tokens = new Map<string, string[]>();
    const serialToken = new Map<string, string>();
    if (serials.length === 0) return { tokens, serialToken };
    const visible = scope.tokenConditionSql('d.token_id', 2);
    const rows: { serial_number: string; token_id: string }[] = await this.dataSource.query(
      `SELECT d.serial_number, d.token_id FROM devices d
        WHERE d.serial_number = ANY($1::text[]) AND d.deleted_at IS NULL AND ${visible.sql}
        ORDER BY d.token_id, d.serial_number`,
      [serials, ...visible.params],
    );
    for (const row of rows) {
      serialToken.set(row.serial_number, row.token_id);
      tokens.set(row.token_id, [...(tokens.get(row.token_id) ?? []), row.serial_number]);
    }
    return { tokens, serialToken };
  }

  /** One statement per chunk: the devices Apple cleared. */
  private async store(tokenId: string, cleared: string[]): Promise<void> {
    if (cleared.length === 0) return;
    await this.dataSource.query(
      `UPDATE devices SET profile_id = NULL, apple_profile_uuid = NULL, profile_status = 'EMPTY', profile_assigned_at = NULL,
              requested_profile_id = NULL, next_assignment_retry_at = NULL, profile_removed_at = $3, updated_at = $3
        WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
      [tokenId, cleared, this.clock.now()],
    );
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
