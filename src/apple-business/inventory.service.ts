/**
 * The organisation's inventory as Apple lists it, mirrored per account: orgDevices page by page
 * (1,000 a request, one upsert statement per page; devices Apple no longer lists are dropped at the
 * end of a complete pass), the MDM servers, and AppleCare coverage on demand. Apple's limits are
 * the client's business (Retry-After, backoff, at most 4 requests in flight per account).
 */
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { JsonApiResource } from '../apple/business-client';
import type { MdmServerAttributes, OrgDeviceAttributes } from '../apple/business-api';
import type { AccessScope } from '../auth/access-scope';
import { APPLE_BUSINESS_ACCOUNT_TAGS } from '../auth/scope-tag-link';
import type { Clock } from '../clock';
import { DomainError } from '../errors/domain-error';
import type { Logger } from '../logger';
import { DepTokenEntity } from '../tokens/token.entity';
import type { AppleBusinessAccountEntity } from './account.entity';
import { AppleBusinessAccountEntity as AccountRow } from './account.entity';
import type { AppleBusinessAccountService } from './account.service';
import { AppleMdmServerEntity } from './mdm-server.entity';
import { OrgDeviceEntity, type AppleCareCoverageRecord } from './org-device.entity';

export const INVENTORY_PAGE_SIZE = 1000;
/** A pass stops after this many pages (10 million devices): a cursor that never ends is a bug at Apple. */
const MAX_PAGES = 10_000;

export interface OrgDeviceFilterCommand {
  serialNumberPrefix?: string | null;
  productFamily?: string | null;
  status?: 'ASSIGNED' | 'UNASSIGNED' | null;
  mdmServerId?: string | null;
  orderNumber?: string | null;
  unassigned?: boolean | null;
}

const list = (value: string | string[] | undefined): string[] | null => (value === undefined ? null : Array.isArray(value) ? value : [value]);
const date = (value: string | null | undefined): Date | null => {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
};

