/**
 * Devices: the filtered, scope-restricted listing; importing serial numbers ahead of their first
 * sync; deleting a device from depgate (a tombstone the sync engine honours). Assignment at Apple
 * is in assignment.service.ts.
 */
import { In, type DataSource, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { EnrollmentProfileEntity } from '../profiles/profile.entity';
import type { ChangeRequester, DeviceChangeFeed } from './device-changes';
import { DeviceEntity, type AssignmentResult, type DeviceProfileStatus, type DeviceSource } from './device.entity';
import {
  CsvUnreadableError,
  MAX_REJECTED_SHOWN,
  parseSerialCsv,
  parseSerialList,
  rejection,
  SerialRejectionReason,
  TooManyRowsError,
  type ParsedSerials,
  type Rejection,
} from './serial-import';
import { normalizeSerialNumber } from './serial-number';
import { assignmentStateLeftBehind, HELD_OUT_OF_SCOPE_MESSAGE, serialsHeldOutOfScope } from './serial-ownership';
import { getEntities } from '../database/entity-rows';

/** Database ids (global ids already parsed). */
export interface DeviceFilterCommand {
  tokenId?: string | null;
  profileId?: string | null;
  profileStatus?: DeviceProfileStatus | null;
  source?: DeviceSource | null;
  assignmentResult?: AssignmentResult | 'REJECTED' | null;
  serialNumberPrefix?: string | null;
  search?: string | null;
  includeDeleted?: boolean | null;
}

export interface ImportSerialsCommand {
  tokenId: string;
  serialNumbers?: string[] | null;
  csv?: string | null;
  profileId?: string | null;
}

export interface ImportSerialsResult {
  accepted: DeviceEntity[];
  /** The first MAX_REJECTED_SHOWN, by line. */
  rejected: Rejection[];
  rejectedCount: number;
}

const MAX_SEARCH_LENGTH = 100;
/** The trigram index (migrations/…-DeviceSearchIndex.ts) serves substrings of 3 characters or more; shorter ones scan every device. */
export const MIN_SEARCH_LENGTH = 3;

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class DeviceService {
  readonly devices: Repository<DeviceEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly changes: DeviceChangeFeed,
  ) {
    this.devices = dataSource.getRepository(DeviceEntity);
  }

  // ---------------------------------------------------------------- reads

  /** Visible devices matching the filter, under `alias` (no order: callers paginate). */
  listQuery(filter: DeviceFilterCommand, scope: AccessScope | null, alias = 'd'): SelectQueryBuilder<DeviceEntity> {
    const qb = this.devices.createQueryBuilder(alias);
    const a = alias;
    if (!filter.includeDeleted) qb.andWhere(`${a}.deleted_at IS NULL`);
    if (filter.tokenId) qb.andWhere(`${a}.token_id = :${a}TokenId`, { [`${a}TokenId`]: filter.tokenId });
    if (filter.profileId) qb.andWhere(`${a}.profile_id = :${a}ProfileId`, { [`${a}ProfileId`]: filter.profileId });
    if (filter.profileStatus) qb.andWhere(`${a}.profile_status = :${a}Status`, { [`${a}Status`]: filter.profileStatus });
    if (filter.source) qb.andWhere(`${a}.source = :${a}Source`, { [`${a}Source`]: filter.source });
    if (filter.assignmentResult) {
      qb.andWhere(`${a}.last_assignment_result = :${a}Result`, { [`${a}Result`]: filter.assignmentResult });
    }
    const prefix = normalizeSerialNumber(filter.serialNumberPrefix ?? '');
    if (prefix) {
      if (prefix.length > 12) throw badInput('serialNumberPrefix is longer than any serial number', 'serialNumberPrefix');
      qb.andWhere(`${a}.serial_number COLLATE "C" LIKE :${a}Prefix`, { [`${a}Prefix`]: `${likeEscape(prefix)}%` });
    }
    const search = (filter.search ?? '').trim();
    if (search) {
      if (search.length > MAX_SEARCH_LENGTH) throw badInput(`search is at most ${MAX_SEARCH_LENGTH} characters`, 'search');
      if (search.length < MIN_SEARCH_LENGTH) {
        throw new DomainError(
          ErrorCode.SEARCH_TOO_SHORT,
          `search needs at least ${MIN_SEARCH_LENGTH} characters (serialNumberPrefix finds serials by their first characters)`,
          { field: 'search', min: MIN_SEARCH_LENGTH },
        );
      }
      qb.andWhere(`(${a}.serial_number ILIKE :${a}Search OR ${a}.model ILIKE :${a}Search OR ${a}.description ILIKE :${a}Search)`, {
        [`${a}Search`]: `%${likeEscape(search)}%`,
      });
    }
    return scope ? scope.restrictTokens(qb, `${a}.token_id`) : qb;
  }

  async findVisibleByIds(ids: readonly string[], scope: AccessScope): Promise<DeviceEntity[]> {
    if (ids.length === 0) return [];
    return getEntities(scope.restrictTokens(this.devices.createQueryBuilder('d').where('d.id IN (:...ids)', { ids: [...ids] }), 'd.token_id'));
  }

  // ---------------------------------------------------------------- import

  /**
   * Records serial numbers that have not synced yet as devices with source IMPORT, optionally with
   * the profile to assign when a sync sees them. Bad, duplicate, already synced and deleted serials
   * come back as rejected with a reason; the accepted ones are stored in one statement. Importing a
   * serial already imported is accepted again (a given profile replaces the requested one).
   */
  async importSerials(command: ImportSerialsCommand, scope: AccessScope): Promise<ImportSerialsResult> {
    const tokenVisible = await scope
      .restrictTokens(this.dataSource.createQueryBuilder().select('t.id').from('dep_tokens', 't').where('t.id = :id', { id: command.tokenId }), 't.id')
      .getRawOne();
    if (!tokenVisible) throw notFound('DEP token');
    const hasList = command.serialNumbers != null;
    const hasCsv = command.csv != null;
    if (hasList && hasCsv) throw badInput('Give serialNumbers or csv, not both', 'csv');
    if (!hasList && !hasCsv) {
      throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'Give serialNumbers or csv', { field: 'serialNumbers' });
    }
    let parsed: ParsedSerials;
    try {
      parsed = hasCsv ? parseSerialCsv(command.csv!) : parseSerialList(command.serialNumbers!);
    } catch (error) {
      if (error instanceof CsvUnreadableError) throw new DomainError(ErrorCode.CSV_INVALID, error.message, { field: 'csv' });
      if (error instanceof TooManyRowsError) {
        const field = hasCsv ? 'csv' : 'serialNumbers';
        throw new DomainError(ErrorCode.TOO_MANY_SERIAL_NUMBERS, `${error.message}: ${field} has more rows`, { field, max: error.max });
      }
      throw error;
    }
    if (parsed.accepted.length + parsed.rejected.length === 0) {
      throw new DomainError(ErrorCode.SERIAL_NUMBERS_REQUIRED, 'No serial number was given', { field: hasCsv ? 'csv' : 'serialNumbers' });
    }
    if (command.profileId) {
      const profile = await this.dataSource.getRepository(EnrollmentProfileEntity).findOneBy({ id: command.profileId });
      // The token is visible, so a profile of another token is only named when it is visible too.
      if (!profile) throw notFound('Enrollment profile');
      if (profile.tokenId !== command.tokenId) {
        const visible = await scope
          .restrictTokens(this.dataSource.createQueryBuilder().select('t.id').from('dep_tokens', 't').where('t.id = :id', { id: profile.tokenId }), 't.id')
          .getRawOne();
        if (!visible) throw notFound('Enrollment profile');
        throw new DomainError(ErrorCode.PROFILE_TOKEN_MISMATCH, 'The profile belongs to another DEP token', { field: 'profileId' });
      }
    }

    const rejected = [...parsed.rejected];
    const accepted = await this.dataSource.transaction(async (manager) => {
      const serials = parsed.accepted.map((r) => r.serialNumber);
      const existing: { serial_number: string; source: string; deleted_by: string | null }[] = await manager.query(
        `SELECT serial_number, source, deleted_by FROM devices WHERE token_id = $1 AND serial_number = ANY($2::text[]) FOR UPDATE`,
        [command.tokenId, serials],
      );
      const known = new Map(existing.map((r) => [r.serial_number, r]));
      const heldElsewhere = await serialsHeldOutOfScope(manager, command.tokenId, serials, scope);
      const importable: { line: number; serialNumber: string }[] = [];
      for (const row of parsed.accepted) {
        const device = known.get(row.serialNumber);
        if (heldElsewhere.has(row.serialNumber)) {
          rejected.push(rejection(row.line, row.serialNumber, SerialRejectionReason.ALREADY_SYNCED, HELD_OUT_OF_SCOPE_MESSAGE));
        } else if (device?.deleted_by === 'DEPGATE') {
          rejected.push(
            rejection(row.line, row.serialNumber, SerialRejectionReason.DELETED_IN_DEPGATE, 'This device was deleted from depgate; it comes back with the next full sync.'),
          );
        } else if (device && device.source === 'SYNC' && device.deleted_by === null) {
          rejected.push(
            rejection(row.line, row.serialNumber, SerialRejectionReason.ALREADY_SYNCED, 'A sync already brought this device: assign it a profile with assignEnrollmentProfile.'),
          );
        } else {
          importable.push(row);
        }
      }
      const stored = await this.upsertImported(manager, command.tokenId, importable.map((r) => r.serialNumber), command.profileId ?? null);
      // A sync that inserted one of these serials since the read above wins.
      const storedSerials = new Set(stored.map((d) => d.serialNumber));
      for (const row of importable) {
        if (!storedSerials.has(row.serialNumber)) {
          rejected.push(rejection(row.line, row.serialNumber, SerialRejectionReason.ALREADY_SYNCED, 'A sync brought this device meanwhile: assign it a profile with assignEnrollmentProfile.'));
        }
      }
      return stored;
    });
    rejected.sort((a, b) => a.line - b.line);
    return { accepted, rejected: rejected.slice(0, MAX_REJECTED_SHOWN), rejectedCount: rejected.length };
  }

  /**
   * New serials become IMPORT devices; imported ones take the new profile request; devices Apple
   * removed from the MDM server come back as imported; a serial held by another token moves to this
   * one (a serial lives under one token at a time). One statement.
   */
  private async upsertImported(manager: EntityManager, tokenId: string, serials: string[], profileId: string | null): Promise<DeviceEntity[]> {
    if (serials.length === 0) return [];
    const now = this.clock.now();
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO devices AS d (token_id, serial_number, source, requested_profile_id, created_at, updated_at)
       SELECT $1, s, 'IMPORT', $2::uuid, $3, $3 FROM unnest($4::text[]) AS s
       ON CONFLICT (serial_number) DO UPDATE SET
              token_id = EXCLUDED.token_id,
              requested_profile_id = CASE WHEN d.token_id <> EXCLUDED.token_id THEN EXCLUDED.requested_profile_id
                                          ELSE COALESCE(EXCLUDED.requested_profile_id, d.requested_profile_id) END,
              profile_id = CASE WHEN d.token_id <> EXCLUDED.token_id THEN NULL ELSE d.profile_id END,
              last_synced_at = CASE WHEN d.token_id <> EXCLUDED.token_id THEN NULL ELSE d.last_synced_at END,
              ${assignmentStateLeftBehind('d.token_id <> EXCLUDED.token_id')},
              source = 'IMPORT',
              deleted_at = NULL,
              deleted_by = NULL,
              updated_at = EXCLUDED.updated_at
        -- A serial lives under one token: one held by another token moves here.
        WHERE d.source = 'IMPORT' OR d.deleted_by = 'APPLE' OR d.token_id <> EXCLUDED.token_id
       RETURNING id`,
      [tokenId, profileId, now, serials],
    );
    const found = await manager.getRepository(DeviceEntity).findBy({ id: In(rows.map((r) => r.id)) });
    const bySerial = new Map(found.map((d) => [d.serialNumber, d]));
    return serials.map((s) => bySerial.get(s)).filter((d): d is DeviceEntity => Boolean(d));
  }

  // ---------------------------------------------------------------- delete

  /**
   * Deletes a device from depgate: a tombstone (deleted_at, deleted_by DEPGATE) so that a delta
   * sync does not bring it back; the next full sync does if it is still assigned to the MDM server
   * in ABM. Any pending profile request is dropped. Nothing is sent to Apple. Deleting a deleted
   * device again changes nothing. The deletion and its announcement (device change feed) commit
   * together.
   */
  async delete(deviceId: string, scope: AccessScope, requestedBy: ChangeRequester | null = null): Promise<string> {
    const [device] = await this.findVisibleByIds([deviceId], scope);
    if (!device) throw notFound('Device');
    if (device.deletedBy === 'DEPGATE') return device.id;
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(DeviceEntity).update(
        { id: device.id },
        { deletedAt: now, deletedBy: 'DEPGATE', requestedProfileId: null, nextAssignmentRetryAt: null, updatedAt: now },
      );
      // A device Apple had already released left before: deleting it here tells nobody anew.
      if (device.deletedAt) return;
      await this.changes.publish(
        { kind: 'DELETED', tokenId: device.tokenId, requestedBy, deletionId: null, devices: [{ id: device.id, serialNumber: device.serialNumber }] },
        m,
      );
    });
    return device.id;
  }

  // ---------------------------------------------------------------- token dependents

  /** Devices still present on a token (tombstones do not count). */
  async countLive(manager: EntityManager, tokenId: string): Promise<number> {
    const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM devices WHERE token_id = $1 AND deleted_at IS NULL`, [tokenId]);
    return n;
  }

  /** Removes a token's tombstones when the token itself goes. */
  async purgeDeleted(manager: EntityManager, tokenId: string): Promise<void> {
    await manager.query(`DELETE FROM devices WHERE token_id = $1 AND deleted_at IS NOT NULL`, [tokenId]);
  }
}
