/**
 * Assigning enrollment profiles to devices at Apple (`POST /profile/devices`) and recording what
 * Apple answered on each device.
 *
 * Two entry points:
 * - `assignSerials`: the `assignEnrollmentProfile` mutation. Up to 10,000 serials a call, sent in
 *   chunks of at most 1,000 (Apple's limit). Serials depgate has not seen yet are kept as devices
 *   with source IMPORT, so the admin's intent survives until a sync brings them.
 * - `autoAssign`: the sync engine, after it committed a page, for the devices that need a profile:
 *   the profile asked for (`requested_profile_id`, from an import or an earlier failed assignment)
 *   or else the token's default profile for a device without one. Devices in cooldown are skipped.
 *
 * What is stored per device (one SQL statement per chunk, never one per device):
 * - SUCCESS: profile_id, apple_profile_uuid, profile_status ASSIGNED, profile_assigned_at; the
 *   request is fulfilled (requested_profile_id cleared), failure count back to 0, no retry time.
 * - NOT_ACCESSIBLE (the serial is not on the token's MDM server in ABM, or not yet): no cooldown;
 *   the request stays, so the sync that sees the device assigns it.
 * - FAILED: the request stays, failure count + 1, next retry in 24 hours (as Fleet does).
 * - THROTTLED: like FAILED, next retry after Apple's `retry_after_seconds` (protocol 10), or one
 *   hour when Apple gives none.
 * last_assignment_result and last_assignment_at are set in every case, and every answer is an
 * attempt in the device's assignment history (src/assignment-history) with who or what asked.
 * Automatic assignment does not give the default profile to a device whose profile an admin
 * removed (removeEnrollmentProfile); the retry job (assignment-retry.service.ts) comes through
 * autoAssign too. Every chunk Apple answered is published on the device change feed
 * (device-changes.ts: webhooks tell of it) once stored.
 */
import type { DataSource } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import { MAX_SERIALS_PER_ASSIGNMENT } from '../apple/dep-client';
import { type AppleDepError, AppleDepErrorKind, isAppleDepError } from '../apple/dep-errors';
import type { AssignmentStatus } from '../apple/dep.types';
import type { AccessScope } from '../auth/access-scope';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, type Clock } from '../clock';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { DepTokenEntity } from '../tokens/token.entity';
import { DEFAULT_PROFILE_PROPERTIES, platformOfDevice, type ProfilePlatform } from '../profiles/profile-platform';
import type { AssignmentRequester } from '../assignment-history/assignment-attempt.entity';
import { recordAttempts, type AttemptOrigin } from '../assignment-history/assignment-history.store';
import { requesterOf, type DeviceChangeFeed } from './device-changes';
import { appleActionMessages, isTokenLevelRefusal } from './device.errors';
import { distinctSerials, MAX_SERIALS_PER_ASSIGN_CALL, readSerialList } from './serial-list';
import { HELD_OUT_OF_SCOPE_MESSAGE, serialsHeldOutOfScope } from './serial-ownership';

export type AssignmentOutcomeStatus = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED' | 'THROTTLED' | 'REJECTED';

/** One serial's result. REJECTED = depgate did not send it to Apple (malformed, deleted here). */
export interface AssignmentOutcome {
  serialNumber: string;
  status: AssignmentOutcomeStatus;
  message?: string;
  retryAfterSeconds?: number;
}

export interface AutoAssignResult {
  /** Apple answered SUCCESS. */
  assigned: number;
  /** Sent, and Apple answered NOT_ACCESSIBLE, FAILED or THROTTLED (or the request failed). */
  failed: number;
  /** Not sent: unknown, deleted, in cooldown, nothing to assign, or already holding the profile. */
  skipped: number;
  /**
   * Of `skipped`: devices without a profile whose platform has no default profile on the token (or
   * whose platform Apple's record does not say), or that are migrating (mdm_migration_deadline)
   * while their default does not await configuration; left alone. Absent when there are none.
   */
  withoutDefault?: number;
}

