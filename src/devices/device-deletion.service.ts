/**
 * Bulk deletion (`deleteDevices`), so that a token can be emptied and then deleted: the call counts
 * what matches, records a deletion and queues its job in one transaction, and answers at once; the
 * job (device-deletion.jobs.ts) tombstones the devices as `deleteDevice` does (deleted_by DEPGATE,
 * requests and retries dropped, nothing sent to Apple) 1,000 at a time, each batch and its progress
 * in ONE statement, with the visibility of the key that asked. Clients poll `deviceDeletion(id)`.
 * Each batch is published on the device change feed per token in the batch's transaction, so a
 * batch is deleted exactly when it is announced (webhooks: DEVICES_DELETED).
 */
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { AccessScope } from '../auth/access-scope';
import type { Principal } from '../auth/principal';
import type { Clock } from '../clock';
import { badInput } from '../errors/domain-error';
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import { DeviceDeletionEntity } from './device-deletion.entity';
import { groupBy } from './assignment.service';
import { requesterOf, type DeviceChangeFeed } from './device-changes';
import type { DeviceEntity } from './device.entity';
import type { DeviceFilterCommand, DeviceService } from './device.service';

export const DEVICE_DELETION_QUEUE = 'device-deletion';
/** Devices one statement tombstones. */
export const DELETION_BATCH = 1000;
/** Ids one call names (a filter reaches any number). */
export const MAX_DEVICE_IDS_PER_DELETION = 10_000;

export interface DeleteDevicesCommand {
  deviceIds?: string[] | null;
  filter?: DeviceFilterCommand | null;
}

const CONDITIONS: (keyof DeviceFilterCommand)[] = ['tokenId', 'profileId', 'profileStatus', 'source', 'assignmentResult', 'serialNumberPrefix', 'search'];

