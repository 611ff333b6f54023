/**
 * Per-serial Apple calls on devices a key sees (removeEnrollmentProfile, refreshDeviceDetails):
 * the serials are looked up among the live devices the key may see (a serial lives under one
 * token), then sent per token, 1,000 at a time (Apple's per-request limit). A request Apple
 * refuses as a whole ends that token's sending (its unsent serials are reported, the other tokens
 * still go); when Apple answered nothing at all the call fails as a whole, with Apple's code.
 */
import type { DataSource } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import { type DepClient, MAX_SERIALS_PER_ASSIGNMENT } from '../apple/dep-client';
import { type AppleDepError, isAppleDepError } from '../apple/dep-errors';
import type { AccessScope } from '../auth/access-scope';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { DepTokenEntity } from '../tokens/token.entity';
import { chunks, groupBy } from './assignment.service';
import { appleActionMessages } from './device.errors';
import { readSerialList } from './serial-list';

export const NOT_VISIBLE_MESSAGE = 'depgate holds no device with this serial number that this key may see.';

export interface VisibleDevice {
  id: string;
  serialNumber: string;
  tokenId: string;
}

/**
 * A call's serial list read (serial-list.ts: bounded, normalised, distinct) and looked up: the live
 * devices the key sees, and the serials not to send (malformed, or no such device visible) with why.
 */
export async function readVisibleSerials(
  dataSource: DataSource,
  serials: readonly string[],
  scope: AccessScope,
): Promise<{ distinct: string[]; devices: Map<string, VisibleDevice>; rejected: { serialNumber: string; message: string }[] }> {
  const list = readSerialList(serials);
  const devices = await visibleLiveDevices(dataSource, list.wellFormed, scope);
  const notVisible = list.wellFormed.filter((serial) => !devices.has(serial)).map((serialNumber) => ({ serialNumber, message: NOT_VISIBLE_MESSAGE }));
  return { distinct: list.distinct, devices, rejected: [...list.malformed, ...notVisible] };
}

/** The live devices among `serials` that `scope` sees, by serial, in token then serial order. */
async function visibleLiveDevices(dataSource: DataSource, serials: readonly string[], scope: AccessScope): Promise<Map<string, VisibleDevice>> {
  if (serials.length === 0) return new Map();
  const visible = scope.tokenConditionSql('d.token_id', 2);
  const rows: { id: string; serial_number: string; token_id: string }[] = await dataSource.query(
    `SELECT d.id, d.serial_number, d.token_id FROM devices d
      WHERE d.serial_number = ANY($1::text[]) AND d.deleted_at IS NULL AND ${visible.sql}
      ORDER BY d.token_id, d.serial_number`,
    [serials, ...visible.params],
  );
  return new Map(rows.map((r) => [r.serial_number, { id: r.id, serialNumber: r.serial_number, tokenId: r.token_id }]));
}

export interface PerTokenCall<R> {
  dataSource: DataSource;
  clients: DepClientFactory;
  devices: Iterable<VisibleDevice>;
  /** The Apple request for one chunk of one token's serials. */
  send(client: DepClient, chunk: string[]): Promise<R>;
  /** Apple's answer to a chunk (store it, one statement). */
  answered(tokenId: string, chunk: string[], response: R): Promise<void>;
  /** A request failed as a whole: these serials of the token (that chunk and the later ones) were not answered. */
  notSent(serials: string[], error: AppleDepError): void;
  /** What the call does, for the error when Apple answered nothing ("remove the profile"). */
  action: string;
}

export async function sendPerToken<R>(call: PerTokenCall<R>): Promise<void> {
  const byToken = groupBy(call.devices, (d) => d.tokenId, (d) => d.serialNumber);
  let firstError: AppleDepError | undefined;
  let answered = 0;
  for (const [tokenId, tokenSerials] of byToken) {
    const token = await call.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: tokenId });
    const client = call.clients.forToken(token);
    const parts = chunks(tokenSerials, MAX_SERIALS_PER_ASSIGNMENT);
    for (let i = 0; i < parts.length; i++) {
      const chunk = parts[i]!;
      let response: R;
      try {
        response = await call.send(client, chunk);
      } catch (error) {
        if (!isAppleDepError(error)) throw error;
        firstError ??= error;
        call.notSent(parts.slice(i).flat(), error);
        break;
      }
      answered += chunk.length;
      await call.answered(tokenId, chunk, response);
    }
  }
  // Apple refused before answering anything: the call fails as a whole, nothing changed.
  if (firstError && answered === 0) {
    throw new AppleRequestException({ family: 'DEP', error: firstError, messages: appleActionMessages(call.action) });
  }
}

/** The message of a serial whose request Apple refused as a whole. */
export function notSentMessage(error: AppleDepError): string {
  return `Not sent: Apple's device enrollment service failed (${error.kind}); try again later.`;
}
