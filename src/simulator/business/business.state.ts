/**
 * The Apple School and Business Manager API side of the simulator: API accounts (clients and their
 * public keys), access tokens, the organisation's devices, MDM-server attributes only this API has,
 * and device activities. There is ONE organisation: its MDM servers are the DEP side's servers
 * (SimulatorState), so a device assigned here appears in that server's DEP fetch and sync.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { DepDevice } from '../../apple/dep.types';
import type { MdmServer } from '../mdm-server';
import type { SimulatorState } from '../simulator.state';

export type ApiScope = 'business.api' | 'school.api';
export const ACCESS_TOKEN_TTL_S = 3600;
/** Apple keeps activities for 30 days. */
const ACTIVITY_RETENTION_MS = 30 * 86_400_000;

export interface ApiClient {
  clientId: string;
  keyId: string;
  publicKey: KeyObject;
  scope: ApiScope;
  /** Set by the control API: the token endpoint answers invalid_client. */
  disabled: boolean;
  /** Set by the control API: every API request answers 403 (the account lost its rights). */
  forbidden: boolean;
}

export interface AccessTokenRecord {
  clientId: string;
  /** The key whose assertion got the token: a token of a revoked key stops working. */
  keyId: string;
  scope: ApiScope;
  expiresAt: number;
}

/** How the next activities end instead of completing (the control API's activity-failure). */
export interface ActivityFailure {
  remaining: number;
  status: 'FAILED' | 'STOPPED';
  subStatus: string;
}

export interface OrgDeviceRecord {
  serialNumber: string;
  deviceModel: string;
  productFamily: string;
  productType: string;
  deviceCapacity: string;
  partNumber: string;
  orderNumber: string | null;
  orderDateTime: string | null;
  color: string;
  addedToOrgDateTime: string;
  updatedDateTime: string;
  purchaseSourceType: string;
  purchaseSourceId: string;
  imei?: string[];
  meid?: string[];
  eid?: string;
  wifiMacAddress?: string;
  bluetoothMacAddress?: string;
  ethernetMacAddress?: string[];
  releasedFromOrgDateTime: string | null;
  isMdmMigrationCapable: boolean;
  mdmMigrationStatus: string | null;
  mdmMigrationDeadlineDateTime: string | null;
  appleCare: AppleCareRecord[];
}

export interface AppleCareRecord {
  id: string;
  description: string;
  status: 'ACTIVE' | 'INACTIVE';
  paymentType: string;
  startDateTime: string;
  endDateTime: string | null;
  isRenewable: boolean;
  isCanceled: boolean;
  contractCancelDateTime: string | null;
  agreementNumber: string | null;
}

/** Attributes of a DEP-side server that only this API knows. */
export interface ServerExtras {
  createdDateTime: string;
  updatedDateTime: string;
  defaultProductFamilies: string[];
  enableMdmDisownFlag: boolean;
  serverType: 'MDM' | 'APPLE_CONFIGURATOR';
  deleted: boolean;
}

export type ActivityType =
  | 'ASSIGN_DEVICES'
  | 'UNASSIGN_DEVICES'
  | 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE'
  | 'UPDATE_MDM_MIGRATION_DEADLINE'
  | 'CANCEL_MDM_MIGRATION'
  | 'RELEASE_DEVICES';
export const ACTIVITY_TYPES: readonly ActivityType[] = [
  'ASSIGN_DEVICES',
  'UNASSIGN_DEVICES',
  'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE',
  'UPDATE_MDM_MIGRATION_DEADLINE',
  'CANCEL_MDM_MIGRATION',
  'RELEASE_DEVICES',
];

export interface ActivityRecord {
  id: string;
  type: ActivityType;
  serverUuid: string | null;
  serials: string[];
  deadline: string | null;
  createdAt: number;
  completedAt: number | null;
  subStatus: string;
  /** Per serial: [operation_status, operation_substatus]. */
  outcomes: Array<[string, string, string]>;
  logToken: string;
  /**
   * How it ends instead of completing (taken from the control API when it was created): once
   * ended, nothing was applied and there is no log.
   */
  failure: { status: 'FAILED' | 'STOPPED'; subStatus: string } | null;
}