/** Serials one `assignEnrollmentProfile` call takes (serial-list.ts: every per-serial mutation's bound). */
export { MAX_SERIALS_PER_ASSIGN_CALL };
/** After FAILED, automatic assignment leaves the device alone this long. */
export const FAILED_COOLDOWN_MS = DAY_MS;
/** After THROTTLED without Apple's retry_after_seconds. */
export const THROTTLED_DEFAULT_COOLDOWN_MS = HOUR_MS;
/** After a whole request failed (Apple unavailable, timeout) during automatic assignment. */
export const REQUEST_FAILED_COOLDOWN_MS = 15 * MINUTE_MS;

interface ProfileTarget {
  id: string;
  tokenId: string;
  appleProfileUuid: string | null;
}

type StoreMode = 'explicit' | 'auto';

interface PushResult {
  outcomes: Map<string, AssignmentOutcome>;
  /** Set when a request failed as a whole; `unsent` are the serials not answered by Apple. */
  error?: AppleDepError;
  unsent: string[];
}

/** One profile's automatic assignment after a sync page: how many Apple took, and the request error if one stopped it. */
export interface AutoAssignReport {
  tokenId: string;
  profileId: string;
  assigned: number;
  failed: number;
  error?: AppleDepError;
}

export type AutoAssignListener = (report: AutoAssignReport) => Promise<void> | void;

