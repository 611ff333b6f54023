/**
 * Details on demand (`refreshDeviceDetails`): Apple's `POST /devices` for devices the key sees,
 * per token in chunks of at most 1,000 (per-token-calls.ts), and what Apple answers stored on each device at once
 * (model, description, colour, asset tag, OS, family, profile status and UUID, times, assigned-by),
 * cleaned as a sync cleans them, in one statement per chunk. Nothing else changes: the device's
 * sync bookkeeping (cursor, last synced) stays the sync's.
 */
import type { DataSource } from 'typeorm';
import type { DepDeviceDetails } from '../apple/dep.types';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import { toIngestDevice, type IngestDevice } from '../sync/device-ingest';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { NOT_VISIBLE_MESSAGE, notSentMessage, sendPerToken, visibleLiveDevices } from './per-token-calls';
import { readSerialList } from './serial-list';

export type DetailsOutcomeStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED' | 'REJECTED';

export interface DetailsOutcome {
  serialNumber: string;
  status: DetailsOutcomeStatus;
  message?: string;
  /** The stored device after the refresh (SUCCESS), or as it was. */
  deviceId?: string;
}

export class DeviceDetailsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: DepClientFactory,
    private readonly clock: Clock,
  ) {}

  async refresh(serials: string[], scope: AccessScope): Promise<DetailsOutcome[]> {
    const list = readSerialList(serials);
    const outcomes = new Map<string, DetailsOutcome>();
    for (const m of list.malformed) outcomes.set(m.serialNumber, { serialNumber: m.serialNumber, status: 'REJECTED', message: m.message });

    const devices = await visibleLiveDevices(this.dataSource, list.wellFormed, scope);
    for (const serial of list.wellFormed) {
      if (!devices.has(serial)) outcomes.set(serial, { serialNumber: serial, status: 'REJECTED', message: NOT_VISIBLE_MESSAGE });
    }

    await sendPerToken({
      dataSource: this.dataSource,
      clients: this.clients,
      devices: devices.values(),
      action: 'read the device details',
      send: (client, chunk) => client.getDeviceDetails(chunk),
      answered: async (tokenId, chunk, response) => {
        const fresh: IngestDevice[] = [];
        for (const serial of chunk) {
          const details: DepDeviceDetails | undefined = response.devices?.[serial];
          const record = details?.response_status === 'SUCCESS' ? toIngestDevice({ ...details, serial_number: serial }) : null;
          if (record) fresh.push(record);
          outcomes.set(serial, { ...outcomeFor(serial, details, record !== null), deviceId: devices.get(serial)?.id });
        }
        await this.store(tokenId, fresh);
      },
      notSent: (unsent, error) => {
        for (const serial of unsent) {
          outcomes.set(serial, { serialNumber: serial, status: 'FAILED', message: notSentMessage(error), deviceId: devices.get(serial)?.id });
        }
      },
    });
    return list.distinct.map((serial) => outcomes.get(serial)!);
  }

  /** One statement per chunk: Apple's fields, and the depgate profile behind Apple's profile UUID. */
  private async store(tokenId: string, devices: IngestDevice[]): Promise<void> {
    if (devices.length === 0) return;
    const column = <T>(pick: (d: IngestDevice) => T) => devices.map(pick);
    await this.dataSource.query(
      `UPDATE devices d SET
              model = u.model, description = u.description, color = u.color, asset_tag = u.asset_tag, os = u.os,
              device_family = u.device_family, profile_status = u.profile_status, apple_profile_uuid = u.apple_profile_uuid,
              profile_id = p.id, profile_assigned_at = u.profile_assigned_at, profile_pushed_at = u.profile_pushed_at,
              device_assigned_at = u.device_assigned_at, device_assigned_by = u.device_assigned_by, updated_at = $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                     $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[])
              AS u(serial_number, model, description, color, asset_tag, os, device_family, profile_status, apple_profile_uuid,
                   profile_assigned_at, profile_pushed_at, device_assigned_at, device_assigned_by)
         LEFT JOIN enrollment_profiles p ON p.token_id = $1 AND p.apple_profile_uuid = u.apple_profile_uuid
        WHERE d.token_id = $1 AND d.serial_number = u.serial_number`,
      [
        tokenId,
        this.clock.now(),
        column((d) => d.serialNumber),
        column((d) => d.model),
        column((d) => d.description),
        column((d) => d.color),
        column((d) => d.assetTag),
        column((d) => d.os),
        column((d) => d.deviceFamily),
        column((d) => d.profileStatus),
        column((d) => d.appleProfileUuid),
        column((d) => d.profileAssignedAt),
        column((d) => d.profilePushedAt),
        column((d) => d.deviceAssignedAt),
        column((d) => d.deviceAssignedBy),
      ],
    );
  }
}

function outcomeFor(serial: string, details: DepDeviceDetails | undefined, readable: boolean): DetailsOutcome {
  switch (details?.response_status) {
    case 'SUCCESS':
      return readable
        ? { serialNumber: serial, status: 'SUCCESS' }
        : { serialNumber: serial, status: 'FAILED', message: 'Apple answered with a record depgate cannot read; nothing was changed.' };
    case 'NOT_ACCESSIBLE':
      return { serialNumber: serial, status: 'NOT_ACCESSIBLE', message: "Apple does not hold this serial on the token's MDM server." };
    case 'FAILED':
      return { serialNumber: serial, status: 'FAILED', message: 'Apple could not read this device; try again later.' };
    default:
      return { serialNumber: serial, status: 'FAILED', message: 'Apple returned no result for this serial; try again later.' };
  }
}
