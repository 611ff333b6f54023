/**
 * Opaque Relay global IDs: base64url("Type:uuid"). Clients must treat them as opaque strings.
 */
import { badInput } from '../errors/domain-error';

export type NodeTypeName =
  | 'ApiKey'
  | 'ScopeTag'
  | 'DepToken'
  | 'DepTokenKeyPair'
  | 'EnrollmentProfile'
  | 'AppleConfiguratorCertificate'
  | 'Device'
  | 'SyncRun'
  | 'VppToken'
  | 'Alert'
  | 'AuditEvent'
  | 'DeviceDeletion'
  | 'ApnsCertificate'
  | 'Webhook'
  | 'AppleBusinessAccount'
  | 'OrgDevice'
  | 'MdmServer'
  | 'OrgDeviceActivity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function parseGlobalId(globalId: string): { type: string; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length > 200 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const type = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  return UUID.test(id) ? { type, id } : null;
}

/** The database id behind a global id of the expected type; a clear BAD_USER_INPUT otherwise. */
export function fromGlobalId(globalId: string, expected: NodeTypeName, field = 'id'): string {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== expected) {
    throw badInput(`${field} must be the id of a ${expected}`, field);
  }
  return parsed.id;
}
