/**
 * Fixtures for tests of profiles and devices: tokens uploaded through GraphQL against the
 * simulator, devices created on both sides (the simulator's MDM server, and depgate's table as a
 * sync would leave them), the simulator's request log, and an SQL statement counter.
 */
import { Client } from 'pg';
import { DAY_MS } from '../../src/clock';
import { parseGlobalId } from '../../src/graphql/global-id';
import type { TestApp } from './test-app';

export interface UploadedToken {
  /** Global id. */
  id: string;
  rowId: string;
  serverUuid: string;
}

export async function uploadToken(t: TestApp, name: string, scopeTagIds: string[] = []): Promise<UploadedToken> {
  const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
    .createDepTokenKeyPair.keyPair;
  const server = await t.simControl('POST', '/_sim/servers', {
    certificatePem: keyPair.certificatePem,
    serverName: name,
    orgName: 'Example Corp',
    accessTokenExpiry: new Date(t.clock.now().getTime() + 300 * DAY_MS).toISOString(),
  });
  const res = await t.ok(
    `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id } } }`,
    { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name, scopeTagIds } },
  );
  const id = res.uploadDepToken.token.id;
  return { id, rowId: parseGlobalId(id)!.id, serverUuid: server.serverUuid };
}

export interface DeviceRows {
  model?: string;
  description?: string;
  deviceFamily?: string;
  /** Only in depgate (not at Apple): as if Apple had not been asked yet. */
  depgateOnly?: boolean;
  /** Only at Apple: not synced yet. */
  appleOnly?: boolean;
}

/**
 * Devices assigned to the token's MDM server at Apple and present in depgate as a sync leaves
 * them (source SYNC, profile EMPTY): one control call and one INSERT ... SELECT FROM unnest.
 */
export async function createDevices(t: TestApp, token: UploadedToken, serials: string[], options: DeviceRows = {}): Promise<void> {
  const family = options.deviceFamily ?? 'iPhone';
  if (!options.depgateOnly) {
    for (let i = 0; i < serials.length; i += 5000) {
      await t.simControl('POST', `/_sim/servers/${token.serverUuid}/devices`, {
        devices: serials.slice(i, i + 5000).map((serial_number) => ({ serial_number, device_family: family })),
      });
    }
  }
  if (!options.appleOnly) {
    await t.app.dataSource.query(
      `INSERT INTO devices (token_id, serial_number, model, description, os, device_family, source, last_synced_at, created_at, updated_at)
       SELECT $1, s, $3, $4, 'iOS', $5, 'SYNC', $6, $6, $6 FROM unnest($2::text[]) AS s`,
      [token.rowId, serials, options.model ?? 'iPhone 15', options.description ?? 'IPHONE 15 BLACK 128GB', family, t.clock.now()],
    );
  }
}

export function serials(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${(from + i).toString(36).toUpperCase().padStart(12 - prefix.length, '0')}`);
}

/** Apple requests the simulator logged for a path since the log was last cleared. */
export async function appleRequests(t: TestApp, path: string): Promise<{ method: string; path: string; status: number }[]> {
  const { requests } = await t.simControl('GET', `/_sim/requests?limit=10000&path=${encodeURIComponent(path)}`);
  return requests;
}

export async function clearAppleRequests(t: TestApp): Promise<void> {
  await t.simControl('DELETE', '/_sim/requests');
}

export async function simProfiles(t: TestApp, token: UploadedToken): Promise<{ profileUuid: string; profile: Record<string, unknown> }[]> {
  return (await t.simControl('GET', `/_sim/servers/${token.serverUuid}/profiles`)).profiles;
}

export async function simDevices(t: TestApp, token: UploadedToken): Promise<Map<string, { profile_uuid?: string | null; profile_status: string }>> {
  const { devices } = await t.simControl('GET', `/_sim/servers/${token.serverUuid}/devices`);
  return new Map(devices.map((d: { serial_number: string }) => [d.serial_number, d]));
}

/**
 * Counts the SQL statements the app sends while `fn` runs (every pg client of the process; the
 * app runs in this process). `match` keeps only statements about the tables of interest, so the
 * API key lookup of each request does not count.
 */
export async function countStatements<T>(fn: () => Promise<T>, match: RegExp): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  (Client.prototype as any).query = function (this: Client, ...args: any[]) {
    const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    if (typeof text === 'string' && match.test(text)) statements.push(text);
    return (original as any).apply(this, args);
  };
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    Client.prototype.query = original;
  }
}
