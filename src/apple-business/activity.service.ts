/**
 * Changing Apple's side: device activities (assign, unassign, migration deadlines, release) and MDM
 * servers (create with a key pair's certificate, default product families). Each activity is
 * created at Apple, stored, polled by a job until Apple completes it (every few seconds at first,
 * backing off to 30 s), its CSV log read into per-serial outcomes; then the devices it touched are
 * re-read (one by one, or a complete pass when that takes fewer requests) with the linkages of the
 * servers concerned, and the DEP tokens of those servers get a delta sync.
 */
import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import type { DataSource, Repository } from 'typeorm';
import { parseActivityLog, type ActivityType } from '../apple/business-api';
import type { AccessScope } from '../auth/access-scope';
import { APPLE_BUSINESS_ACCOUNT_TAGS } from '../auth/scope-tag-link';
import type { Clock } from '../clock';
import { parseSerialCsv, parseSerialList, CsvUnreadableError, TooManyRowsError, MAX_IMPORT_ROWS } from '../devices/serial-import';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import type { AppleBusinessAccountEntity } from './account.entity';
import type { AppleBusinessAccountService } from './account.service';
import type { InventoryService } from './inventory.service';
import { AppleMdmServerEntity, mdmServerAppleIdOf } from './mdm-server.entity';
import { OrgDeviceActivityEntity } from './org-device-activity.entity';

export const MAX_ACTIVITY_DEVICES = MAX_IMPORT_ROWS;
export const MAX_ORDER_NUMBERS = 100;
/** Apple: a deadline at most 90 days ahead. */
const MAX_DEADLINE_AHEAD_MS = 90 * 86_400_000;
export const PRODUCT_FAMILIES = ['APPLE_TV', 'IPAD', 'IPHONE', 'IPOD', 'MAC', 'VISION', 'WATCH'] as const;

export interface DeviceSelection {
  serialNumbers?: string[] | null;
  orderNumbers?: string[] | null;
  csv?: string | null;
}

export interface ActivityPolicy {
  /** First poll this long after creation; each next one doubles, up to maxPollIntervalMs. */
  firstPollMs: number;
  maxPollIntervalMs: number;
}

export const DEFAULT_ACTIVITY_POLICY: ActivityPolicy = { firstPollMs: 3_000, maxPollIntervalMs: 30_000 };

export interface ActivityHooks {
  /** Sends the poll job; `delayMs` from now. */
  schedulePoll(activityId: string, delayMs: number): Promise<void>;
  /** Told when an activity changed (subscriptions). */
  changed(activity: OrgDeviceActivityEntity): Promise<void>;
  /** Queues a delta sync of each DEP token serving one of these Apple server ids. */
  syncServers(appleServerIds: string[]): Promise<void>;
}