export class DeviceAssignmentService {
  private readonly autoAssignListeners: AutoAssignListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: DepClientFactory,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly changes: DeviceChangeFeed,
  ) {}

  /** Told of each profile's automatic assignment (the audit trail records it with the system as actor). */
  onAutoAssigned(listener: AutoAssignListener): void {
    this.autoAssignListeners.push(listener);
  }

  // ---------------------------------------------------------------- the mutation

  /**
   * Assigns a visible profile to serial numbers (normalised to upper case, duplicates collapsed).
   * Returns one outcome per distinct serial, in the order given. Refuses the whole call (nothing
   * changed) when the profile is not visible, no serial or more than 10,000 are given, or Apple
   * refuses the first request; a failure after some chunks succeeded keeps what was done and
   * reports the rest as not sent.
   */
  async assignSerials(
    profileId: string,
    serials: string[],
    scope: AccessScope,
    actor: { apiKeyId: string; name: string } | null = null,
  ): Promise<AssignmentOutcome[]> {
    const origin: AttemptOrigin = { requester: 'API_KEY', apiKeyId: actor?.apiKeyId ?? null, apiKeyName: actor?.name ?? null };
    const profile = await this.findVisibleProfile(profileId, scope);
    if (!profile) throw notFound('Enrollment profile');
    const { distinct, wellFormed, malformed } = readSerialList(serials);
    if (!profile.appleProfileUuid) {
      throw new DomainError(ErrorCode.CONFLICT, 'This profile is not defined at Apple yet: save it again', { field: 'profileId' });
    }

    const outcomes = new Map<string, AssignmentOutcome>();
    for (const m of malformed) outcomes.set(m.serialNumber, { serialNumber: m.serialNumber, status: 'REJECTED', message: m.message });

    const known = await this.knownDevices(profile.tokenId, wellFormed);
    const heldElsewhere = await serialsHeldOutOfScope(this.dataSource, profile.tokenId, wellFormed, scope);
    const sendable: string[] = [];
    for (const serial of wellFormed) {
      const device = known.get(serial);
      if (heldElsewhere.has(serial)) {
        outcomes.set(serial, { serialNumber: serial, status: 'REJECTED', message: HELD_OUT_OF_SCOPE_MESSAGE });
      } else if (device?.deleted_by === 'DEPGATE') {
        outcomes.set(serial, {
          serialNumber: serial,
          status: 'REJECTED',
          message: 'This device was deleted from depgate; it comes back with the next full sync if it is still assigned to the MDM server in ABM.',
        });
      } else {
        sendable.push(serial);
      }
    }

    if (sendable.length > 0) {
      const token = await this.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: profile.tokenId });
      const pushed = await this.push(token, profile, sendable, 'explicit', origin);
      if (pushed.error) {
        if (pushed.outcomes.size === 0) throw new AppleRequestException({ family: 'DEP', error: pushed.error, messages: appleActionMessages('assign the profile') });
        // Apple answered part of the call: the rest keep the requested profile (with a cooldown),
        // so the admin's intent survives and a later sync assigns them.
        const notSent = pushed.unsent.map((serial) => notSentOutcome(serial, pushed.error!));
        for (const chunk of chunks(notSent, MAX_SERIALS_PER_ASSIGNMENT)) {
          await this.store(token.id, profile, chunk, 'explicit', this.clock.now(), origin);
        }
        for (const outcome of notSent) outcomes.set(outcome.serialNumber, outcome);
      }
      for (const [serial, outcome] of pushed.outcomes) {
        // Apple accepts a new profile for an enrolled device, but the device only applies it when
        // it goes through Setup Assistant again.
        if (outcome.status === 'SUCCESS' && known.get(serial)?.profile_status === 'PUSHED') {
          outcome.message = 'Assigned; this device already enrolled, so it gets the profile only after it is wiped.';
        }
        outcomes.set(serial, outcome);
      }
    }
    return distinct.map((serial) => outcomes.get(serial)!);
  }

  // ---------------------------------------------------------------- the sync engine

  /**
   * Gives profiles to devices of a token after a sync page: a device's requested profile, else the
   * token's default profile when it has no profile. Skips devices that are unknown, deleted, in
   * cooldown (`next_assignment_retry_at` in the future), or that already hold the profile as
   * defined now at Apple. Grouped by profile, at most 1,000 serials per Apple request, one
   * statement per chunk to store the results.
   *
   * Throws only when `signal` aborts (AppleDepError ABORTED) or Apple refuses the token as a whole
   * (TERMS_NOT_SIGNED, ACCESS_DENIED, UNAUTHORIZED), which the caller handles as it does on a
   * fetch. Any other failed request is recorded on the devices it concerned (THROTTLED with Apple's
   * retry time, or FAILED with a 15-minute cooldown) and ends this call.
   */
  async autoAssign(
    tokenId: string,
    serials: string[],
    options: { signal?: AbortSignal; /** The retry job: recorded as RETRY in the history. */ requester?: 'RETRY' } = {},
  ): Promise<AutoAssignResult> {
    const distinct = distinctSerials(serials);
    const result: AutoAssignResult = { assigned: 0, failed: 0, skipped: 0 };
    if (distinct.length === 0) return result;
    const token = await this.dataSource.getRepository(DepTokenEntity).findOneBy({ id: tokenId });
    if (!token) return { ...result, skipped: distinct.length };

    const rows: {
      serial_number: string;
      requested_profile_id: string | null;
      profile_id: string | null;
      apple_profile_uuid: string | null;
      next_assignment_retry_at: Date | null;
      deleted_at: Date | null;
      os: string | null;
      device_family: string | null;
      mdm_migration_deadline: Date | null;
      profile_removed_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT serial_number, requested_profile_id, profile_id, apple_profile_uuid, next_assignment_retry_at, deleted_at, os, device_family,
              mdm_migration_deadline, profile_removed_at
         FROM devices WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
      [tokenId, distinct],
    );
    // The default rule: each device gets its platform's default (src/profiles/profile-platform.ts).
    const defaultFor = (platform: ProfilePlatform | null): string | null => (platform ? token[DEFAULT_PROFILE_PROPERTIES[platform]] : null);
    const now = this.clock.now();
    const wanted = new Map<string, string>();
    // Devices migrating to this server without a wipe, by the default profile the rule chose.
    const migrating = new Map<string, string>();
    for (const row of rows) {
      if (row.deleted_at) continue;
      if (row.next_assignment_retry_at && row.next_assignment_retry_at.getTime() > now.getTime()) continue;
      // The default rule's devices: nothing requested, no profile, and not one whose profile an
      // admin removed (removeEnrollmentProfile): the default rule does not undo that.
      const ruledByDefault = !row.requested_profile_id && !row.profile_id && !row.profile_removed_at;
      const byDefault = ruledByDefault ? defaultFor(platformOfDevice(row.os, row.device_family)) : null;
      const target = row.requested_profile_id ?? byDefault;
      if (target) wanted.set(row.serial_number, target);
      else if (ruledByDefault) result.withoutDefault = (result.withoutDefault ?? 0) + 1;
      if (byDefault && row.mdm_migration_deadline) migrating.set(row.serial_number, byDefault);
    }
    if (migrating.size > 0) {
      // Apple's migration guide: a device migrating without a wipe must get a profile with
      // await_device_configured, or it reaches the home screen before this server configured it.
      // A default that does not wait is not given to it; the device is counted and left alone.
      const awaiting = await this.profilesAwaitingConfiguration([...new Set(migrating.values())]);
      for (const [serial, profileId] of migrating) {
        if (awaiting.has(profileId)) continue;
        wanted.delete(serial);
        result.withoutDefault = (result.withoutDefault ?? 0) + 1;
      }
    }
    const requested = new Set(rows.filter((r) => r.requested_profile_id).map((r) => r.serial_number));
    const origin: AttemptOrigin = {
      requester: (serial): AssignmentRequester => options.requester ?? (requested.has(serial) ? 'REQUESTED_PROFILE' : 'DEFAULT_PROFILE'),
    };
    const profiles = await this.profilesByIds(tokenId, [...new Set(wanted.values())]);
    const sendable = rows.flatMap((row) => {
      const target = wanted.get(row.serial_number);
      const profile = target ? profiles.get(target) : undefined;
      if (!profile?.appleProfileUuid) return [];
      if (row.profile_id === profile.id && row.apple_profile_uuid === profile.appleProfileUuid) return [];
      return [{ profileId: profile.id, serial: row.serial_number }];
    });
    const groups = groupBy(sendable, (s) => s.profileId, (s) => s.serial);

    let sent = 0;
    let stopped: AppleDepError | undefined;
    const reports = new Map<string, AutoAssignReport>();
    const leftOver: { profile: ProfileTarget; serials: string[] }[] = [];
    for (const [profileId, group] of groups) {
      const profile = profiles.get(profileId)!;
      if (stopped) {
        leftOver.push({ profile, serials: group });
        continue;
      }
      const pushed = await this.push(token, profile, group, 'auto', origin, options.signal);
      const report: AutoAssignReport = { tokenId, profileId, assigned: 0, failed: 0 };
      reports.set(profileId, report);
      for (const outcome of pushed.outcomes.values()) {
        if (outcome.status === 'SUCCESS') report.assigned++;
        else report.failed++;
      }
      result.assigned += report.assigned;
      result.failed += report.failed;
      if (pushed.error) report.error = pushed.error;
      sent += group.length;
      if (pushed.error) {
        const error = pushed.error;
        if (error.kind === AppleDepErrorKind.ABORTED || isTokenLevelRefusal(error)) throw error;
        stopped = error;
        leftOver.push({ profile, serials: pushed.unsent });
        sent -= pushed.unsent.length;
      }
    }
    if (stopped) {
      // Apple is unavailable or throttling: every device this call would have sent waits.
      const error = stopped;
      for (const { profile, serials: unsent } of leftOver) {
        for (const chunk of chunks(unsent, MAX_SERIALS_PER_ASSIGNMENT)) {
          await this.store(token.id, profile, chunk.map((serial) => notSentOutcome(serial, error)), 'auto', now, origin);
        }
        result.failed += unsent.length;
        sent += unsent.length;
        const report = reports.get(profile.id) ?? { tokenId, profileId: profile.id, assigned: 0, failed: 0 };
        reports.set(profile.id, { ...report, failed: report.failed + unsent.length, error });
      }
      this.logger.warn({ tokenId, error }, 'automatic profile assignment stopped: Apple request failed');
    }
    result.skipped = distinct.length - sent;
    await this.announceAutoAssigned([...reports.values()]);
    return result;
  }

  /** A listener failing does not undo assignments Apple has made: it is logged. */
  private async announceAutoAssigned(reports: AutoAssignReport[]): Promise<void> {
    for (const report of reports) {
      if (report.assigned === 0 && report.failed === 0) continue;
      for (const listener of this.autoAssignListeners) {
        try {
          await listener(report);
        } catch (err) {
          this.logger.error({ tokenId: report.tokenId, profileId: report.profileId, err: { message: (err as Error).message } }, 'automatic assignment listener failed');
        }
      }
    }
  }

  // ---------------------------------------------------------------- profile updates

  /**
   * After a profile was defined again at Apple (an update: Apple's profiles cannot be edited),
   * moves the devices that hold its previous Apple profile to the new one. Best effort: devices
   * Apple does not confirm keep the profile as requested, for automatic assignment to retry.
   */
  async moveToCurrentDefinition(profileId: string): Promise<{ moved: number; notMoved: number }> {
    const [profile] = await this.profilesByIdsAnyToken([profileId]);
    if (!profile?.appleProfileUuid) return { moved: 0, notMoved: 0 };
    const rows: { serial_number: string }[] = await this.dataSource.query(
      `SELECT serial_number FROM devices
        WHERE token_id = $1 AND profile_id = $2 AND deleted_at IS NULL AND apple_profile_uuid IS DISTINCT FROM $3
        ORDER BY serial_number`,
      [profile.tokenId, profile.id, profile.appleProfileUuid],
    );
    if (rows.length === 0) return { moved: 0, notMoved: 0 };
    const token = await this.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: profile.tokenId });
    const pushed = await this.push(
      token,
      profile,
      rows.map((r) => r.serial_number),
      'explicit',
      { requester: 'PROFILE_UPDATE' },
    );
    if (pushed.error) {
      this.logger.warn({ profileId, error: pushed.error, unsent: pushed.unsent.length }, 'devices not moved to the redefined profile');
      await this.dataSource.query(
        `UPDATE devices SET requested_profile_id = $3, updated_at = $4 WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
        [profile.tokenId, pushed.unsent, profile.id, this.clock.now()],
      );
    }
    const moved = [...pushed.outcomes.values()].filter((o) => o.status === 'SUCCESS').length;
    return { moved, notMoved: rows.length - moved };
  }

  // ---------------------------------------------------------------- internals

  /**
   * Sends serials to Apple in chunks and stores each chunk's answers. Stops at the first request
   * that fails as a whole; what was answered before stays stored.
   */
  private async push(
    token: DepTokenEntity,
    profile: ProfileTarget,
    serials: string[],
    mode: StoreMode,
    origin: AttemptOrigin,
    signal?: AbortSignal,
  ): Promise<PushResult> {
    const client = this.clients.forToken(token);
    const outcomes = new Map<string, AssignmentOutcome>();
    const parts = chunks(serials, MAX_SERIALS_PER_ASSIGNMENT);
    for (let i = 0; i < parts.length; i++) {
      const chunk = parts[i]!;
      let response;
      try {
        response = await client.assignProfile(profile.appleProfileUuid!, chunk, { signal });
      } catch (error) {
        if (!isAppleDepError(error)) throw error;
        return { outcomes, error, unsent: parts.slice(i).flat() };
      }
      const at = this.clock.now();
      const answered = chunk.map((serial) => outcomeFor(serial, response.devices?.[serial], response.retry_after_seconds, mode));
      const ids = await this.store(token.id, profile, answered, mode, at, origin);
      answered.forEach((o) => outcomes.set(o.serialNumber, o));
      await this.announce(token.id, profile, answered, ids, origin);
    }
    return { outcomes, unsent: [] };
  }

  /**
   * One statement for a chunk of answers. `explicit` (an admin's assignment) creates IMPORT rows
   * for serials not seen yet and records the profile as requested until Apple confirms it;
   * `auto` only updates existing devices and keeps their request as it was. Each answer is also
   * an attempt in the devices' assignment history (one more statement).
   */
  private async store(
    tokenId: string,
    profile: ProfileTarget,
    outcomes: AssignmentOutcome[],
    mode: StoreMode,
    at: Date,
    origin: AttemptOrigin,
  ): Promise<Map<string, string>> {
    if (outcomes.length === 0) return new Map();
    const ids = await this.writeDevices(tokenId, profile, outcomes, mode, at);
    await recordAttempts(this.dataSource, profile, outcomes, origin, at);
    return ids;
  }

  /** Publishes a stored chunk of Apple's answers, with the devices' ids. */
  private async announce(tokenId: string, profile: ProfileTarget, answered: AssignmentOutcome[], ids: Map<string, string>, origin: AttemptOrigin): Promise<void> {
    const devices = answered.flatMap((o) => {
      const id = ids.get(o.serialNumber);
      return id ? [{ id, serialNumber: o.serialNumber, status: o.status, ...(o.message ? { message: o.message } : {}) }] : [];
    });
    if (devices.length === 0) return;
    await this.changes.publishAfterApple({ kind: 'PROFILE_ASSIGNED', tokenId, profileId: profile.id, requestedBy: requesterOf(origin), devices }, this.dataSource);
  }

  /** Stores a chunk of answers in one statement; answers the devices' ids by serial. */
  private async writeDevices(tokenId: string, profile: ProfileTarget, outcomes: AssignmentOutcome[], mode: StoreMode, at: Date): Promise<Map<string, string>> {
    const serials = outcomes.map((o) => o.serialNumber);
    const results = outcomes.map((o) => o.status);
    const retryAt = outcomes.map((o) => {
      const ms = cooldownMs(o);
      return ms === null ? null : new Date(at.getTime() + ms).toISOString();
    });
    const success = `r.result = 'SUCCESS'`;
    if (mode === 'explicit') {
      const moved = `d.token_id <> EXCLUDED.token_id`;
      const inserted: { id: string; serial_number: string }[] = await this.dataSource.query(
        `INSERT INTO devices AS d (token_id, serial_number, source, requested_profile_id, profile_id, apple_profile_uuid,
                profile_status, profile_assigned_at, last_assignment_result, last_assignment_at, assignment_failure_count,
                next_assignment_retry_at, created_at, updated_at)
         SELECT $1, r.serial, 'IMPORT',
                CASE WHEN ${success} THEN NULL ELSE $2::uuid END,
                CASE WHEN ${success} THEN $2::uuid END,
                CASE WHEN ${success} THEN $3::text END,
                CASE WHEN ${success} THEN 'ASSIGNED' ELSE 'EMPTY' END,
                CASE WHEN ${success} THEN $4::timestamptz END,
                r.result, $4, CASE WHEN ${success} THEN 0 ELSE 1 END, r.retry_at, $4, $4
           FROM unnest($5::text[], $6::text[], $7::timestamptz[]) AS r(serial, result, retry_at)
         -- A serial lives under one token: one synced under another token moves here, as a
         -- serial this token has not seen (IMPORT) until a sync of this token lists it.
         ON CONFLICT (serial_number) DO UPDATE SET
                token_id = EXCLUDED.token_id,
                source = CASE WHEN ${moved} THEN 'IMPORT' ELSE d.source END,
                last_synced_at = CASE WHEN ${moved} THEN NULL ELSE d.last_synced_at END,
                deleted_at = CASE WHEN ${moved} THEN NULL ELSE d.deleted_at END,
                deleted_by = CASE WHEN ${moved} THEN NULL ELSE d.deleted_by END,
                requested_profile_id = EXCLUDED.requested_profile_id,
                profile_id = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN EXCLUDED.profile_id WHEN ${moved} THEN NULL ELSE d.profile_id END,
                apple_profile_uuid = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN EXCLUDED.apple_profile_uuid ELSE d.apple_profile_uuid END,
                profile_status = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN 'ASSIGNED' ELSE d.profile_status END,
                profile_assigned_at = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN EXCLUDED.profile_assigned_at ELSE d.profile_assigned_at END,
                profile_removed_at = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN NULL ELSE d.profile_removed_at END,
                last_assignment_result = EXCLUDED.last_assignment_result,
                last_assignment_at = EXCLUDED.last_assignment_at,
                assignment_failure_count = CASE WHEN EXCLUDED.last_assignment_result = 'SUCCESS' THEN 0
                                                WHEN ${moved} THEN 1 ELSE d.assignment_failure_count + 1 END,
                next_assignment_retry_at = EXCLUDED.next_assignment_retry_at,
                updated_at = EXCLUDED.updated_at
         RETURNING d.id, d.serial_number`,
        [tokenId, profile.id, profile.appleProfileUuid, at, serials, results, retryAt],
      );
      return new Map(inserted.map((r) => [r.serial_number, r.id]));
    }
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected].
    const [updated]: [{ id: string; serial_number: string }[], number] = await this.dataSource.query(
      `UPDATE devices AS d SET
              requested_profile_id = CASE WHEN ${success} THEN NULL ELSE d.requested_profile_id END,
              profile_id = CASE WHEN ${success} THEN $2::uuid ELSE d.profile_id END,
              apple_profile_uuid = CASE WHEN ${success} THEN $3::text ELSE d.apple_profile_uuid END,
              profile_status = CASE WHEN ${success} THEN 'ASSIGNED' ELSE d.profile_status END,
              profile_assigned_at = CASE WHEN ${success} THEN $4::timestamptz ELSE d.profile_assigned_at END,
              profile_removed_at = CASE WHEN ${success} THEN NULL ELSE d.profile_removed_at END,
              last_assignment_result = r.result,
              last_assignment_at = $4,
              assignment_failure_count = CASE WHEN ${success} THEN 0 ELSE d.assignment_failure_count + 1 END,
              next_assignment_retry_at = r.retry_at,
              updated_at = $4
         FROM unnest($5::text[], $6::text[], $7::timestamptz[]) AS r(serial, result, retry_at)
        WHERE d.token_id = $1 AND d.serial_number = r.serial
       RETURNING d.id, d.serial_number`,
      [tokenId, profile.id, profile.appleProfileUuid, at, serials, results, retryAt],
    );
    return new Map(updated.map((r) => [r.serial_number, r.id]));
  }

  private async findVisibleProfile(profileId: string, scope: AccessScope): Promise<ProfileTarget | null> {
    const visible = scope.tokenConditionSql('p.token_id', 2);
    const rows: { id: string; token_id: string; apple_profile_uuid: string | null }[] = await this.dataSource.query(
      `SELECT p.id, p.token_id, p.apple_profile_uuid FROM enrollment_profiles p WHERE p.id = $1 AND ${visible.sql}`,
      [profileId, ...visible.params],
    );
    return rows[0] ? toTarget(rows[0]) : null;
  }

  private async profilesByIds(tokenId: string, ids: string[]): Promise<Map<string, ProfileTarget>> {
    const found = (await this.profilesByIdsAnyToken(ids)).filter((p) => p.tokenId === tokenId);
    return new Map(found.map((p) => [p.id, p]));
  }

  /** Of these profiles, the ones that set await_device_configured (awaitFinalConfiguration). */
  private async profilesAwaitingConfiguration(ids: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM enrollment_profiles WHERE id = ANY($1::uuid[]) AND await_final_configuration`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  private async profilesByIdsAnyToken(ids: string[]): Promise<ProfileTarget[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; token_id: string; apple_profile_uuid: string | null }[] = await this.dataSource.query(
      `SELECT id, token_id, apple_profile_uuid FROM enrollment_profiles WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toTarget);
  }

  private async knownDevices(tokenId: string, serials: string[]) {
    if (serials.length === 0) return new Map<string, { deleted_by: string | null; profile_status: string }>();
    const rows: { serial_number: string; deleted_by: string | null; profile_status: string }[] = await this.dataSource.query(
      `SELECT serial_number, deleted_by, profile_status FROM devices WHERE token_id = $1 AND serial_number = ANY($2::text[])`,
      [tokenId, serials],
    );
    return new Map(rows.map((r) => [r.serial_number, r]));
  }
}

function toTarget(row: { id: string; token_id: string; apple_profile_uuid: string | null }): ProfileTarget {
  return { id: row.id, tokenId: row.token_id, appleProfileUuid: row.apple_profile_uuid };
}

/** Values by key, in order of first appearance (one push per item: no copying of the growing lists). */
export function groupBy<T, V>(items: Iterable<T>, key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(value(item));
    else groups.set(k, [value(item)]);
  }
  return groups;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function cooldownMs(outcome: AssignmentOutcome): number | null {
  switch (outcome.status) {
    case 'FAILED':
      return outcome.retryAfterSeconds !== undefined ? outcome.retryAfterSeconds * SECOND_MS : FAILED_COOLDOWN_MS;
    case 'THROTTLED':
      return outcome.retryAfterSeconds !== undefined ? outcome.retryAfterSeconds * SECOND_MS : THROTTLED_DEFAULT_COOLDOWN_MS;
    default:
      return null;
  }
}

function outcomeFor(
  serial: string,
  status: AssignmentStatus | undefined,
  retryAfterSeconds: number | undefined,
  mode: StoreMode,
): AssignmentOutcome {
  switch (status) {
    case 'SUCCESS':
      return { serialNumber: serial, status: 'SUCCESS' };
    case 'NOT_ACCESSIBLE':
      return {
        serialNumber: serial,
        status: 'NOT_ACCESSIBLE',
        message:
          mode === 'explicit'
            ? "Apple does not hold this serial on the token's MDM server (not assigned to it in Apple Business Manager, or not yet): the profile is assigned when a sync sees the device."
            : "Apple does not hold this serial on the token's MDM server.",
      };
    case 'THROTTLED': {
      const seconds = retryAfterSeconds ?? THROTTLED_DEFAULT_COOLDOWN_MS / SECOND_MS;
      return {
        serialNumber: serial,
        status: 'THROTTLED',
        message: `Apple is throttling assignments for this device; automatic assignment retries in ${seconds} seconds.`,
        retryAfterSeconds: seconds,
      };
    }
    case 'FAILED':
      return {
        serialNumber: serial,
        status: 'FAILED',
        message: 'Apple could not assign the profile to this device; automatic assignment retries in 24 hours.',
      };
    default:
      return { serialNumber: serial, status: 'FAILED', message: 'Apple returned no result for this serial; automatic assignment retries in 24 hours.' };
  }
}

/** A serial whose request failed as a whole (Apple throttling, unavailable, timed out). */
function notSentOutcome(serial: string, error: AppleDepError): AssignmentOutcome {
  if (error.kind === AppleDepErrorKind.RATE_LIMITED) {
    const seconds = error.retryAfterSeconds ?? THROTTLED_DEFAULT_COOLDOWN_MS / SECOND_MS;
    return { serialNumber: serial, status: 'THROTTLED', message: `Apple is rate limiting requests; retry in ${seconds} seconds.`, retryAfterSeconds: seconds };
  }
  return {
    serialNumber: serial,
    status: 'FAILED',
    message: `Apple's device enrollment service did not answer (${error.kind}); try again later.`,
    retryAfterSeconds: REQUEST_FAILED_COOLDOWN_MS / SECOND_MS,
  };
}