/** The status Apple shows: IN_PROGRESS until it ends, then COMPLETED, or the failure's FAILED / STOPPED. */
export function activityStatus(activity: ActivityRecord): 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPED' {
  return activity.completedAt === null ? 'IN_PROGRESS' : (activity.failure?.status ?? 'COMPLETED');
}

const FAMILY_DEFAULTS: Record<string, { model: string; type: string; capacity: string; part: string }> = {
  iPhone: { model: 'iPhone 15', type: 'iPhone15,4', capacity: '128GB', part: 'MTP03LL/A' },
  iPad: { model: 'iPad Air 11-inch (M2)', type: 'iPad14,8', capacity: '128GB', part: 'MUWC3LL/A' },
  Mac: { model: 'MacBook Air (13-inch, M3, 2024)', type: 'Mac15,12', capacity: '256GB', part: 'MRXN3LL/A' },
  AppleTV: { model: 'Apple TV 4K', type: 'AppleTV14,1', capacity: '64GB', part: 'MN873LL/A' },
  Watch: { model: 'Apple Watch Series 9', type: 'Watch7,3', capacity: '64GB', part: 'MR933LL/A' },
  Vision: { model: 'Apple Vision Pro', type: 'RealityDevice14,1', capacity: '256GB', part: 'MW8X3LL/A' },
};
const DEP_FAMILY: Record<string, string> = { iPhone: 'iPhone', iPad: 'iPad', Mac: 'Mac', AppleTV: 'AppleTV', Vision: 'Vision', Watch: 'Watch' };
const DEP_OS: Record<string, string> = { iPhone: 'iOS', iPad: 'iPadOS', Mac: 'OSX', AppleTV: 'tvOS', Vision: 'visionOS', Watch: 'watchOS' };

/** The business id of a DEP-side server: its uuid as 32 upper-case hex digits, like Apple's ids. */
export function businessServerId(uuid: string): string {
  return uuid.replace(/-/g, '').toUpperCase();
}

/** What the portal's "Generate Private Key" shows once. */
export interface IssuedKey {
  clientId: string;
  keyId: string;
  privateKeyPkcs8Pem: string;
  privateKeySec1Pem: string;
}

export class BusinessSimulatorState {
  private clients = new Map<string, ApiClient>();
  private tokens = new Map<string, AccessTokenRecord>();
  private devices = new Map<string, OrgDeviceRecord>();
  /** Listing order; released devices stay in it (skipped), so offsets stay stable. */
  private order: string[] = [];
  private extras = new Map<string, ServerExtras>();
  private activities = new Map<string, ActivityRecord>();
  private serialCounter = 0;
  /** How long an activity takes at Apple (simulator clock). */
  activityDelayMs = 2_000;
  /** The next N API requests answer 429 with this Retry-After. */
  rateLimit = { remaining: 0, retryAfterSeconds: 1 };
  /** The next N activities created end this way instead of completing. */
  activityFailure: ActivityFailure = { remaining: 0, status: 'FAILED', subStatus: 'COMPLETED_WITH_ERROR' };

  constructor(readonly dep: SimulatorState) {}

  now(): Date {
    return this.dep.now();
  }

  reset(): void {
    this.clients.clear();
    this.tokens.clear();
    this.devices.clear();
    this.order = [];
    this.extras.clear();
    this.activities.clear();
    this.activityDelayMs = 2_000;
    this.rateLimit = { remaining: 0, retryAfterSeconds: 1 };
    this.activityFailure = { remaining: 0, status: 'FAILED', subStatus: 'COMPLETED_WITH_ERROR' };
  }

  // ---- API accounts ---------------------------------------------------------------------------

