/**
 * The simulator's Apps and Books (VPP) side, in memory: locations, the tokens issued for them, and
 * each location's licence counts per app (adamId).
 *
 * A location token file (`.vpptoken`) is what Apple Business Manager hands out under Preferences >
 * Payments and Billing: base64 of a JSON `{token, expDate, orgName}`. Its whole text is the
 * `sToken` that goes into `Authorization: Bearer`. Downloading a new token for a location revokes
 * the previous one (Apple then answers 9625).
 */
import { randomBytes } from 'node:crypto';
import { DAY_MS, type Clock } from '../clock';
import { formatAppleVppDate } from '../apple/vpp-client';
import type { VppAsset } from '../apple/vpp.types';
import { SimulatorError } from './simulator.state';

/** Company Portal's App Store id; the default asset a new location holds. */
export const SIM_COMPANY_PORTAL_ADAM_ID = '719171358';
export const DEFAULT_VPP_TOKEN_LIFETIME_MS = 365 * DAY_MS;

export interface SimVppAsset {
  adamId: string;
  totalCount: number;
  assignedCount: number;
  retiredCount: number;
  pricingParam: string;
  productType: string;
}

export interface SimVppLocation {
  uId: string;
  locationName: string;
  orgName: string;
  countryISO2ACode: string;
  expiresAt: Date;
  /** The current sToken (file text); every older one answers 9625 (revoked). */
  sToken: string;
  assets: Map<string, SimVppAsset>;
}

export interface CreateVppLocationInput {
  locationName?: string;
  orgName?: string;
  countryISO2ACode?: string;
  expiresAt?: string;
  /** Company Portal licences; default 100 total, 0 assigned. `null` = the location holds none. */
  companyPortal?: { totalCount: number; assignedCount?: number } | null;
}

export interface VppFault {
  status: number;
  errorNumber?: number;
  count: number;
}

export interface VppRequestLogEntry {
  at: string;
  method: string;
  path: string;
  status: number;
  hasAuthorization: boolean;
  errorNumber?: number;
}

export class VppSimulatorState {
  private locations = new Map<string, SimVppLocation>();
  private byToken = new Map<string, SimVppLocation>();
  private uidCounter = 2_049_025_000_431_000;
  faults: VppFault[] = [];
  requests: VppRequestLogEntry[] = [];

  constructor(readonly clock: Clock) {}

  now(): Date {
    return this.clock.now();
  }

  reset(): void {
    this.locations.clear();
    this.byToken.clear();
    this.faults = [];
    this.requests = [];
  }

  list(): SimVppLocation[] {
    return [...this.locations.values()];
  }

  require(uId: string): SimVppLocation {
    const location = this.locations.get(uId);
    if (!location) throw new SimulatorError(404, `no VPP location ${uId}`);
    return location;
  }

  /** The location an sToken belongs to, and whether that token is still the current one. */
  lookup(sToken: string): { location: SimVppLocation; revoked: boolean } | null {
    const location = this.byToken.get(sToken);
    if (!location) return null;
    return { location, revoked: location.sToken !== sToken };
  }

  create(input: CreateVppLocationInput = {}): SimVppLocation {
    const uId = String(++this.uidCounter);
    const expiresAt = input.expiresAt ? parseDate(input.expiresAt, 'expiresAt') : new Date(this.now().getTime() + DEFAULT_VPP_TOKEN_LIFETIME_MS);
    const location: SimVppLocation = {
      uId,
      locationName: input.locationName ?? `Location ${uId.slice(-4)}`,
      orgName: input.orgName ?? 'Example Corp',
      countryISO2ACode: input.countryISO2ACode ?? 'US',
      expiresAt,
      sToken: '',
      assets: new Map(),
    };
    const cp = input.companyPortal === undefined ? { totalCount: 100, assignedCount: 0 } : input.companyPortal;
    if (cp) this.setAsset(location, SIM_COMPANY_PORTAL_ADAM_ID, { totalCount: cp.totalCount, assignedCount: cp.assignedCount ?? 0 });
    this.locations.set(uId, location);
    this.issue(location);
    return location;
  }

  /** A new token file for the location; the previous one is revoked. */
  renew(uId: string, expiresAt?: string): SimVppLocation {
    const location = this.require(uId);
    location.expiresAt = expiresAt ? parseDate(expiresAt, 'expiresAt') : new Date(this.now().getTime() + DEFAULT_VPP_TOKEN_LIFETIME_MS);
    this.issue(location);
    return location;
  }

  revoke(uId: string): SimVppLocation {
    const location = this.require(uId);
    // The old token stays mapped (so it answers 9625) but is no longer the current one.
    location.sToken = `revoked:${location.sToken}`;
    return location;
  }

  setAsset(location: SimVppLocation, adamId: string, counts: { totalCount?: number; assignedCount?: number; pricingParam?: string }): SimVppAsset {
    const existing = location.assets.get(adamId);
    const totalCount = counts.totalCount ?? existing?.totalCount ?? 0;
    const assignedCount = counts.assignedCount ?? existing?.assignedCount ?? 0;
    if (!Number.isInteger(totalCount) || totalCount < 0) throw new SimulatorError(400, 'totalCount must be a non-negative integer');
    if (!Number.isInteger(assignedCount) || assignedCount < 0 || assignedCount > totalCount) {
      throw new SimulatorError(400, 'assignedCount must be an integer between 0 and totalCount');
    }
    const asset: SimVppAsset = {
      adamId,
      totalCount,
      assignedCount,
      retiredCount: existing?.retiredCount ?? 0,
      pricingParam: counts.pricingParam ?? existing?.pricingParam ?? 'STDQ',
      productType: 'App',
    };
    location.assets.set(adamId, asset);
    return asset;
  }

  tokenFileJson(location: SimVppLocation): { token: string; expDate: string; orgName: string } {
    return JSON.parse(Buffer.from(location.sToken, 'base64').toString('utf8'));
  }

  nextFault(): VppFault | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    if (--fault.count <= 0) this.faults.shift();
    return fault;
  }

  log(entry: VppRequestLogEntry): void {
    this.requests.push(entry);
    if (this.requests.length > 1000) this.requests.shift();
  }

  private issue(location: SimVppLocation): void {
    const json = JSON.stringify({
      token: randomBytes(48).toString('base64'),
      expDate: formatAppleVppDate(location.expiresAt),
      orgName: location.orgName,
    });
    location.sToken = Buffer.from(json, 'utf8').toString('base64');
    this.byToken.set(location.sToken, location);
  }
}

export function assetWire(asset: SimVppAsset): VppAsset {
  return {
    adamId: asset.adamId,
    assignedCount: asset.assignedCount,
    availableCount: asset.totalCount - asset.assignedCount,
    deviceAssignable: true,
    pricingParam: asset.pricingParam,
    productType: asset.productType,
    retiredCount: asset.retiredCount,
    revocable: true,
    supportedPlatforms: ['iOS', 'macOS'],
    totalCount: asset.totalCount,
  };
}

function parseDate(value: string, field: string): Date {
  const date = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw new SimulatorError(400, `${field} must be an ISO date`);
  return date;
}
