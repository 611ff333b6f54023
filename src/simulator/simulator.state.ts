/**
 * Everything the simulator remembers, in memory: MDM servers (by uuid and consumer key), which
 * server owns each serial, sessions, OAuth nonces, faults, the request log and the clock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { DAY_MS, MINUTE_MS, type Clock } from '../clock';
import type { DepDevice, DepOrgType } from '../apple/dep.types';
import { CursorCodec } from './cursor';
import { completeRecord, deviceRecord, serialFor, type DeviceTemplate } from './device-factory';
import { FaultQueue } from './faults';
import { MdmServer, type MdmServerCredentials } from './mdm-server';
import { RequestLog } from './request-log';
import { asControllable, OffsetClock, type ControllableClock } from './sim-clock';
import { issueServerTokenFile } from './server-token-issuer';

/** Apple does not document it; micromdm refreshes every 3 min, so sessions here last 5. */
export const SESSION_TTL_MS = 5 * MINUTE_MS;
/** Accepted skew between the client's oauth_timestamp and the simulator clock. */
export const OAUTH_TIMESTAMP_WINDOW_MS = 10 * MINUTE_MS;
/** Apple's sample token expires one year after issue. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_MS = 365 * DAY_MS;
/** Sync cursors older than this are EXPIRED_CURSOR (spec §3). */
export const SYNC_CURSOR_MAX_AGE_MS = 7 * DAY_MS;
/** THROTTLED assignments carry this retry hint. */
export const THROTTLE_RETRY_AFTER_SECONDS = 60;

export interface CreateServerInput {
  certificatePem: string;
  orgName?: string;
  serverName?: string;
  orgType?: DepOrgType;
  accessTokenExpiry?: string;
  termsSigned?: boolean;
}

export interface IssuedToken {
  server: MdmServer;
  tokenFile: string;
}

interface Session {
  serverUuid: string;
  generation: number;
  expiresAt: number;
}