  /** What the portal's "Generate Private Key" does: the private key is returned once, never kept. */
  createClient(scope: ApiScope): IssuedKey {
    const clientId = `${scope === 'school.api' ? 'SCHOOLAPI' : 'BUSINESSAPI'}.${randomUUID()}`;
    const client: ApiClient = { clientId, keyId: '', publicKey: undefined as unknown as KeyObject, scope, disabled: false, forbidden: false };
    this.clients.set(clientId, client);
    return this.rotateKey(client);
  }

  /**
   * A new private key for the API account, revoking the previous one: assertions signed with the
   * old key are refused (invalid_client) and access tokens it got stop working.
   */
  rotateKey(client: ApiClient): IssuedKey {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    client.keyId = randomUUID();
    client.publicKey = publicKey;
    return {
      clientId: client.clientId,
      keyId: client.keyId,
      privateKeyPkcs8Pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      privateKeySec1Pem: privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
    };
  }

  getClient(clientId: string): ApiClient | undefined {
    return this.clients.get(clientId);
  }

  issueAccessToken(client: ApiClient): string {
    const token = `sim.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { clientId: client.clientId, keyId: client.keyId, scope: client.scope, expiresAt: this.now().getTime() + ACCESS_TOKEN_TTL_S * 1000 });
    return token;
  }

  lookupAccessToken(token: string): AccessTokenRecord | undefined {
    const record = this.tokens.get(token);
    if (!record) return undefined;
    const client = this.clients.get(record.clientId);
    if (record.expiresAt <= this.now().getTime() || !client || client.disabled || client.keyId !== record.keyId) {
      this.tokens.delete(token);
      return undefined;
    }
    return record;
  }

  expireAccessTokens(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  // ---- devices --------------------------------------------------------------------------------

  addDevices(count: number, template: Partial<OrgDeviceRecord> & { serialPrefix?: string; appleCare?: AppleCareRecord[] }): string[] {
    const prefix = template.serialPrefix ?? 'B';
    const serials: string[] = [];
    for (let i = 0; i < count; i++) {
      let serial: string;
      do serial = prefix + (this.serialCounter++).toString(36).toUpperCase().padStart(Math.max(4, 12 - prefix.length), '0');
      while (this.devices.has(serial) || this.ownerOf(serial));
      this.insert(this.record(serial, template));
      serials.push(serial);
    }
    return serials;
  }

  private record(serial: string, template: Partial<OrgDeviceRecord>): OrgDeviceRecord {
    const family = template.productFamily ?? 'iPhone';
    const defaults = FAMILY_DEFAULTS[family] ?? FAMILY_DEFAULTS.iPhone;
    const now = this.now().toISOString();
    const { serialPrefix: _p, ...fields } = template as Partial<OrgDeviceRecord> & { serialPrefix?: string };
    return {
      deviceModel: defaults.model,
      productFamily: family,
      productType: defaults.type,
      deviceCapacity: defaults.capacity,
      partNumber: defaults.part,
      orderNumber: null,
      orderDateTime: null,
      color: 'BLACK',
      addedToOrgDateTime: now,
      updatedDateTime: now,
      purchaseSourceType: 'APPLE',
      purchaseSourceId: '1234567',
      wifiMacAddress: macFor(serial, 0),
      bluetoothMacAddress: macFor(serial, 1),
      releasedFromOrgDateTime: null,
      isMdmMigrationCapable: true,
      mdmMigrationStatus: null,
      mdmMigrationDeadlineDateTime: null,
      appleCare: [],
      ...fields,
      serialNumber: serial,
    };
  }

  private insert(record: OrgDeviceRecord): void {
    if (!this.devices.has(record.serialNumber)) this.order.push(record.serialNumber);
    this.devices.set(record.serialNumber, record);
  }

  /** Devices the DEP side's control API put on servers join the organisation's inventory. */
  adoptDepDevices(): void {
    for (const server of this.dep.listServers()) {
      if (server.deviceCount === 0) continue;
      for (const device of server.devices()) {
        if (this.devices.has(device.serial_number)) continue;
        const family = Object.keys(DEP_FAMILY).find((f) => f === device.device_family) ?? 'iPhone';
        this.insert(this.record(device.serial_number, { productFamily: family, color: device.color ?? 'BLACK', deviceModel: device.model ?? FAMILY_DEFAULTS[family].model }));
      }
    }
  }

  device(serial: string): OrgDeviceRecord | undefined {
    return this.devices.get(serial);
  }

  /** The slice of the listing from `offset` (released devices skipped), and the next offset. */
  listDevices(offset: number, limit: number): { devices: OrgDeviceRecord[]; next: number | null; total: number } {
    const out: OrgDeviceRecord[] = [];
    let position = offset;
    while (position < this.order.length && out.length < limit) {
      const record = this.devices.get(this.order[position++])!;
      if (!record.releasedFromOrgDateTime) out.push(record);
    }
    while (position < this.order.length && this.devices.get(this.order[position])!.releasedFromOrgDateTime) position++;
    let total = 0;
    for (const r of this.devices.values()) if (!r.releasedFromOrgDateTime) total++;
    return { devices: out, next: position < this.order.length ? position : null, total };
  }

  ownerOf(serial: string): MdmServer | undefined {
    return this.dep.listServers().find((s) => s.hasDevice(serial));
  }

  // ---- MDM servers ----------------------------------------------------------------------------

  servers(): MdmServer[] {
    return this.dep.listServers().filter((s) => !this.extrasOf(s).deleted);
  }

  serverById(id: string): MdmServer | undefined {
    return this.servers().find((s) => businessServerId(s.uuid) === id);
  }

  extrasOf(server: MdmServer): ServerExtras {
    let extras = this.extras.get(server.uuid);
    if (!extras) {
      const now = this.now().toISOString();
      extras = { createdDateTime: now, updatedDateTime: now, defaultProductFamilies: [], enableMdmDisownFlag: false, serverType: 'MDM', deleted: false };
      this.extras.set(server.uuid, extras);
    }
    return extras;
  }

  // ---- activities -----------------------------------------------------------------------------

  createActivity(input: Omit<ActivityRecord, 'id' | 'createdAt' | 'completedAt' | 'subStatus' | 'outcomes' | 'logToken' | 'failure'>): ActivityRecord {
    let failure: ActivityRecord['failure'] = null;
    if (this.activityFailure.remaining > 0) {
      this.activityFailure.remaining--;
      failure = { status: this.activityFailure.status, subStatus: this.activityFailure.subStatus };
    }
    const activity: ActivityRecord = {
      ...input,
      id: randomUUID(),
      createdAt: this.now().getTime(),
      completedAt: null,
      subStatus: 'SUBMITTED',
      outcomes: [],
      logToken: randomBytes(16).toString('hex'),
      failure,
    };
    this.activities.set(activity.id, activity);
    return activity;
  }

  /** Every activity Apple keeps (the last 30 days), oldest first: what a test checks was created. */
  listActivities(): ActivityRecord[] {
    return [...this.activities.keys()].map((id) => this.activity(id)).filter((a): a is ActivityRecord => a !== undefined);
  }

  activity(id: string): ActivityRecord | undefined {
    const activity = this.activities.get(id);
    if (activity && this.now().getTime() - activity.createdAt > ACTIVITY_RETENTION_MS) return undefined;
    return activity;
  }

  activityByLogToken(id: string, token: string): ActivityRecord | undefined {
    const activity = this.activity(id);
    return activity && activity.logToken === token && activityStatus(activity) === 'COMPLETED' ? activity : undefined;
  }

  /**
   * Moves every activity on by the clock: half-way it is PROCESSING, at `activityDelayMs` it is
   * applied to the organisation (and the DEP side) and COMPLETED. Called before each request.
   */
  settle(): void {
    const now = this.now().getTime();
    for (const activity of this.activities.values()) {
      if (activity.completedAt !== null) continue;
      const age = now - activity.createdAt;
      if (age >= this.activityDelayMs) this.complete(activity, now);
      else if (age >= this.activityDelayMs / 2) activity.subStatus = 'PROCESSING';
    }
  }

  private complete(activity: ActivityRecord, now: number): void {
    if (activity.failure) {
      // Apple gives neither completedDateTime nor downloadUrl unless COMPLETED (spec §4.3), and changes nothing.
      activity.subStatus = activity.failure.subStatus;
      activity.completedAt = now;
      return;
    }
    const at = new Date(now);
    const target = activity.serverUuid ? this.dep.getServer(activity.serverUuid) : undefined;
    for (const serial of activity.serials) {
      const outcome = this.apply(activity, serial, target, at);
      activity.outcomes.push([serial, outcome[0], outcome[1]]);
      const record = this.devices.get(serial);
      if (record && outcome[0] === 'SUCCESS') record.updatedDateTime = at.toISOString();
    }
    const failed = activity.outcomes.filter((o) => o[1] !== 'SUCCESS').length;
    activity.subStatus =
      failed === 0 ? 'COMPLETED_WITH_SUCCESS' : failed === activity.outcomes.length ? 'COMPLETED_WITH_ERROR' : 'COMPLETED_WITH_FAILURE';
    activity.completedAt = now;
  }

  private apply(activity: ActivityRecord, serial: string, target: MdmServer | undefined, at: Date): [string, string] {
    const record = this.devices.get(serial);
    if (!record || record.releasedFromOrgDateTime) return ['FAILED', 'DEVICE_NOT_FOUND'];
    const owner = this.ownerOf(serial);
    switch (activity.type) {
      case 'ASSIGN_DEVICES':
      case 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE': {
        if (!target) return ['FAILED', 'SERVER_NOT_FOUND'];
        if (owner === target) return ['FAILED', 'ALREADY_ASSIGNED_TO_SERVER'];
        if (owner) this.dep.moveDevices(owner, target, [serial]);
        else this.dep.addDeviceRecords(target, [this.depRecord(record)]);
        if (activity.type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE') {
          record.mdmMigrationStatus = 'REQUESTED';
          record.mdmMigrationDeadlineDateTime = activity.deadline;
        }
        return ['SUCCESS', 'ASSIGNED'];
      }
      case 'UNASSIGN_DEVICES':
        if (!owner || (target && owner !== target)) return ['FAILED', 'NOT_ASSIGNED_TO_SERVER'];
        this.dep.removeDevice(owner, serial);
        record.mdmMigrationStatus = null;
        record.mdmMigrationDeadlineDateTime = null;
        return ['SUCCESS', 'UNASSIGNED'];
      case 'UPDATE_MDM_MIGRATION_DEADLINE':
        if (!record.mdmMigrationStatus) return ['FAILED', 'NO_MIGRATION'];
        record.mdmMigrationDeadlineDateTime = activity.deadline;
        return ['SUCCESS', 'DEADLINE_UPDATED'];
      case 'CANCEL_MDM_MIGRATION':
        if (!record.mdmMigrationStatus) return ['FAILED', 'NO_MIGRATION'];
        record.mdmMigrationStatus = null;
        record.mdmMigrationDeadlineDateTime = null;
        return ['SUCCESS', 'MIGRATION_CANCELED'];
      case 'RELEASE_DEVICES':
        if (owner) this.dep.removeDevice(owner, serial);
        record.releasedFromOrgDateTime = at.toISOString();
        return ['SUCCESS', 'RELEASED'];
    }
  }

  private depRecord(record: OrgDeviceRecord): Partial<DepDevice> & { serial_number: string } {
    return {
      serial_number: record.serialNumber,
      model: record.deviceModel,
      color: record.color,
      description: `${record.deviceModel} ${record.deviceCapacity}`.toUpperCase(),
      device_family: DEP_FAMILY[record.productFamily] ?? 'iPhone',
      os: DEP_OS[record.productFamily] ?? 'iOS',
    };
  }
}

function macFor(serial: string, salt: number): string {
  let h = salt * 7919;
  for (const c of serial) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const bytes = [0x3c, 0x22, 0xfb, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
