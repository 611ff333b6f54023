/** Typed calls of the School and Business API on top of BusinessClient (spec §3, §4). */
import type { BusinessClient, JsonApiList, JsonApiResource } from './business-client';

export interface OrgDeviceAttributes {
  serialNumber?: string;
  deviceModel?: string;
  productFamily?: string;
  productType?: string;
  deviceCapacity?: string;
  partNumber?: string;
  orderNumber?: string;
  orderDateTime?: string;
  color?: string;
  status?: string;
  addedToOrgDateTime?: string;
  updatedDateTime?: string;
  releasedFromOrgDateTime?: string | null;
  purchaseSourceId?: string;
  purchaseSourceUid?: string;
  purchaseSourceType?: string;
  imei?: string[];
  meid?: string[];
  eid?: string;
  wifiMacAddress?: string | string[];
  bluetoothMacAddress?: string | string[];
  ethernetMacAddress?: string[];
  isMdmMigrationCapable?: boolean;
  mdmMigrationStatus?: string | null;
  mdmMigrationDeadlineDateTime?: string | null;
}

export interface MdmServerAttributes {
  serverName?: string;
  serverType?: string;
  createdDateTime?: string;
  updatedDateTime?: string;
  status?: string;
  deviceCount?: number;
  defaultProductFamilies?: string[];
  enableMdmDisownFlag?: boolean;
  lastConnectedDateTime?: string | null;
  lastConnectedIp?: string | null;
}

export interface AppleCareAttributes {
  description?: string;
  status?: string;
  paymentType?: string;
  startDateTime?: string;
  endDateTime?: string | null;
  isRenewable?: boolean;
  isCanceled?: boolean;
  contractCancelDateTime?: string | null;
  agreementNumber?: string | null;
}

export interface ActivityAttributes {
  status?: string;
  subStatus?: string;
  createdDateTime?: string;
  completedDateTime?: string;
  downloadUrl?: string;
}

export type ActivityType =
  | 'ASSIGN_DEVICES'
  | 'UNASSIGN_DEVICES'
  | 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE'
  | 'UPDATE_MDM_MIGRATION_DEADLINE'
  | 'CANCEL_MDM_MIGRATION'
  | 'RELEASE_DEVICES';

const SERVER_FIELDS = 'serverName,serverType,createdDateTime,updatedDateTime,status,deviceCount,defaultProductFamilies,enableMdmDisownFlag,lastConnectedDateTime,lastConnectedIp';

export class BusinessApi {
  constructor(readonly client: BusinessClient) {}

  orgDevices(limit: number, cursor?: string): Promise<JsonApiList<OrgDeviceAttributes>> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.client.call('GET', `/v1/orgDevices?${q}`, undefined, 'GET /v1/orgDevices');
  }

  async appleCareCoverage(serial: string): Promise<Array<JsonApiResource<AppleCareAttributes>>> {
    const page = await this.client.call<JsonApiList<AppleCareAttributes>>('GET', `/v1/orgDevices/${encodeURIComponent(serial)}/appleCareCoverage?limit=1000`, undefined, 'GET /v1/orgDevices/{id}/appleCareCoverage');
    return page.data ?? [];
  }

  async mdmServers(): Promise<Array<JsonApiResource<MdmServerAttributes>>> {
    const out: Array<JsonApiResource<MdmServerAttributes>> = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ limit: '1000', 'fields[mdmServers]': SERVER_FIELDS });
      if (cursor) q.set('cursor', cursor);
      const page = await this.client.call<JsonApiList<MdmServerAttributes>>('GET', `/v1/mdmServers?${q}`, undefined, 'GET /v1/mdmServers');
      out.push(...(page.data ?? []));
      cursor = page.meta?.paging?.nextCursor;
    } while (cursor && out.length < 100_000);
    return out;
  }

  /** One page of a server's device linkages (spec §3.11): each linkage id is a serial. */
  serverDevices(serverId: string, limit: number, cursor?: string): Promise<JsonApiList<never>> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.client.call('GET', `/v1/mdmServers/${encodeURIComponent(serverId)}/relationships/devices?${q}`, undefined, 'GET /v1/mdmServers/{id}/relationships/devices');
  }

  async createMdmServer(input: { serverName: string; certificateName: string; certificateBase64: string }): Promise<JsonApiResource<MdmServerAttributes>> {
    const body = { data: { type: 'mdmServers', attributes: { serverName: input.serverName, serverCertificate: { name: input.certificateName, data: input.certificateBase64 } } } };
    const response = await this.client.call<{ data: JsonApiResource<MdmServerAttributes> }>('POST', '/v1/mdmServers', body);
    return response.data;
  }

  async updateMdmServer(id: string, attributes: MdmServerAttributes): Promise<JsonApiResource<MdmServerAttributes>> {
    const response = await this.client.call<{ data: JsonApiResource<MdmServerAttributes> }>(
      'PATCH',
      `/v1/mdmServers/${encodeURIComponent(id)}`,
      { data: { type: 'mdmServers', id, attributes } },
      'PATCH /v1/mdmServers/{id}',
    );
    return response.data;
  }

  async createActivity(input: { type: ActivityType; mdmServerId?: string | null; serials: string[]; deadline?: Date | null }): Promise<JsonApiResource<ActivityAttributes>> {
    const relationships: Record<string, unknown> = { devices: { data: input.serials.map((id) => ({ type: 'orgDevices', id })) } };
    if (input.mdmServerId) relationships.mdmServer = { data: { type: 'mdmServers', id: input.mdmServerId } };
    const attributes: Record<string, unknown> = { activityType: input.type };
    if (input.deadline) attributes.activityTypeMetadata = { mdmMigrationDeadlineDateTime: input.deadline.toISOString() };
    const response = await this.client.call<{ data: JsonApiResource<ActivityAttributes> }>('POST', '/v1/orgDeviceActivities', {
      data: { type: 'orgDeviceActivities', attributes, relationships },
    });
    return response.data;
  }

  async activity(id: string): Promise<JsonApiResource<ActivityAttributes>> {
    const response = await this.client.call<{ data: JsonApiResource<ActivityAttributes> }>('GET', `/v1/orgDeviceActivities/${encodeURIComponent(id)}`, undefined, 'GET /v1/orgDeviceActivities/{id}');
    return response.data;
  }
}

export interface ActivityLogRow {
  serialNumber: string;
  status: string;
  subStatus: string;
}

/**
 * Apple's activity log CSV: preamble rows, then a header naming `serial_number` (columns are not
 * documented; this follows the fixture clients use). Rows before the header are skipped.
 */
export function parseActivityLog(csv: string): ActivityLogRow[] {
  const lines = csv.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => /(^|,)\s*"?serial_number"?\s*(,|$)/i.test(l));
  if (headerAt < 0) return [];
  const header = splitCsv(lines[headerAt]).map((h) => h.toLowerCase());
  const serial = header.indexOf('serial_number');
  const status = header.indexOf('operation_status');
  const sub = header.indexOf('operation_substatus');
  const rows: ActivityLogRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (!line.trim()) continue;
    const cells = splitCsv(line);
    const serialNumber = cells[serial]?.trim();
    if (!serialNumber) continue;
    rows.push({ serialNumber, status: (cells[status] ?? '').trim(), subStatus: (cells[sub] ?? '').trim() });
  }
  return rows;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}
