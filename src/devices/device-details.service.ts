/**
 * Details on demand (`refreshDeviceDetails`): Apple's `POST /devices` for devices the key sees,
 * per token in chunks of at most 1,000 (per-token-calls.ts), and what Apple answers stored on each device at once
 * (the fields a sync stores, from the same column list: model, description, colour, asset tag, OS,
 * family, profile status and UUID, times, assigned-by, migration deadline), cleaned as a sync cleans
 * them, in one statement per chunk. Nothing else changes: the device's
 * sync bookkeeping (cursor, last synced) stays the sync's.
 */
import type { DataSource } from 'typeorm';
import type { DepDeviceDetails } from '../apple/dep.types';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import { APPLE_FIELDS, appleRowSource, toIngestDevice, type IngestDevice } from '../sync/device-ingest';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { notSentMessage, readVisibleSerials, sendPerToken } from './per-token-calls';

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
    const { distinct, devices, rejected } = await readVisibleSerials(this.dataSource, serials, scope);
    const outcomes = new Map<string, DetailsOutcome>(rejected.map((r) => [r.serialNumber, { ...r, status: 'REJECTED' }]));

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
    return distinct.map((serial) => outcomes.get(serial)!);
  }

  /** One statement per chunk: Apple's fields (the ones a sync writes), and the depgate profile behind Apple's profile UUID. */
  private async store(tokenId: string, devices: IngestDevice[]): Promise<void> {
    if (devices.length === 0) return;
    await this.dataSource.query(
      `UPDATE devices d SET ${APPLE_FIELDS.map((f) => `${f} = u.${f}`).join(', ')}, profile_id = p.id, updated_at = $2
         FROM ${DETAIL_ROWS.sql}
         LEFT JOIN enrollment_profiles p ON p.token_id = $1 AND p.apple_profile_uuid = u.apple_profile_uuid
        WHERE d.token_id = $1 AND d.serial_number = u.serial_number`,
      [tokenId, this.clock.now(), ...DETAIL_ROWS.params(devices)],
    );
  }
}

/** $1 token, $2 now, the devices' columns from $3 on. */
const DETAIL_ROWS = appleRowSource(3);

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