export class InventoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AppleBusinessAccountService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** A complete pass over Apple's orgDevices and mdmServers for the account. */
  async mirror(accountId: string, signal?: AbortSignal): Promise<{ devices: number; pages: number }> {
    const account = await this.dataSource.getRepository(AccountRow).findOneBy({ id: accountId });
    if (!account) return { devices: 0, pages: 0 };
    const started = this.clock.now();
    let pages = 0;
    let devices = 0;
    try {
      const servers = await this.refreshServers(account);
      let cursor: string | undefined;
      do {
        if (signal?.aborted) throw signal.reason;
        const page = await this.accounts.withApple(account, 'reading the organisation\'s devices', (api) => api.orgDevices(INVENTORY_PAGE_SIZE, cursor));
        await this.upsertDevices(account.id, page.data ?? [], started);
        devices += page.data?.length ?? 0;
        pages++;
        cursor = page.meta?.paging?.nextCursor;
      } while (cursor && pages < MAX_PAGES);
      // Devices not listed in a complete pass left the organisation (released).
      await this.dataSource.query(`DELETE FROM org_devices WHERE account_id = $1 AND mirrored_at < $2`, [account.id, started]);
      await this.refreshAssignments(account, servers, true, signal);
      await this.dataSource.getRepository(AccountRow).update({ id: account.id }, { inventorySyncedAt: this.clock.now(), inventorySyncError: null });
      this.logger.info({ appleBusinessAccountId: account.id, devices, pages }, 'Apple Business inventory mirrored');
      return { devices, pages };
    } catch (error) {
      const message = error instanceof DomainError ? error.message : 'Unexpected error while mirroring the inventory';
      await this.dataSource.getRepository(AccountRow).update({ id: account.id }, { inventorySyncError: message.slice(0, 500) });
      throw error;
    }
  }

  /**
   * Brings the mirror up to date after an activity touched these serials and these servers: one
   * request per device when that is fewer requests than a complete pass (1,000 devices a page),
   * else the complete pass. Apple allows ~20 GETs a minute, so 2,500 single reads would take hours.
   */
  async refreshAfterActivity(account: AppleBusinessAccountEntity, serials: readonly string[], serverAppleIds: ReadonlySet<string>): Promise<void> {
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(`SELECT count(*)::int AS count FROM org_devices WHERE account_id = $1`, [account.id]);
    if (serials.length > Math.ceil(count / INVENTORY_PAGE_SIZE)) {
      await this.mirror(account.id);
      return;
    }
    await this.refreshDevices(account, serials);
    const servers = await this.refreshServers(account);
    await this.refreshAssignments(account, servers.filter((s) => serverAppleIds.has(s.appleId)), false);
  }

  /** Re-reads the given serials one by one. */
  private async refreshDevices(account: AppleBusinessAccountEntity, serials: readonly string[]): Promise<void> {
    const now = this.clock.now();
    const found: Array<JsonApiResource<OrgDeviceAttributes>> = [];
    const gone: string[] = [];
    await Promise.all(
      serials.map(async (serial) => {
        try {
          const device = await this.accounts.withApple(account, 'reading a device', (api) => api.client.call<{ data: JsonApiResource<OrgDeviceAttributes> }>('GET', `/v1/orgDevices/${encodeURIComponent(serial)}`, undefined, 'GET /v1/orgDevices/{id}'));
          if (device.data.attributes?.releasedFromOrgDateTime) gone.push(serial);
          else found.push(device.data);
        } catch (error) {
          if (error instanceof DomainError && error.extensions.appleCode === 'NOT_FOUND') gone.push(serial);
          else throw error;
        }
      }),
    );
    await this.upsertDevices(account.id, found, now);
    if (gone.length) await this.dataSource.query(`DELETE FROM org_devices WHERE account_id = $1 AND serial_number = ANY($2::text[])`, [account.id, gone]);
  }

  /**
   * Which server each device is on. Apple's device resources carry only links for assignedServer
   * (spec §3.1), so the linkages are read per server instead (§3.11: 1,000 serials a request, one
   * UPDATE per page) rather than one request per device. Devices of `servers` that no linkage
   * names are unassigned; with `everyServer` (a complete pass) every device no server names is.
   */
  private async refreshAssignments(account: AppleBusinessAccountEntity, servers: readonly AppleMdmServerEntity[], everyServer: boolean, signal?: AbortSignal): Promise<void> {
    const linked: string[] = [];
    for (const server of servers) {
      // Apple counts the devices of each server: an empty one needs no request.
      if (server.deviceCount === 0) continue;
      let cursor: string | undefined;
      let pages = 0;
      do {
        if (signal?.aborted) throw signal.reason;
        const page = await this.accounts.withApple(account, "reading an MDM server's devices", (api) => api.serverDevices(server.appleId, INVENTORY_PAGE_SIZE, cursor));
        const serials = (page.data ?? []).map((d) => d.id);
        if (serials.length) {
          await this.dataSource.query(
            `UPDATE org_devices SET assigned_server_id = $2 WHERE account_id = $1 AND serial_number = ANY($3::text[]) AND assigned_server_id IS DISTINCT FROM $2`,
            [account.id, server.appleId, serials],
          );
        }
        linked.push(...serials);
        pages++;
        cursor = page.meta?.paging?.nextCursor;
      } while (cursor && pages < MAX_PAGES);
    }
    await this.dataSource.query(
      `UPDATE org_devices SET assigned_server_id = NULL
       WHERE account_id = $1 AND assigned_server_id IS NOT NULL AND ($2 OR assigned_server_id = ANY($3::text[])) AND NOT (serial_number = ANY($4::text[]))`,
      [account.id, everyServer, servers.map((s) => s.appleId), linked],
    );
  }

  /** One statement for the page: rows as JSON, upserted by (account, serial). */
  private async upsertDevices(accountId: string, devices: Array<JsonApiResource<OrgDeviceAttributes>>, at: Date): Promise<void> {
    if (devices.length === 0) return;
    const rows = devices.map((d) => {
      const a = d.attributes ?? {};
      // Apple's resources carry the linkage only as links; without data the stored one stays (refreshAssignments).
      const server = d.relationships?.assignedServer?.data;
      return {
        serial_number: a.serialNumber ?? d.id,
        device_model: a.deviceModel ?? null,
        product_family: a.productFamily ?? null,
        product_type: a.productType ?? null,
        device_capacity: a.deviceCapacity ?? null,
        part_number: a.partNumber ?? null,
        order_number: a.orderNumber ?? null,
        order_date_time: date(a.orderDateTime),
        color: a.color ?? null,
        status: a.status ?? null,
        assigned_server_id: server?.id ?? null,
        added_to_org_at: date(a.addedToOrgDateTime),
        apple_updated_at: date(a.updatedDateTime),
        purchase_source_type: a.purchaseSourceType ?? null,
        purchase_source_id: a.purchaseSourceId ?? a.purchaseSourceUid ?? null,
        imei: a.imei ?? null,
        meid: a.meid ?? null,
        eid: a.eid ?? null,
        wifi_mac_addresses: list(a.wifiMacAddress),
        bluetooth_mac_addresses: list(a.bluetoothMacAddress),
        ethernet_mac_addresses: a.ethernetMacAddress ?? null,
        mdm_migration_capable: a.isMdmMigrationCapable ?? null,
        mdm_migration_status: a.mdmMigrationStatus ?? null,
        mdm_migration_deadline: date(a.mdmMigrationDeadlineDateTime),
      };
    });
    await this.dataSource.query(
      `INSERT INTO org_devices (account_id, serial_number, device_model, product_family, product_type, device_capacity, part_number,
         order_number, order_date_time, color, status, assigned_server_id, added_to_org_at, apple_updated_at, purchase_source_type,
         purchase_source_id, imei, meid, eid, wifi_mac_addresses, bluetooth_mac_addresses, ethernet_mac_addresses,
         mdm_migration_capable, mdm_migration_status, mdm_migration_deadline, mirrored_at)
       SELECT $1, r.serial_number, r.device_model, r.product_family, r.product_type, r.device_capacity, r.part_number,
         r.order_number, r.order_date_time, r.color, r.status, r.assigned_server_id, r.added_to_org_at, r.apple_updated_at, r.purchase_source_type,
         r.purchase_source_id, r.imei, r.meid, r.eid, r.wifi_mac_addresses, r.bluetooth_mac_addresses, r.ethernet_mac_addresses,
         r.mdm_migration_capable, r.mdm_migration_status, r.mdm_migration_deadline, $3
       FROM jsonb_to_recordset($2::jsonb) AS r(serial_number text, device_model text, product_family text, product_type text,
         device_capacity text, part_number text, order_number text, order_date_time timestamptz, color text, status text,
         assigned_server_id text, added_to_org_at timestamptz, apple_updated_at timestamptz, purchase_source_type text,
         purchase_source_id text, imei text[], meid text[], eid text, wifi_mac_addresses text[], bluetooth_mac_addresses text[],
         ethernet_mac_addresses text[], mdm_migration_capable boolean, mdm_migration_status text, mdm_migration_deadline timestamptz)
       ON CONFLICT (account_id, serial_number) DO UPDATE SET
         device_model = EXCLUDED.device_model, product_family = EXCLUDED.product_family, product_type = EXCLUDED.product_type,
         device_capacity = EXCLUDED.device_capacity, part_number = EXCLUDED.part_number, order_number = EXCLUDED.order_number,
         order_date_time = EXCLUDED.order_date_time, color = EXCLUDED.color, status = EXCLUDED.status,
         assigned_server_id = COALESCE(EXCLUDED.assigned_server_id, org_devices.assigned_server_id), added_to_org_at = EXCLUDED.added_to_org_at,
         apple_updated_at = EXCLUDED.apple_updated_at, purchase_source_type = EXCLUDED.purchase_source_type,
         purchase_source_id = EXCLUDED.purchase_source_id, imei = EXCLUDED.imei, meid = EXCLUDED.meid, eid = EXCLUDED.eid,
         wifi_mac_addresses = EXCLUDED.wifi_mac_addresses, bluetooth_mac_addresses = EXCLUDED.bluetooth_mac_addresses,
         ethernet_mac_addresses = EXCLUDED.ethernet_mac_addresses, mdm_migration_capable = EXCLUDED.mdm_migration_capable,
         mdm_migration_status = EXCLUDED.mdm_migration_status, mdm_migration_deadline = EXCLUDED.mdm_migration_deadline,
         mirrored_at = GREATEST(org_devices.mirrored_at, EXCLUDED.mirrored_at)`,
      [accountId, JSON.stringify(rows), at],
    );
  }

  /** Reads the MDM servers from Apple and stores them (new ones get an id of ours, gone ones are dropped). */
  async refreshServers(account: AppleBusinessAccountEntity): Promise<AppleMdmServerEntity[]> {
    const servers = await this.accounts.withApple(account, 'reading the MDM servers', (api) => api.mdmServers());
    await this.upsertServers(account.id, servers);
    return this.dataSource.getRepository(AppleMdmServerEntity).find({ where: { accountId: account.id }, order: { serverName: 'ASC', id: 'ASC' } });
  }

  async upsertServers(accountId: string, servers: Array<JsonApiResource<MdmServerAttributes>>, removeMissing = true): Promise<void> {
    const now = this.clock.now();
    const rows = servers.map((s) => ({
      apple_id: s.id,
      server_name: s.attributes?.serverName ?? s.id,
      server_type: s.attributes?.serverType ?? null,
      status: s.attributes?.status ?? null,
      device_count: s.attributes?.deviceCount ?? null,
      default_product_families: s.attributes?.defaultProductFamilies ?? [],
      last_connected_at: date(s.attributes?.lastConnectedDateTime),
      apple_created_at: date(s.attributes?.createdDateTime),
    }));
    await this.dataSource.transaction(async (manager) => {
      if (rows.length) {
        await manager.query(
          `INSERT INTO apple_mdm_servers (account_id, apple_id, server_name, server_type, status, device_count, default_product_families, last_connected_at, apple_created_at, mirrored_at)
           SELECT $1, r.apple_id, r.server_name, r.server_type, r.status, r.device_count, r.default_product_families, r.last_connected_at, r.apple_created_at, $3
           FROM jsonb_to_recordset($2::jsonb) AS r(apple_id text, server_name text, server_type text, status text, device_count integer,
             default_product_families text[], last_connected_at timestamptz, apple_created_at timestamptz)
           ON CONFLICT (account_id, apple_id) DO UPDATE SET server_name = EXCLUDED.server_name, server_type = EXCLUDED.server_type,
             status = EXCLUDED.status, device_count = EXCLUDED.device_count, default_product_families = EXCLUDED.default_product_families,
             last_connected_at = EXCLUDED.last_connected_at, apple_created_at = EXCLUDED.apple_created_at, mirrored_at = EXCLUDED.mirrored_at`,
          [accountId, JSON.stringify(rows), now],
        );
      }
      if (removeMissing) await manager.query(`DELETE FROM apple_mdm_servers WHERE account_id = $1 AND mirrored_at < $2`, [accountId, now]);
    });
  }

  /** AppleCare coverage read from Apple now and kept in the mirror. */
  async refreshAppleCare(account: AppleBusinessAccountEntity, device: OrgDeviceEntity): Promise<OrgDeviceEntity> {
    const coverage = await this.accounts.withApple(account, 'reading AppleCare coverage', (api) => api.appleCareCoverage(device.serialNumber));
    const records: AppleCareCoverageRecord[] = coverage.map((c) => ({
      id: c.id,
      description: c.attributes?.description ?? null,
      status: c.attributes?.status ?? null,
      paymentType: c.attributes?.paymentType ?? null,
      startDateTime: c.attributes?.startDateTime ?? null,
      endDateTime: c.attributes?.endDateTime ?? null,
      isRenewable: c.attributes?.isRenewable ?? null,
      isCanceled: c.attributes?.isCanceled ?? null,
      contractCancelDateTime: c.attributes?.contractCancelDateTime ?? null,
      agreementNumber: c.attributes?.agreementNumber ?? null,
    }));
    await this.dataSource.getRepository(OrgDeviceEntity).update({ id: device.id }, { appleCare: records, appleCareReadAt: this.clock.now() });
    return this.dataSource.getRepository(OrgDeviceEntity).findOneByOrFail({ id: device.id });
  }

  // ---------------------------------------------------------------- reads

  /** orgDevices of one (visible) account with the filter, for the connection. */
  deviceQuery(accountId: string, filter: OrgDeviceFilterCommand, mdmServerAppleId: string | null): SelectQueryBuilder<OrgDeviceEntity> {
    const qb = this.dataSource.getRepository(OrgDeviceEntity).createQueryBuilder('od').where('od.account_id = :accountId', { accountId });
    if (filter.serialNumberPrefix) qb.andWhere(`od.serial_number LIKE :prefix`, { prefix: `${filter.serialNumberPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    if (filter.productFamily) qb.andWhere('od.product_family = :family', { family: filter.productFamily });
    if (filter.status) qb.andWhere('od.status = :status', { status: filter.status });
    if (filter.orderNumber) qb.andWhere('od.order_number = :orderNumber', { orderNumber: filter.orderNumber });
    if (mdmServerAppleId) qb.andWhere('od.assigned_server_id = :serverId', { serverId: mdmServerAppleId });
    if (filter.unassigned === true) qb.andWhere('od.assigned_server_id IS NULL');
    if (filter.unassigned === false) qb.andWhere('od.assigned_server_id IS NOT NULL');
    return qb;
  }

  async visibleDevicesByIds(ids: readonly string[], scope: AccessScope): Promise<OrgDeviceEntity[]> {
    if (!ids.length) return [];
    const qb = this.dataSource.getRepository(OrgDeviceEntity).createQueryBuilder('od').where('od.id = ANY(:ids)', { ids: [...ids] });
    return scope.restrict(qb, [APPLE_BUSINESS_ACCOUNT_TAGS, 'od.account_id']).getMany();
  }

  /** The org device of each serial (the oldest visible account's, when several accounts list it). */
  async visibleDevicesBySerial(serials: readonly string[], scope: AccessScope): Promise<OrgDeviceEntity[]> {
    if (!serials.length) return [];
    const qb = this.dataSource
      .getRepository(OrgDeviceEntity)
      .createQueryBuilder('od')
      .distinctOn(['od.serial_number'])
      .where('od.serial_number = ANY(:serials)', { serials: [...serials] })
      .orderBy('od.serial_number')
      .addOrderBy('od.mirrored_at', 'ASC');
    return scope.restrict(qb, [APPLE_BUSINESS_ACCOUNT_TAGS, 'od.account_id']).getMany();
  }

  async visibleServersByIds(ids: readonly string[], scope: AccessScope): Promise<AppleMdmServerEntity[]> {
    if (!ids.length) return [];
    const qb = this.dataSource.getRepository(AppleMdmServerEntity).createQueryBuilder('ms').where('ms.id = ANY(:ids)', { ids: [...ids] });
    return scope.restrict(qb, [APPLE_BUSINESS_ACCOUNT_TAGS, 'ms.account_id']).getMany();
  }

  /** Servers by (account id, Apple id) pairs encoded as `account:appleId`. */
  async visibleServersByAppleKey(keys: readonly string[], scope: AccessScope): Promise<AppleMdmServerEntity[]> {
    if (!keys.length) return [];
    const qb = this.dataSource
      .getRepository(AppleMdmServerEntity)
      .createQueryBuilder('ms')
      .where(`(ms.account_id::text || ':' || ms.apple_id) = ANY(:keys)`, { keys: [...keys] });
    return scope.restrict(qb, [APPLE_BUSINESS_ACCOUNT_TAGS, 'ms.account_id']).getMany();
  }

  /** The MDM server each DEP server uuid is (matched by Apple's id), among visible accounts. */
  async visibleServersByDepUuid(appleIds: readonly string[], scope: AccessScope): Promise<AppleMdmServerEntity[]> {
    if (!appleIds.length) return [];
    const qb = this.dataSource
      .getRepository(AppleMdmServerEntity)
      .createQueryBuilder('ms')
      .distinctOn(['ms.apple_id'])
      .where('ms.apple_id = ANY(:ids)', { ids: [...appleIds] })
      .orderBy('ms.apple_id')
      .addOrderBy('ms.mirrored_at', 'DESC');
    return scope.restrict(qb, [APPLE_BUSINESS_ACCOUNT_TAGS, 'ms.account_id']).getMany();
  }

  async visibleDepTokensByServerAppleId(appleIds: readonly string[], scope: AccessScope): Promise<DepTokenEntity[]> {
    if (!appleIds.length) return [];
    const qb = this.dataSource
      .getRepository(DepTokenEntity)
      .createQueryBuilder('t')
      .where(`upper(replace(t.server_uuid, '-', '')) = ANY(:ids)`, { ids: [...appleIds] });
    return scope.restrictTokens(qb, 't.id').getMany();
  }

  async serverRow(id: string, scope: AccessScope): Promise<AppleMdmServerEntity | null> {
    return (await this.visibleServersByIds([id], scope))[0] ?? null;
  }
}
