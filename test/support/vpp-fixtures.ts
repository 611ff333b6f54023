/**
 * Helpers for VPP and alert tests: locations issued by the simulator, VPP and DEP tokens uploaded
 * through GraphQL, and a Prometheus text parser.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../src/clock';
import type { TestApp } from './test-app';

export const VPP_FIELDS = `id name appleId orgName locationName countryCode expiresAt status lastRefreshError renewedAt usedByProfileCount
  companyPortalLicenses { total assigned available low refreshedAt } scopeTags { name }`;
export const UPLOAD_VPP = `mutation ($input: UploadVppTokenInput!) { uploadVppToken(input: $input) { vppToken { ${VPP_FIELDS} } } }`;
export const RENEW_VPP = `mutation ($input: RenewVppTokenInput!) { renewVppToken(input: $input) { vppToken { ${VPP_FIELDS} } } }`;
export const REFRESH_VPP = `mutation ($id: ID!) { refreshVppTokenLicenses(input: {vppTokenId: $id}) { vppToken { ${VPP_FIELDS} } } }`;
export const ALERT_FIELDS = `id kind severity subjectName threshold message raisedAt active resolvedAt resolution acknowledgedAt acknowledgedBy
  subject { __typename ... on DepToken { id name } ... on VppToken { id name } }`;

export interface SimLocation {
  uId: string;
  tokenFile: string;
  locationName: string;
  orgName: string;
  expiresAt: string;
}

export async function issueLocation(
  t: TestApp,
  options: { expiresInDays?: number; total?: number | null; assigned?: number; locationName?: string } = {},
): Promise<SimLocation> {
  const { expiresInDays = 365, total = 100, assigned = 0 } = options;
  return t.simControl('POST', '/_sim/vpp/locations', {
    locationName: options.locationName ?? `Location ${randomUUID().slice(0, 6)}`,
    orgName: 'Example Corp',
    expiresAt: new Date(t.clock.now().getTime() + expiresInDays * DAY_MS).toISOString(),
    companyPortal: total === null ? null : { totalCount: total, assignedCount: assigned },
  });
}

export async function uploadVpp(
  t: TestApp,
  options: Parameters<typeof issueLocation>[1] & { name?: string; scopeTagIds?: string[]; key?: string } = {},
): Promise<{ location: SimLocation; vppToken: any }> {
  const location = await issueLocation(t, options);
  const data = await t.ok(
    UPLOAD_VPP,
    { input: { tokenFile: location.tokenFile, name: options.name, scopeTagIds: options.scopeTagIds } },
    options.key,
  );
  return { location, vppToken: data.uploadVppToken.vppToken };
}

export async function setLicences(t: TestApp, uId: string, total: number, assigned: number): Promise<void> {
  await t.simControl('PUT', `/_sim/vpp/locations/${uId}/assets/719171358`, { totalCount: total, assignedCount: assigned });
}

/** A DEP token through the four steps against the simulator. */
export async function uploadDep(
  t: TestApp,
  options: { expiresInDays?: number; name?: string; scopeTagIds?: string[] } = {},
): Promise<{ token: any; serverUuid: string; keyPair: { id: string; certificatePem: string } }> {
  const keyPair = (await t.ok(`mutation { createDepTokenKeyPair(input: {dataSharingConsent: true}) { keyPair { id certificatePem } } }`))
    .createDepTokenKeyPair.keyPair;
  const server = await t.simControl('POST', '/_sim/servers', {
    certificatePem: keyPair.certificatePem,
    orgName: 'Example Corp',
    serverName: options.name ?? `MDM ${randomUUID().slice(0, 6)}`,
    accessTokenExpiry: new Date(t.clock.now().getTime() + (options.expiresInDays ?? 365) * DAY_MS).toISOString(),
  });
  const data = await t.ok(
    `mutation ($input: UploadDepTokenInput!) { uploadDepToken(input: $input) { token { id name expiresAt } } }`,
    { input: { keyPairId: keyPair.id, tokenFile: server.tokenFile, appleId: 'admin@example.com', name: options.name, scopeTagIds: options.scopeTagIds } },
  );
  return { token: data.uploadDepToken.token, serverUuid: server.serverUuid, keyPair };
}

export async function renewDep(t: TestApp, dep: { token: any; serverUuid: string; keyPair: { certificatePem: string } }, expiresInDays: number): Promise<any> {
  const renewed = await t.simControl('POST', `/_sim/servers/${dep.serverUuid}/renew`, {
    certificatePem: dep.keyPair.certificatePem,
    accessTokenExpiry: new Date(t.clock.now().getTime() + expiresInDays * DAY_MS).toISOString(),
  });
  return (
    await t.ok(`mutation ($input: RenewDepTokenInput!) { renewDepToken(input: $input) { token { id expiresAt } } }`, {
      input: { tokenId: dep.token.id, tokenFile: renewed.tokenFile, appleId: 'admin@example.com' },
    })
  ).renewDepToken.token;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format 0.0.4: samples with labels, plus each metric's TYPE. */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    for (let l = labelRe.exec(m[2] ?? ''); l; l = labelRe.exec(m[2] ?? '')) {
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

export function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