export type SessionLookup =
  | { ok: true; server: MdmServer; token: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatorState {
  readonly clock: Clock;
  /** Null when the caller injected a clock the control API must not move. */
  readonly controllableClock: ControllableClock | null;
  readonly faults = new FaultQueue();
  readonly log = new RequestLog();
  cursors = new CursorCodec();

  private servers = new Map<string, MdmServer>();
  private serversByConsumerKey = new Map<string, MdmServer>();
  private serialOwner = new Map<string, string>();
  private sessions = new Map<string, Session>();
  private nonces = new Map<string, number>();
  private serialCounter = 0;
  /** When set, the next authenticated Apple response carries a fresh session token. */
  rotateNextSession = false;

  constructor(clock: Clock = new OffsetClock()) {
    this.clock = clock;
    this.controllableClock = asControllable(clock);
  }

  now(): Date {
    return this.clock.now();
  }

  reset(): void {
    this.servers.clear();
    this.serversByConsumerKey.clear();
    this.serialOwner.clear();
    this.sessions.clear();
    this.nonces.clear();
    this.faults.clear();
    this.log.clear();
    this.rotateNextSession = false;
    this.cursors = new CursorCodec();
  }

  // ---- servers and tokens ----------------------------------------------------------------------

  createServer(input: CreateServerInput): IssuedToken {
    const certificatePem = checkCertificate(input.certificatePem);
    const expiry = this.expiryFrom(input.accessTokenExpiry);
    const credentials: MdmServerCredentials = {
      consumerKey: `CK_${randomBytes(48).toString('hex')}`,
      ...freshSecrets(),
      accessTokenExpiry: expiry,
    };
    const server = new MdmServer({
      uuid: randomUUID(),
      credentials,
      certificatePem,
      orgName: input.orgName ?? 'Simulated Org',
      serverName: input.serverName ?? `depgate-${this.servers.size + 1}`,
      orgType: input.orgType ?? 'org',
      termsSigned: input.termsSigned ?? true,
    });
    this.servers.set(server.uuid, server);
    this.serversByConsumerKey.set(server.consumerKey, server);
    return { server, tokenFile: this.tokenFileFor(server) };
  }

  /** Same consumer key and server uuid, new secrets and access token; old sessions die. */
  renewServer(uuid: string, input: { certificatePem?: string; accessTokenExpiry?: string }): IssuedToken {
    const server = this.requireServer(uuid);
    const certificatePem = input.certificatePem ? checkCertificate(input.certificatePem) : undefined;
    server.renew({ ...freshSecrets(), accessTokenExpiry: this.expiryFrom(input.accessTokenExpiry) }, certificatePem);
    for (const [token, session] of this.sessions) if (session.serverUuid === uuid) this.sessions.delete(token);
    return { server, tokenFile: this.tokenFileFor(server) };
  }

  tokenFileFor(server: MdmServer): string {
    return issueServerTokenFile(server.certificatePem, {
      consumer_key: server.consumerKey,
      consumer_secret: server.consumerSecret,
      access_token: server.accessToken,
      access_secret: server.accessSecret,
      access_token_expiry: server.accessTokenExpiry.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  getServer(uuid: string): MdmServer | undefined {
    return this.servers.get(uuid);
  }

  requireServer(uuid: string): MdmServer {
    const server = this.servers.get(uuid);
    if (!server) throw new SimulatorError(404, `no MDM server ${uuid}`);
    return server;
  }

  serverByConsumerKey(consumerKey: string): MdmServer | undefined {
    return this.serversByConsumerKey.get(consumerKey);
  }

  listServers(): MdmServer[] {
    return [...this.servers.values()];
  }

  private expiryFrom(value: string | undefined): Date {
    if (value === undefined) return new Date(this.now().getTime() + DEFAULT_ACCESS_TOKEN_LIFETIME_MS);
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new SimulatorError(400, 'accessTokenExpiry must be an ISO date');
    return date;
  }

  // ---- sessions --------------------------------------------------------------------------------

  /** Records a nonce; false when it was already used inside the timestamp window (replay). */
  useNonce(consumerKey: string, nonce: string): boolean {
    const now = this.now().getTime();
    const key = `${consumerKey} ${nonce}`;
    const seen = this.nonces.get(key);
    if (seen !== undefined && now - seen < 2 * OAUTH_TIMESTAMP_WINDOW_MS) return false;
    if (this.nonces.size > 50_000) {
      for (const [k, at] of this.nonces) if (now - at >= 2 * OAUTH_TIMESTAMP_WINDOW_MS) this.nonces.delete(k);
    }
    this.nonces.set(key, now);
    return true;
  }

  openSession(server: MdmServer): string {
    const now = this.now().getTime();
    if (this.sessions.size > 10_000) {
      for (const [t, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(t);
    }
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { serverUuid: server.uuid, generation: server.generation, expiresAt: now + SESSION_TTL_MS });
    return token;
  }

  lookupSession(token: string | undefined): SessionLookup {
    if (!token) return { ok: false, reason: 'missing' };
    const session = this.sessions.get(token);
    if (!session) return { ok: false, reason: 'invalid' };
    const server = this.servers.get(session.serverUuid);
    if (!server || server.generation !== session.generation) {
      this.sessions.delete(token);
      return { ok: false, reason: 'invalid' };
    }
    if (this.now().getTime() >= session.expiresAt) {
      this.sessions.delete(token);
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, server, token };
  }

  /** Replaces a session by a fresh one (the old token stops working at once). */
  rotateSession(token: string, server: MdmServer): string {
    this.sessions.delete(token);
    return this.openSession(server);
  }

  expireSessions(): number {
    const count = this.sessions.size;
    this.sessions.clear();
    return count;
  }

  // ---- devices ---------------------------------------------------------------------------------

  /** Generates `count` devices with unique serials on the server. */
  generateDevices(server: MdmServer, count: number, template: DeviceTemplate & { serialPrefix?: string }): string[] {
    const prefix = template.serialPrefix ?? 'S';
    const assignment = { assignedAt: this.now().toISOString(), assignedBy: server.adminId };
    const records: DepDevice[] = new Array(count);
    for (let i = 0; i < count; i++) {
      let serial: string;
      do serial = serialFor(prefix, this.serialCounter++);
      while (this.serialOwner.has(serial));
      this.serialOwner.set(serial, server.uuid);
      records[i] = deviceRecord(serial, template, assignment);
    }
    server.addDevices(records, this.now());
    return records.map((r) => r.serial_number);
  }

  /** Adds given (partial) records; every serial must be new to the whole simulator. */
  addDeviceRecords(server: MdmServer, partials: Array<Partial<DepDevice> & { serial_number: string }>): string[] {
    const seen = new Set<string>();
    const taken = partials
      .map((p) => p.serial_number)
      .filter((s) => {
        const dup = this.serialOwner.has(s) || seen.has(s);
        seen.add(s);
        return dup;
      });
    if (taken.length > 0) throw new SimulatorError(409, `serials already assigned: ${taken.slice(0, 20).join(', ')}`);
    const assignment = { assignedAt: this.now().toISOString(), assignedBy: server.adminId };
    const records = partials.map((p) => completeRecord(p, assignment));
    for (const r of records) this.serialOwner.set(r.serial_number, server.uuid);
    server.addDevices(records, this.now());
    return records.map((r) => r.serial_number);
  }

  /**
   * An admin reassigns devices to another MDM server in ABM: the old server logs `deleted`, the new
   * one receives them as `modified` (not `added`: the case peers miss), with the old server's
   * profile cleared. Returns the serials moved (those `from` held).
   */
  moveDevices(from: MdmServer, to: MdmServer, serials: string[]): string[] {
    const moved: string[] = [];
    const assignment = { device_assigned_date: this.now().toISOString(), device_assigned_by: to.adminId };
    for (const serial of new Set(serials)) {
      const record = from.getDevice(serial);
      if (!record || from === to) continue;
      from.removeDevice(serial, this.now());
      const { profile_uuid: _uuid, profile_assign_time: _assigned, profile_push_time: _pushed, ...rest } = record;
      to.addDevices([{ ...rest, ...assignment, profile_status: 'empty' }], this.now(), 'modified');
      this.serialOwner.set(serial, to.uuid);
      moved.push(serial);
    }
    return moved;
  }

  /** Deleted from the server (ABM unassigned it, or disowned): the serial is free again. */
  removeDevice(server: MdmServer, serial: string): boolean {
    if (!server.removeDevice(serial, this.now())) return false;
    this.serialOwner.delete(serial);
    return true;
  }
}

function freshSecrets(): { consumerSecret: string; accessToken: string; accessSecret: string } {
  return {
    consumerSecret: `CS_${randomBytes(20).toString('hex')}`,
    accessToken: `AT_O${randomBytes(32).toString('hex')}`,
    accessSecret: `AS_${randomBytes(20).toString('hex')}`,
  };
}

/** The portal only takes an RSA certificate; returns the PEM unchanged or throws 400. */
function checkCertificate(pem: unknown): string {
  if (typeof pem !== 'string' || !pem.includes('BEGIN CERTIFICATE')) {
    throw new SimulatorError(400, 'certificatePem must be a PEM certificate');
  }
  try {
    const certificate = forge.pki.certificateFromPem(pem);
    if (!(certificate.publicKey as forge.pki.rsa.PublicKey).n) throw new Error('not RSA');
  } catch {
    throw new SimulatorError(400, 'certificatePem is not a readable RSA certificate');
  }
  return pem;
}