export class ActivityService {
  private readonly activities: Repository<OrgDeviceActivityEntity>;
  hooks: ActivityHooks | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AppleBusinessAccountService,
    private readonly inventory: InventoryService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly policy: ActivityPolicy = DEFAULT_ACTIVITY_POLICY,
  ) {
    this.activities = dataSource.getRepository(OrgDeviceActivityEntity);
  }

  // ---------------------------------------------------------------- MDM servers

  async createServer(accountId: string, name: string, certificatePem: string, scope: AccessScope): Promise<AppleMdmServerEntity> {
    const account = await this.accounts.requireVisible(accountId, scope);
    const serverName = name.trim();
    if (serverName.length < 1 || serverName.length > 100) throw badInput('name must be 1 to 100 characters', 'name');
    if (account.scope !== 'BUSINESS') throw new DomainError(ErrorCode.APPLE_BUSINESS_SCOPE_MISMATCH, 'Only Apple Business accounts can create MDM servers', { field: 'accountId' });
    const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certificatePem))).getBytes();
    const created = await this.accounts.withApple(account, 'creating the MDM server', (api) =>
      api.createMdmServer({ serverName, certificateName: `${serverName.replace(/[^A-Za-z0-9._-]+/g, '-')}.cer`, certificateBase64: forge.util.encode64(der) }),
    );
    await this.inventory.upsertServers(account.id, [created], false);
    return this.dataSource.getRepository(AppleMdmServerEntity).findOneByOrFail({ accountId: account.id, appleId: created.id });
  }

  async setDefault(serverId: string, families: readonly string[], scope: AccessScope): Promise<AppleMdmServerEntity> {
    const server = await this.inventory.serverRow(serverId, scope);
    if (!server) throw notFound('MDM server');
    const account = await this.accounts.requireVisible(server.accountId, scope);
    const updated = await this.accounts.withApple(account, 'setting the default MDM server', (api) => api.updateMdmServer(server.appleId, { defaultProductFamilies: [...new Set(families)] }));
    await this.inventory.upsertServers(account.id, [updated], false);
    return this.dataSource.getRepository(AppleMdmServerEntity).findOneByOrFail({ id: server.id });
  }

  // ---------------------------------------------------------------- activities

  async assign(serverId: string, selection: DeviceSelection, deadline: Date | null, scope: AccessScope): Promise<OrgDeviceActivityEntity> {
    const server = await this.requireServer(serverId, scope);
    if (deadline) this.checkDeadline(deadline, true);
    return this.create(server.accountId, deadline ? 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE' : 'ASSIGN_DEVICES', server.appleId, selection, deadline, scope);
  }

  async unassign(serverId: string, selection: DeviceSelection, scope: AccessScope): Promise<OrgDeviceActivityEntity> {
    const server = await this.requireServer(serverId, scope);
    return this.create(server.accountId, 'UNASSIGN_DEVICES', server.appleId, selection, null, scope);
  }

  async updateDeadline(accountId: string, selection: DeviceSelection, deadline: Date, scope: AccessScope): Promise<OrgDeviceActivityEntity> {
    this.checkDeadline(deadline, false);
    return this.create(accountId, 'UPDATE_MDM_MIGRATION_DEADLINE', null, selection, deadline, scope);
  }

  async cancelMigration(accountId: string, selection: DeviceSelection, scope: AccessScope): Promise<OrgDeviceActivityEntity> {
    return this.create(accountId, 'CANCEL_MDM_MIGRATION', null, selection, null, scope);
  }

  async release(accountId: string, selection: DeviceSelection, confirm: boolean, scope: AccessScope): Promise<OrgDeviceActivityEntity> {
    if (confirm !== true) throw new DomainError(ErrorCode.RELEASE_CONFIRMATION_REQUIRED, 'Releasing devices removes them from the organisation for good: send confirm: true', { field: 'confirm' });
    return this.create(accountId, 'RELEASE_DEVICES', null, selection, null, scope);
  }

  private async requireServer(serverId: string, scope: AccessScope): Promise<AppleMdmServerEntity> {
    const server = await this.inventory.serverRow(serverId, scope);
    if (!server) throw notFound('MDM server');
    return server;
  }

  private checkDeadline(deadline: Date, future: boolean): void {
    const now = this.clock.now().getTime();
    if (deadline.getTime() > now + MAX_DEADLINE_AHEAD_MS) throw badInput('migrationDeadline must be at most 90 days ahead', 'migrationDeadline');
    if (future && deadline.getTime() <= now) throw badInput('migrationDeadline must be in the future', 'migrationDeadline');
  }

  /** Exactly one of serialNumbers, orderNumbers, csv; order numbers are looked up in the mirror. */
  private async serialsOf(account: AppleBusinessAccountEntity, selection: DeviceSelection): Promise<string[]> {
    const given = [selection.serialNumbers, selection.orderNumbers, selection.csv].filter((v) => v != null);
    if (given.length !== 1) throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'Give exactly one of serialNumbers, orderNumbers or csv', { field: 'serialNumbers' });
    let serials: string[];
    if (selection.orderNumbers) {
      const orders = [...new Set(selection.orderNumbers.map((o) => o.trim()).filter(Boolean))];
      if (orders.length === 0) throw badInput('orderNumbers must name at least one order', 'orderNumbers');
      if (orders.some((o) => o.length > 100)) throw badInput('an order number is at most 100 characters', 'orderNumbers');
      const rows: Array<{ serial_number: string }> = await this.dataSource.query(
        `SELECT serial_number FROM org_devices WHERE account_id = $1 AND order_number = ANY($2::text[]) ORDER BY serial_number LIMIT $3`,
        [account.id, orders, MAX_ACTIVITY_DEVICES + 1],
      );
      serials = rows.map((r) => r.serial_number);
      if (serials.length === 0) throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'No device of the inventory has these order numbers (is the inventory mirrored yet?)', { field: 'orderNumbers' });
    } else {
      let parsed;
      try {
        parsed = selection.csv != null ? parseSerialCsv(selection.csv, MAX_ACTIVITY_DEVICES) : parseSerialList(selection.serialNumbers!, MAX_ACTIVITY_DEVICES);
      } catch (error) {
        const field = selection.csv != null ? 'csv' : 'serialNumbers';
        if (error instanceof TooManyRowsError) throw new DomainError(ErrorCode.TOO_MANY_SERIAL_NUMBERS, error.message, { field, max: MAX_ACTIVITY_DEVICES });
        if (error instanceof CsvUnreadableError) throw new DomainError(ErrorCode.CSV_INVALID, error.message, { field });
        throw error;
      }
      if (parsed.rejected.some((r) => r.reason !== 'DUPLICATE')) {
        const first = parsed.rejected.find((r) => r.reason !== 'DUPLICATE')!;
        throw badInput(`Line ${first.line}: ${first.message}`, selection.csv != null ? 'csv' : 'serialNumbers');
      }
      serials = parsed.accepted.map((r) => r.serialNumber);
      if (serials.length === 0) throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'No serial number given', { field: selection.csv != null ? 'csv' : 'serialNumbers' });
    }
    if (serials.length > MAX_ACTIVITY_DEVICES) throw new DomainError(ErrorCode.TOO_MANY_SERIAL_NUMBERS, `At most ${MAX_ACTIVITY_DEVICES} devices per activity`, { field: 'orderNumbers', max: MAX_ACTIVITY_DEVICES });
    return serials;
  }

  private async create(
    accountId: string,
    type: ActivityType,
    serverAppleId: string | null,
    selection: DeviceSelection,
    deadline: Date | null,
    scope: AccessScope,
  ): Promise<OrgDeviceActivityEntity> {
    const account = await this.accounts.requireVisible(accountId, scope);
    if (type === 'RELEASE_DEVICES' && account.scope !== 'BUSINESS') throw new DomainError(ErrorCode.APPLE_BUSINESS_SCOPE_MISMATCH, 'Only Apple Business can release devices', { field: 'accountId' });
    const serials = await this.serialsOf(account, selection);
    const created = await this.accounts.withApple(account, 'creating the device activity', (api) => api.createActivity({ type, mdmServerId: serverAppleId, serials, deadline }));
    const now = this.clock.now();
    const activity = this.activities.create({
      id: randomUUID(),
      accountId: account.id,
      appleActivityId: created.id,
      activityType: type,
      mdmServerId: serverAppleId,
      status: created.attributes?.status ?? 'IN_PROGRESS',
      subStatus: created.attributes?.subStatus ?? null,
      serialNumbers: serials,
      migrationDeadline: deadline,
      outcomes: null,
      pollCount: 0,
      error: null,
      createdAt: now,
      completedAt: null,
      updatedAt: now,
    });
    await this.activities.insert(activity);
    this.logger.info({ appleBusinessAccountId: account.id, orgDeviceActivityId: activity.id, type, devices: serials.length }, 'Apple Business device activity created');
    await this.hooks?.changed(activity);
    await this.hooks?.schedulePoll(activity.id, this.policy.firstPollMs);
    return activity;
  }

  /** One poll (the job): a new status, or the completion with its log. */
  async poll(activityId: string): Promise<OrgDeviceActivityEntity | null> {
    const activity = await this.activities.findOneBy({ id: activityId });
    if (!activity || activity.completedAt) return activity;
    const account = await this.accounts.findByIds([activity.accountId]).then((a) => a[0]);
    if (!account) return null;
    let remote;
    try {
      remote = await this.accounts.withApple(account, 'reading the device activity', (api) => api.activity(activity.appleActivityId));
    } catch (error) {
      await this.reschedule(activity, error instanceof DomainError ? error.message : 'Unexpected error while reading the activity');
      return activity;
    }
    const status = remote.attributes?.status ?? activity.status;
    const subStatus = remote.attributes?.subStatus ?? activity.subStatus;
    const finished = status === 'COMPLETED' || status === 'FAILED' || status === 'STOPPED';
    if (!finished) {
      const changed = status !== activity.status || subStatus !== activity.subStatus;
      await this.activities.update({ id: activity.id }, { status, subStatus, pollCount: activity.pollCount + 1, error: null, updatedAt: this.clock.now() });
      const saved = await this.activities.findOneByOrFail({ id: activity.id });
      if (changed) await this.hooks?.changed(saved);
      // `activity` as read before this poll, as in the error path: this poll is counted once in the delay.
      await this.reschedule(activity, null);
      return saved;
    }
    let outcomes = null;
    let error: string | null = null;
    if (remote.attributes?.downloadUrl) {
      try {
        outcomes = parseActivityLog(await this.accounts.clients.forAccount(account).client.download(remote.attributes.downloadUrl));
      } catch {
        error = "Apple's activity log could not be read";
      }
    }
    // Which servers the devices were on before, for the DEP tokens to sync (unassign, release).
    const before: Array<{ assigned_server_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT assigned_server_id FROM org_devices WHERE account_id = $1 AND serial_number = ANY($2::text[]) AND assigned_server_id IS NOT NULL`,
      [account.id, activity.serialNumbers],
    );
    const completedAt = remote.attributes?.completedDateTime ? new Date(remote.attributes.completedDateTime) : this.clock.now();
    const servers = new Set(before.map((r) => r.assigned_server_id));
    if (activity.mdmServerId) servers.add(activity.mdmServerId);
    try {
      await this.inventory.refreshAfterActivity(account, activity.serialNumbers, servers);
    } catch (e) {
      this.logger.warn({ orgDeviceActivityId: activity.id, err: { message: (e as Error).message } }, 'inventory refresh after an activity failed');
    }
    // Completed only once the mirror follows: a client that sees COMPLETED and reads the devices
    // must not find them half refreshed (the refresh upserts the devices, then their servers). A
    // crash before this line leaves the activity in progress, and its next poll refreshes again.
    await this.activities.update({ id: activity.id }, { status, subStatus, outcomes, error, completedAt, pollCount: activity.pollCount + 1, updatedAt: this.clock.now() });
    await this.hooks?.syncServers([...servers]);
    const saved = await this.activities.findOneByOrFail({ id: activity.id });
    this.logger.info({ orgDeviceActivityId: activity.id, status, subStatus }, 'Apple Business device activity completed');
    await this.hooks?.changed(saved);
    return saved;
  }

  /** The next poll after this one; `activity` as read before this poll (its pollCount not yet counting it). */
  private async reschedule(activity: OrgDeviceActivityEntity, error: string | null): Promise<void> {
    if (error) await this.activities.update({ id: activity.id }, { error, pollCount: activity.pollCount + 1, updatedAt: this.clock.now() });
    await this.hooks?.schedulePoll(activity.id, this.nextPollDelay(activity.pollCount + 1));
  }

  /** Every few seconds at first, doubling, at most maxPollIntervalMs. */
  nextPollDelay(polls: number): number {
    return Math.min(this.policy.maxPollIntervalMs, this.policy.firstPollMs * 2 ** Math.min(polls, 10));
  }

  async visibleByIds(ids: readonly string[], scope: AccessScope): Promise<OrgDeviceActivityEntity[]> {
    if (!ids.length) return [];
    const rows = this.activities.createQueryBuilder('oa').where('oa.id = ANY(:ids)', { ids: [...ids] });
    return scope.restrict(rows, [APPLE_BUSINESS_ACCOUNT_TAGS, 'oa.account_id']).getMany();
  }

  listQuery(accountId: string) {
    return this.activities.createQueryBuilder('oa').where('oa.account_id = :accountId', { accountId });
  }

  /** DEP token ids serving these Apple server ids (the DEP server uuid spelled as Apple's id). */
  async depTokensOf(appleServerIds: readonly string[]): Promise<string[]> {
    if (!appleServerIds.length) return [];
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM dep_tokens WHERE upper(replace(server_uuid, '-', '')) = ANY($1::text[])`, [
      [...appleServerIds].map((id) => mdmServerAppleIdOf(id)),
    ]);
    return rows.map((r) => r.id);
  }
}