export class DeviceDeletionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DeviceService,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly changes: DeviceChangeFeed,
  ) {}

  async request(command: DeleteDevicesCommand, principal: Principal): Promise<DeviceDeletionEntity> {
    const hasIds = command.deviceIds != null;
    const hasFilter = command.filter != null;
    if (hasIds === hasFilter) throw badInput('Give deviceIds or filter, not both', hasIds ? 'filter' : 'deviceIds');
    if (hasIds && command.deviceIds!.length === 0) throw badInput('Give at least one device id', 'deviceIds');
    if (hasIds && command.deviceIds!.length > MAX_DEVICE_IDS_PER_DELETION) {
      throw badInput(`At most ${MAX_DEVICE_IDS_PER_DELETION} device ids per call (a filter reaches any number)`, 'deviceIds');
    }
    // A filter without a condition would delete every device the key sees: refused, not guessed.
    const filter = hasFilter ? { ...command.filter!, includeDeleted: false } : null;
    if (filter && !CONDITIONS.some((c) => filter[c] != null && filter[c] !== '')) {
      throw badInput('The filter needs at least one condition (tokenId, for instance)', 'filter');
    }
    const deviceIds = hasIds ? [...new Set(command.deviceIds!)] : null;
    const scope = new AccessScope(principal);
    const total = await this.selection({ filter, deviceIds }, scope).getCount();
    const now = this.clock.now();
    const deletion = await this.dataSource.transaction(async (m) => {
      const saved = await m.getRepository(DeviceDeletionEntity).save(
        m.getRepository(DeviceDeletionEntity).create({
          status: 'QUEUED',
          apiKeyId: principal.apiKeyId,
          apiKeyName: principal.name,
          scopeTagIds: [...principal.scopeTagIds],
          filter,
          deviceIds,
          total,
          deleted: 0,
          error: null,
          requestedAt: now,
          startedAt: null,
          finishedAt: null,
        }),
      );
      await this.jobs.send(DEVICE_DELETION_QUEUE, { deletionId: saved.id }, { executor: m });
      return saved;
    });
    this.jobs.wake(DEVICE_DELETION_QUEUE);
    return deletion;
  }

  /** Unrestricted keys see every deletion; a scoped key the ones it asked for. */
  async findVisibleByIds(ids: readonly string[], principal: Principal): Promise<DeviceDeletionEntity[]> {
    if (ids.length === 0) return [];
    const qb = this.dataSource.getRepository(DeviceDeletionEntity).createQueryBuilder('x').where('x.id IN (:...ids)', { ids: [...ids] });
    if (principal.scopeTagIds.length > 0) qb.andWhere('x.api_key_id = :key', { key: principal.apiKeyId });
    return qb.getMany();
  }

  /** The job: runs a deletion to its end (again after a crash: tombstoning is idempotent). */
  async run(deletionId: string, signal?: AbortSignal): Promise<{ deleted: number }> {
    const repo = this.dataSource.getRepository(DeviceDeletionEntity);
    const deletion = await repo.findOneBy({ id: deletionId });
    if (!deletion || deletion.status === 'SUCCEEDED' || deletion.status === 'FAILED') return { deleted: deletion?.deleted ?? 0 };
    await repo.update({ id: deletionId }, { status: 'RUNNING', startedAt: deletion.startedAt ?? this.clock.now() });
    const scope = new AccessScope({ scopeTagIds: deletion.scopeTagIds });
    try {
      for (;;) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const [sql, params] = this.selection({ filter: deletion.filter, deviceIds: deletion.deviceIds }, scope)
          .select('d.id', 'id')
          .orderBy('d.id')
          .limit(DELETION_BATCH)
          .getQueryAndParameters();
        const now = this.clock.now();
        const n = await this.dataSource.transaction(async (m) => {
          // TypeORM answers an UPDATE ... RETURNING with [rows, affected].
          const [rows] = await m.query(
            `WITH batch AS (${sql}),
             done AS (
               UPDATE devices SET deleted_at = $${params.length + 1}, deleted_by = 'DEPGATE', requested_profile_id = NULL,
                      next_assignment_retry_at = NULL, updated_at = $${params.length + 1}
                WHERE id IN (SELECT id FROM batch) AND deleted_at IS NULL
               RETURNING id, serial_number, token_id)
             UPDATE device_deletions SET deleted = deleted + (SELECT count(*) FROM done) WHERE id = $${params.length + 2}
             RETURNING (SELECT count(*)::int FROM done) AS n,
                       (SELECT coalesce(json_agg(json_build_array(id, serial_number, token_id)), '[]') FROM done) AS devices`,
            [...params, now, deletionId],
          );
          const done: [string, string, string][] = rows?.[0]?.devices ?? [];
          const requestedBy = requesterOf({ apiKeyId: deletion.apiKeyId, apiKeyName: deletion.apiKeyName });
          for (const [tokenId, devices] of groupBy(done, (d) => d[2], (d) => ({ id: d[0], serialNumber: d[1] }))) {
            await this.changes.publish({ kind: 'DELETED', tokenId, requestedBy, deletionId, devices }, m);
          }
          return (rows?.[0]?.n ?? 0) as number;
        });
        if (n < DELETION_BATCH) break;
      }
      const done = await repo.findOneByOrFail({ id: deletionId });
      await repo.update({ id: deletionId }, { status: 'SUCCEEDED', total: done.deleted, finishedAt: this.clock.now() });
      return { deleted: done.deleted };
    } catch (err) {
      this.logger.error({ deletionId, err: { message: (err as Error).message } }, 'device deletion failed');
      await repo.update({ id: deletionId }, { status: 'FAILED', error: 'The deletion stopped on an internal error; what was deleted stays deleted. Ask again to finish it.', finishedAt: this.clock.now() });
      return { deleted: -1 };
    }
  }

  private selection(what: { filter: DeviceFilterCommand | null; deviceIds: string[] | null }, scope: AccessScope): SelectQueryBuilder<DeviceEntity> {
    const qb = this.devices.listQuery({ ...(what.filter ?? {}), includeDeleted: false }, scope, 'd');
    if (what.deviceIds) qb.andWhere('d.id = ANY(CAST(:deletionIds AS uuid[]))', { deletionIds: what.deviceIds });
    return qb;
  }
}
