/**
 * One simulated MDM server in Apple Business Manager: its OAuth credentials, account fields,
 * devices, change log and profiles. Devices live in an append-only slot array (records are
 * replaced, never mutated, so a change event can keep a reference to the record it describes) and
 * every change appends to an event log; fetch and sync cursors are positions in those two arrays.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  AssignmentStatus,
  DepAccount,
  DepDevice,
  DepOpType,
  DepOrgType,
} from '../apple/dep.types';

export interface MdmServerCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
  accessTokenExpiry: Date;
}

export interface MdmServerInit {
  uuid: string;
  credentials: MdmServerCredentials;
  certificatePem: string;
  orgName: string;
  serverName: string;
  orgType: DepOrgType;
  termsSigned: boolean;
}

interface ChangeEvent {
  op: DepOpType;
  at: number;
  device: DepDevice;
}

export interface StoredProfile {
  profileUuid: string;
  /** The JSON exactly as the client sent it. */
  received: Record<string, unknown>;
  definedAt: string;
}

export type AssignmentOverride = Exclude<AssignmentStatus, 'SUCCESS'>;

/** Fields a control request may change on a device; everything else is identity. */
export const MUTABLE_DEVICE_FIELDS = [
  'model',
  'description',
  'color',
  'asset_tag',
  'os',
  'device_family',
  'profile_status',
  'profile_uuid',
  'profile_assign_time',
  'profile_push_time',
  'device_assigned_date',
  'device_assigned_by',
] as const;
export type DeviceChanges = Partial<Record<(typeof MUTABLE_DEVICE_FIELDS)[number], string | null>>;

export class MdmServer {
  readonly uuid: string;
  readonly consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
  accessTokenExpiry: Date;
  /** Bumped on renewal: sessions opened with older credentials stop working. */
  generation = 0;
  certificatePem: string;
  readonly orgName: string;
  readonly serverName: string;
  readonly orgType: DepOrgType;
  readonly orgId: string;
  readonly adminId: string;
  termsSigned: boolean;
  accessDenied = false;

  private slots: Array<DepDevice | undefined> = [];
  private slotBySerial = new Map<string, number>();
  private events: ChangeEvent[] = [];
  readonly profiles = new Map<string, StoredProfile>();
  readonly assignmentOutcomes = new Map<string, AssignmentOverride>();

  constructor(init: MdmServerInit) {
    this.uuid = init.uuid;
    this.consumerKey = init.credentials.consumerKey;
    this.consumerSecret = init.credentials.consumerSecret;
    this.accessToken = init.credentials.accessToken;
    this.accessSecret = init.credentials.accessSecret;
    this.accessTokenExpiry = init.credentials.accessTokenExpiry;
    this.certificatePem = init.certificatePem;
    this.orgName = init.orgName;
    this.serverName = init.serverName;
    this.orgType = init.orgType;
    this.termsSigned = init.termsSigned;
    this.orgId = String(1_000_000 + randomBytes(3).readUIntBE(0, 3));
    this.adminId = `admin@${slug(init.orgName)}.example`;
  }

  renew(credentials: Omit<MdmServerCredentials, 'consumerKey'>, certificatePem?: string): void {
    this.consumerSecret = credentials.consumerSecret;
    this.accessToken = credentials.accessToken;
    this.accessSecret = credentials.accessSecret;
    this.accessTokenExpiry = credentials.accessTokenExpiry;
    if (certificatePem) this.certificatePem = certificatePem;
    this.generation += 1;
  }

  account(): DepAccount {
    const pages = { default: 100, maximum: 1000 };
    return {
      server_name: this.serverName,
      server_uuid: this.uuid,
      admin_id: this.adminId,
      org_name: this.orgName,
      org_email: this.adminId,
      org_phone: '+1 408 555 0100',
      org_address: '1 Infinite Loop, Cupertino CA 95014, US',
      org_id: this.orgId,
      org_id_hash: createHash('sha1').update(this.orgId).digest('hex'),
      org_type: this.orgType,
      org_version: this.orgType === 'edu' ? 'v1' : 'v2',
      urls: [
        { uri: '/account', http_method: ['GET'] },
        { uri: '/server/devices', http_method: ['POST'], limit: pages },
        { uri: '/devices/sync', http_method: ['POST'], limit: pages },
        { uri: '/devices', http_method: ['POST'] },
        { uri: '/devices/disown', http_method: ['POST'] },
        { uri: '/profile', http_method: ['POST', 'GET'] },
        { uri: '/profile/devices', http_method: ['POST', 'PUT', 'DELETE'], limit: { default: 1000, maximum: 1000 } },
      ],
    };
  }

  // ---- devices -------------------------------------------------------------------------------

  get deviceCount(): number {
    return this.slotBySerial.size;
  }

  get slotCount(): number {
    return this.slots.length;
  }

  get eventCount(): number {
    return this.events.length;
  }

  hasDevice(serial: string): boolean {
    return this.slotBySerial.has(serial);
  }

  getDevice(serial: string): DepDevice | undefined {
    const slot = this.slotBySerial.get(serial);
    return slot === undefined ? undefined : this.slots[slot];
  }

  /** Current devices in slot order. */
  *devices(): Generator<DepDevice> {
    for (const device of this.slots) if (device) yield device;
  }

  /**
   * Caller guarantees the serials are new everywhere in the simulator. `op` is the event logged:
   * `added`, or `modified` for devices that arrive moved from another MDM server (what Apple does).
   */
  addDevices(records: DepDevice[], at: Date, op: 'added' | 'modified' = 'added'): void {
    const ms = at.getTime();
    for (const record of records) {
      this.slotBySerial.set(record.serial_number, this.slots.length);
      this.slots.push(record);
      this.events.push({ op, at: ms, device: record });
    }
  }

  /** Replaces the record and logs a `modified` event; null in `changes` removes a field. */
  modifyDevice(serial: string, changes: DeviceChanges, at: Date): DepDevice | undefined {
    const slot = this.slotBySerial.get(serial);
    if (slot === undefined) return undefined;
    const next: Record<string, unknown> = { ...this.slots[slot] };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === undefined) delete next[key];
      else next[key] = value;
    }
    const record = next as unknown as DepDevice;
    this.slots[slot] = record;
    this.events.push({ op: 'modified', at: at.getTime(), device: record });
    return record;
  }

  removeDevice(serial: string, at: Date): boolean {
    const slot = this.slotBySerial.get(serial);
    if (slot === undefined) return false;
    const record = this.slots[slot]!;
    this.slots[slot] = undefined;
    this.slotBySerial.delete(serial);
    this.events.push({ op: 'deleted', at: at.getTime(), device: record });
    return true;
  }

  /**
   * Live devices from slot `from` up to `end` (exclusive), at most `limit`. Returns the position
   * after the last one, advanced past trailing empty slots so "more" is exact.
   */
  readSlots(from: number, end: number, limit: number): { devices: DepDevice[]; next: number } {
    const devices: DepDevice[] = [];
    let position = from;
    const stop = Math.min(end, this.slots.length);
    while (position < stop && devices.length < limit) {
      const device = this.slots[position++];
      if (device) devices.push(device);
    }
    while (position < stop && this.slots[position] === undefined) position++;
    return { devices, next: position };
  }

  /** Change events from `from`, at most `limit`, each as the record plus op_type/op_date. */
  readEvents(from: number, limit: number): { devices: DepDevice[]; next: number } {
    const slice = this.events.slice(from, from + limit);
    return {
      devices: slice.map((e) => ({ ...e.device, op_type: e.op, op_date: new Date(e.at).toISOString() })),
      next: from + slice.length,
    };
  }

  // ---- profiles and assignment ---------------------------------------------------------------

  defineProfile(received: Record<string, unknown>, at: Date): StoredProfile {
    const profile: StoredProfile = {
      profileUuid: randomBytes(16).toString('hex').toUpperCase(),
      received,
      definedAt: at.toISOString(),
    };
    this.profiles.set(profile.profileUuid, profile);
    return profile;
  }

  /**
   * Assigns a profile: NOT_ACCESSIBLE for serials this server does not hold, the control API's
   * override when there is one, else SUCCESS (device updated, `modified` event).
   */
  assign(profileUuid: string, serials: string[], at: Date): Record<string, AssignmentStatus> {
    const result: Record<string, AssignmentStatus> = {};
    for (const serial of new Set(serials)) {
      if (!this.hasDevice(serial)) {
        result[serial] = 'NOT_ACCESSIBLE';
        continue;
      }
      const override = this.assignmentOutcomes.get(serial);
      if (override) {
        result[serial] = override;
        continue;
      }
      this.modifyDevice(
        serial,
        { profile_uuid: profileUuid, profile_status: 'assigned', profile_assign_time: at.toISOString() },
        at,
      );
      result[serial] = 'SUCCESS';
    }
    return result;
  }

  /**
   * Clears the profile, as Apple documents "Remove a Profile": the device has no profile associated
   * any more (profile_status back to empty, no profile_uuid nor assign time; a `modified` event).
   * With `profileUuid`, only from devices that hold that profile (else FAILED).
   */
  removeProfile(serials: string[], profileUuid: string | undefined, at: Date): Record<string, 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED'> {
    const result: Record<string, 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED'> = {};
    for (const serial of new Set(serials)) {
      const device = this.getDevice(serial);
      if (!device) result[serial] = 'NOT_ACCESSIBLE';
      else if (profileUuid !== undefined && device.profile_uuid !== profileUuid) result[serial] = 'FAILED';
      else {
        this.modifyDevice(serial, { profile_uuid: null, profile_status: 'empty', profile_assign_time: null }, at);
        result[serial] = 'SUCCESS';
      }
    }
    return result;
  }
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'org';
}
