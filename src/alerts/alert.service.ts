/**
 * Alerts: evaluated per token (on a schedule and right after anything that changes a token),
 * stored, listed, acknowledged, and announced on ALERT_RAISED.
 *
 * Raised once per crossing, even with several instances evaluating at the same moment:
 * - one evaluation per token at a time, on any instance (a transaction-scoped advisory lock on the
 *   token id), reading the token inside that transaction so it acts on committed state;
 * - the insert itself races safely: a partial unique index allows one active alert per
 *   (kind, subject, threshold) and the insert is ON CONFLICT DO NOTHING;
 * - ALERT_RAISED (ALERT_RESOLVED) is published only for a row this instance actually inserted (resolved), on the same
 *   transaction (NOTIFY is delivered at commit), so subscribers never hear of an alert twice or
 *   before it is readable.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import type { Principal } from '../auth/principal';
import { APPLE_BUSINESS_ACCOUNT_TAGS, DEP_TOKEN_TAGS, VPP_TOKEN_TAGS, type ScopeTagLink } from '../auth/scope-tag-link';
import { ASSERTION_RENEW_BEFORE_MS } from '../apple-business/business-client.factory';
import type { Clock } from '../clock';
import type { SqlRunner } from '../database/sql-runner';
import type { AlertRaisedEvent } from '../events';
import { notFound } from '../errors/domain-error';
import type { Logger } from '../logger';
import { AlertEntity, type AlertKindName, type AlertSeverityName } from './alert.entity';
import {
  apnsCertificateAlerts,
  appleBusinessAccountAlerts,
  depTokenAlerts,
  webhookAlerts,
  family,
  urgency,
  vppTokenAlerts,
  type AlertRuleOptions,
  type AppleBusinessAccountFacts,
  type DesiredAlert,
} from './alert.rules';

export type AlertSubjectType = 'DEP_TOKEN' | 'VPP_TOKEN' | 'APNS_CERTIFICATE' | 'WEBHOOK' | 'APPLE_BUSINESS_ACCOUNT';

/** Sends ALERT_RAISED or ALERT_RESOLVED on the given executor (the evaluation's transaction). */
export type AlertPublisher = (change: 'RAISED' | 'RESOLVED', event: AlertRaisedEvent, executor: SqlRunner) => Promise<void>;

/** Told of each alert raised, in the evaluation's transaction (the audit trail records it). */
export type AlertRaisedListener = (alert: AlertEntity, executor: SqlRunner) => Promise<void>;

/**
 * Told at the end of each evaluation of a subject, in its transaction, after the alerts it raised
 * and resolved were told (the token status announcer compares the status there).
 */
export type EvaluatedListener = (subjectId: string, executor: SqlRunner) => Promise<unknown>;

/**
 * The subjects among `subjectIds` for which an evaluated listener would change something now (the
 * scheduled pass evaluates those even when their alerts stand as they should).
 */
export type EvaluatedPending = (subjectIds: readonly string[], executor: SqlRunner) => Promise<Iterable<string>>;

/** Told of each alert resolved, in the evaluation's transaction (webhooks). */
export type AlertResolvedListener = (
  alert: {
    id: string;
    kind: AlertKindName;
    depTokenId: string | null;
    vppTokenId: string | null;
    appleBusinessAccountId: string | null;
    resolution: 'CLEARED' | 'SUPERSEDED';
  },
  executor: SqlRunner,
) => Promise<void>;

export interface AlertFilterCommand {
  /** ACTIVE (default), RESOLVED or ALL. */
  status?: 'ACTIVE' | 'RESOLVED' | 'ALL';
  kinds?: AlertKindName[] | null;
  severities?: AlertSeverityName[] | null;
  acknowledged?: boolean | null;
  depTokenId?: string | null;
  vppTokenId?: string | null;
  appleBusinessAccountId?: string | null;
}

export interface EvaluationResult {
  raised: AlertEntity[];
  resolved: number;
}

/** The rules per subject type: the alerts its facts call for now. */
const RULES = {
  DEP_TOKEN: depTokenAlerts,
  VPP_TOKEN: vppTokenAlerts,
  APNS_CERTIFICATE: apnsCertificateAlerts,
  WEBHOOK: webhookAlerts,
  APPLE_BUSINESS_ACCOUNT: appleBusinessAccountAlerts,
} as const;

/** One active alert per (kind, subject, threshold): the partial unique index, and so the comparison's key. */
const alertKey = (a: { kind: string; threshold: number }) => `${a.kind}:${a.threshold}`;

/** An unresolved alert as an evaluation reads it. */
type StandingAlert = { id: string; subjectId: string; kind: AlertKindName; threshold: number } & AlertOwners;

/**
 * What an evaluation does to a subject: resolve the standing alerts its rules no longer want, raise
 * the wanted ones that do not stand. The scheduled pass evaluates a subject only when this is not
 * empty, so the two cannot disagree about "nothing to do".
 */
function alertChanges<S extends { kind: string; threshold: number }>(desired: readonly DesiredAlert[], standing: readonly S[]) {
  const wanted = new Set(desired.map(alertKey));
  const present = new Set(standing.map(alertKey));
  return { toResolve: standing.filter((a) => !wanted.has(alertKey(a))), toRaise: desired.filter((d) => !present.has(alertKey(d))) };
}

/** Subjects compared per statement by the scheduled pass (the bound on one read's parameters and rows). */
const PASS_CHUNK = 500;

/** A subject of alerts: its name (copied into each alert) and the facts its rules read. */
interface Subject {
  name: string;
  facts: Record<string, unknown>;
}

/** What an alert names that carries scope tags (at most one of them). */
type AlertOwners = Pick<AlertEntity, 'depTokenId' | 'vppTokenId' | 'appleBusinessAccountId'>;

/** The ALERT_RAISED / ALERT_RESOLVED event of an alert (also the subscriptions' replay of active ones). */
export function eventOf(alert: { id: string; kind: AlertKindName } & AlertOwners): AlertRaisedEvent {
  // No tagged owner (an APNs certificate, a webhook): nothing to filter by, so only unrestricted keys hear it.
  const { id: alertId, kind, depTokenId: tokenId, vppTokenId, appleBusinessAccountId } = alert;
  return { alertId, kind, ...(tokenId ? { tokenId } : vppTokenId ? { vppTokenId } : appleBusinessAccountId ? { appleBusinessAccountId } : {}) };
}

export class AlertService {
  private readonly alerts: Repository<AlertEntity>;
  private publisher?: AlertPublisher;
  private readonly raisedListeners: AlertRaisedListener[] = [];
  private readonly resolvedListeners: AlertResolvedListener[] = [];
  private readonly evaluatedListeners: { type: AlertSubjectType; listener: EvaluatedListener; pending?: EvaluatedPending }[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: AlertRuleOptions,
  ) {
    this.alerts = dataSource.getRepository(AlertEntity);
  }

  onRaised(listener: AlertRaisedListener): void {
    this.raisedListeners.push(listener);
  }

  onResolved(listener: AlertResolvedListener): void {
    this.resolvedListeners.push(listener);
  }

  /** `pending` lets the scheduled pass skip the subjects the listener has nothing to do for; without it, it evaluates every one. */
  onEvaluated(type: AlertSubjectType, listener: EvaluatedListener, pending?: EvaluatedPending): void {
    this.evaluatedListeners.push({ type, listener, pending });
  }

  /** Where ALERT_RAISED goes (the events pub/sub). Without one, alerts are only stored. */
  setPublisher(publisher: AlertPublisher | undefined): void {
    this.publisher = publisher;
  }

  // ---------------------------------------------------------------- evaluation

  async evaluateDepToken(tokenId: string): Promise<EvaluationResult> {
    return this.evaluate('DEP_TOKEN', tokenId);
  }

  async evaluateVppToken(vppTokenId: string): Promise<EvaluationResult> {
    return this.evaluate('VPP_TOKEN', vppTokenId);
  }

  async evaluateWebhook(webhookId: string): Promise<EvaluationResult> {
    return this.evaluate('WEBHOOK', webhookId);
  }

  async evaluateApnsCertificate(certificateId: string): Promise<EvaluationResult> {
    return this.evaluate('APNS_CERTIFICATE', certificateId);
  }

  async evaluateAppleBusinessAccount(accountId: string): Promise<EvaluationResult> {
    return this.evaluate('APPLE_BUSINESS_ACCOUNT', accountId);
  }

  /**
   * The scheduled pass: every DEP and VPP token, the push certificate, webhooks and Apple Business
   * API accounts. Each evaluation locks its subject and reads it in a transaction of its own, six
   * round trips; on a fleet of 2,000 tokens that was 2 s of CPU each 15 minutes for a pass that
   * nearly always changes nothing (issue #15). So the pass first compares, for a chunk of subjects
   * at a time and in one consistent snapshot, what the rules want with the alerts that stand (and
   * asks the evaluated listeners what they would change), and evaluates only the subjects where
   * something differs, as before: locked, re-read, acted on. A subject that matched in the snapshot
   * is one its evaluation would have left as it was at that moment.
   */
  async evaluateAll(signal?: AbortSignal): Promise<{ tokens: number; evaluated: number; raised: number; resolved: number }> {
    const subjects: { type: AlertSubjectType; id: string }[] = await this.dataSource.query(
      `SELECT 'DEP_TOKEN' AS type, id FROM dep_tokens UNION ALL SELECT 'VPP_TOKEN' AS type, id FROM vpp_tokens
       UNION ALL SELECT 'APNS_CERTIFICATE' AS type, id FROM apns_certificates UNION ALL SELECT 'WEBHOOK' AS type, id FROM webhooks
       UNION ALL SELECT 'APPLE_BUSINESS_ACCOUNT' AS type, id FROM apple_business_accounts`,
    );
    const idsByType = new Map<AlertSubjectType, string[]>();
    for (const { type, id } of subjects) {
      const ids = idsByType.get(type);
      if (ids) ids.push(id);
      else idsByType.set(type, [id]);
    }
    let evaluated = 0;
    let raised = 0;
    let resolved = 0;
    for (const [type, ids] of idsByType) {
      for (let at = 0; at < ids.length && !signal?.aborted; at += PASS_CHUNK) {
        const chunk = ids.slice(at, at + PASS_CHUNK);
        const due = await this.dueForEvaluation(type, chunk).catch((err: Error) => {
          // As before the comparison: a failure stops no other subject; each is evaluated (and fails, or not) alone.
          this.logger.error({ type, subjects: chunk.length, err: { message: err.message } }, 'alert pass comparison failed');
          return chunk;
        });
        for (const subjectId of due) {
          if (signal?.aborted) break;
          try {
            const result = await this.evaluate(type, subjectId);
            evaluated += 1;
            raised += result.raised.length;
            resolved += result.resolved;
          } catch (err) {
            this.logger.error({ subjectId, err: { message: (err as Error).message } }, 'alert evaluation failed');
          }
        }
      }
    }
    return { tokens: subjects.length, evaluated, raised, resolved };
  }

  /**
   * The subjects among `ids` whose evaluation would change something now: an alert to raise or to
   * resolve, or an evaluated listener with work (a listener that cannot tell makes every subject of
   * its type due). Read in one REPEATABLE READ snapshot, so facts and standing alerts agree.
   */
  private async dueForEvaluation(type: AlertSubjectType, ids: readonly string[]): Promise<string[]> {
    const listeners = this.evaluatedListeners.filter((l) => l.type === type);
    const pendings = listeners.flatMap((l) => (l.pending ? [l.pending] : []));
    if (pendings.length < listeners.length) return [...ids];
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const now = this.clock.now();
      const subjects = await this.readSubjects(manager, type, ids);
      const standingBySubject = new Map<string, StandingAlert[]>();
      for (const a of await this.standingAlerts(manager, ids)) {
        const list = standingBySubject.get(a.subjectId);
        if (list) list.push(a);
        else standingBySubject.set(a.subjectId, [a]);
      }
      const pending = new Set<string>();
      for (const listed of pendings) for (const id of await listed(ids, manager)) pending.add(id);
      return ids.filter((id) => {
        const subject = subjects.get(id);
        // Gone since the pass listed it (its alerts went with it), or read wrongly: evaluate finds out.
        if (!subject) return true;
        if (pending.has(id)) return true;
        let desired: DesiredAlert[];
        try {
          desired = RULES[type](subject.facts as never, now, this.options);
        } catch {
          return true; // its evaluation meets the same failure and logs it for this subject alone
        }
        const { toResolve, toRaise } = alertChanges(desired, standingBySubject.get(id) ?? []);
        return toResolve.length > 0 || toRaise.length > 0;
      });
    });
  }

  private async evaluate(type: AlertSubjectType, subjectId: string): Promise<EvaluationResult> {
    const raised: AlertEntity[] = [];
    let resolved = 0;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`depgate:alerts:${subjectId}`]);
      const now = this.clock.now();
      // The one row, whatever the case of the id the caller gave.
      const [subject] = (await this.readSubjects(manager, type, [subjectId])).values();
      if (!subject) return; // deleted: its alerts went with it
      const desired = RULES[type](subject.facts as never, now, this.options);
      const { toResolve, toRaise } = alertChanges(desired, await this.standingAlerts(manager, [subjectId]));
      for (const alert of toResolve) {
        const successor = desired.find((d) => family(d.kind) === family(alert.kind));
        const resolution = successor && urgency(successor) > urgency(alert) ? 'SUPERSEDED' : 'CLEARED';
        const [, affected] = await manager.query(
          `UPDATE alerts SET resolved_at = $2, resolution = $3 WHERE id = $1 AND resolved_at IS NULL`,
          [alert.id, now, resolution],
        );
        if (!(Number(affected) > 0)) continue;
        resolved += 1;
        const { threshold: _threshold, subjectId: _subjectId, ...resolvedAlert } = alert;
        for (const listener of this.resolvedListeners) await listener({ ...resolvedAlert, resolution }, manager);
        await this.publisher?.('RESOLVED', eventOf(alert), manager);
      }
      for (const alert of toRaise) {
        const row = await this.insert(manager, type, subjectId, subject.name, alert, now);
        if (row) raised.push(row);
      }
      for (const row of raised) {
        for (const listener of this.raisedListeners) await listener(row, manager);
        await this.publisher?.('RAISED', eventOf(row), manager);
      }
      for (const evaluated of this.evaluatedListeners) if (evaluated.type === type) await evaluated.listener(subjectId, manager);
    });
    for (const row of raised) {
      this.logger.warn({ alertId: row.id, kind: row.kind, severity: row.severity, subjectId, threshold: row.threshold }, 'alert raised');
    }
    return { raised, resolved };
  }

  /** The unresolved alerts of these subjects. */
  private standingAlerts(executor: SqlRunner, subjectIds: readonly string[]): Promise<StandingAlert[]> {
    return executor.query(
      `SELECT id, subject_id AS "subjectId", kind, threshold, dep_token_id AS "depTokenId", vpp_token_id AS "vppTokenId",
              apple_business_account_id AS "appleBusinessAccountId"
         FROM alerts WHERE subject_id = ANY($1) AND resolved_at IS NULL`,
      [[...subjectIds]],
    );
  }

  /** The row, or null when another instance raised the same crossing first. */
  private async insert(
    manager: EntityManager,
    type: AlertSubjectType,
    subjectId: string,
    subjectName: string,
    alert: DesiredAlert,
    now: Date,
  ): Promise<AlertEntity | null> {
    const id = randomUUID();
    const rows: unknown[] = await manager.query(
      `INSERT INTO alerts (id, kind, severity, subject_id, dep_token_id, vpp_token_id, subject_name, threshold, message, raised_at, apns_certificate_id, webhook_id,
         apple_business_account_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (kind, subject_id, threshold) WHERE resolved_at IS NULL DO NOTHING
       RETURNING id`,
      [
        id,
        alert.kind,
        alert.severity,
        subjectId,
        type === 'DEP_TOKEN' ? subjectId : null,
        type === 'VPP_TOKEN' ? subjectId : null,
        subjectName,
        alert.threshold,
        alert.message,
        now,
        type === 'APNS_CERTIFICATE' ? subjectId : null,
        type === 'WEBHOOK' ? subjectId : null,
        type === 'APPLE_BUSINESS_ACCOUNT' ? subjectId : null,
      ],
    );
    if (rows.length === 0) return null;
    return manager.getRepository(AlertEntity).findOneByOrFail({ id });
  }

  /**
   * The subjects' names and the facts their rules read, by id (an id that is gone is absent): one
   * statement per call, whether for the one subject an evaluation locks or for all of a type that
   * the scheduled pass compares first.
   */
  private async readSubjects(executor: SqlRunner, type: AlertSubjectType, ids: readonly string[]): Promise<Map<string, Subject>> {
    const subjects = new Map<string, Subject>();
    if (ids.length === 0) return subjects;
    const idList = [...ids];
    if (type === 'DEP_TOKEN') {
      const rows = await executor.query(
        `SELECT t.id, t.name, t.expires_at, t.terms_not_accepted_at, t.rejected_at, t.last_successful_sync_at, t.last_sync_error, t.created_at,
                m.migrating, m.next_deadline
           FROM dep_tokens t
           CROSS JOIN LATERAL (
             -- Devices still to enroll here (not PUSHED yet) whose migration deadline is ahead.
             SELECT count(*)::int AS migrating, min(d.mdm_migration_deadline) AS next_deadline FROM devices d
              WHERE d.token_id = t.id AND d.deleted_at IS NULL AND d.mdm_migration_deadline > $2
                AND d.profile_status IS DISTINCT FROM 'PUSHED'
           ) m
          WHERE t.id = ANY($1)`,
        [idList, this.clock.now()],
      );
      for (const row of rows) {
        subjects.set(row.id, {
          name: row.name,
          facts: {
            name: row.name,
            expiresAt: row.expires_at,
            termsNotAcceptedAt: row.terms_not_accepted_at,
            rejectedAt: row.rejected_at,
            lastSuccessfulSyncAt: row.last_successful_sync_at,
            lastSyncError: row.last_sync_error,
            createdAt: row.created_at,
            migratingDevices: row.migrating,
            nextMigrationDeadline: row.next_deadline,
          },
        });
      }
      return subjects;
    }
    if (type === 'WEBHOOK') {
      const rows = await executor.query(`SELECT id, url, enabled, disabled_at, disabled_reason FROM webhooks WHERE id = ANY($1)`, [idList]);
      for (const row of rows) {
        const host = (() => {
          try {
            return new URL(row.url).host;
          } catch {
            return 'webhook';
          }
        })();
        subjects.set(row.id, { name: `Webhook ${host}`, facts: { host, disabledAt: row.enabled ? null : row.disabled_at, reason: row.disabled_reason } });
      }
      return subjects;
    }
    if (type === 'APPLE_BUSINESS_ACCOUNT') {
      // Selected as the rules' AppleBusinessAccountFacts, so the row (without its id) is the facts.
      const rows: ({ id: string } & Omit<AppleBusinessAccountFacts, 'renewBeforeMs'>)[] = await executor.query(
        `SELECT id, name, scope, refused_at AS "refusedAt", refused_reason AS "refusedReason", assertion_expires_at AS "assertionExpiresAt",
                assertion_renewal_error AS "renewalError"
           FROM apple_business_accounts WHERE id = ANY($1)`,
        [idList],
      );
      for (const { id, ...row } of rows) subjects.set(id, { name: row.name, facts: { ...row, renewBeforeMs: ASSERTION_RENEW_BEFORE_MS } });
      return subjects;
    }
    if (type === 'APNS_CERTIFICATE') {
      const rows = await executor.query(`SELECT id, topic, apple_id, not_after FROM apns_certificates WHERE id = ANY($1)`, [idList]);
      for (const row of rows) {
        subjects.set(row.id, { name: `Apple MDM push certificate ${row.topic}`, facts: { topic: row.topic, appleId: row.apple_id, notAfter: row.not_after } });
      }
      return subjects;
    }
    const rows = await executor.query(
      `SELECT v.id, v.name, v.expires_at, v.invalid_reason, v.cp_total_count, v.cp_available_count,
              (SELECT count(*)::int FROM enrollment_profiles p WHERE p.company_portal_vpp_token_id = v.id) AS profile_count
         FROM vpp_tokens v WHERE v.id = ANY($1)`,
      [idList],
    );
    for (const row of rows) {
      subjects.set(row.id, {
        name: row.name,
        facts: {
          name: row.name,
          expiresAt: row.expires_at,
          invalidReason: row.invalid_reason,
          cpTotalCount: row.cp_total_count,
          cpAvailableCount: row.cp_available_count,
          profileCount: row.profile_count,
        },
      });
    }
    return subjects;
  }

  // ---------------------------------------------------------------- reads

  /**
   * Visibility: an alert about a DEP token is visible when the token is (its scope tags), an alert
   * about a VPP token when the VPP token is (its own scope tags), an alert about an Apple Business
   * API account when the account is (its own scope tags, as for VPP tokens). An alert about none of
   * them (the push certificate, a webhook) passes no test: only keys without scope tags see it.
   */
  restrict<E extends AlertEntity>(scope: AccessScope, qb: SelectQueryBuilder<E>, alias = 'a'): SelectQueryBuilder<E> {
    return scope.restrict(
      qb,
      [DEP_TOKEN_TAGS, `${alias}.dep_token_id`],
      [VPP_TOKEN_TAGS, `${alias}.vpp_token_id`],
      [APPLE_BUSINESS_ACCOUNT_TAGS, `${alias}.apple_business_account_id`],
    );
  }

  listQuery(scope: AccessScope, filter: AlertFilterCommand = {}): SelectQueryBuilder<AlertEntity> {
    const qb = this.restrict(scope, this.alerts.createQueryBuilder('a'));
    const status = filter.status ?? 'ACTIVE';
    if (status === 'ACTIVE') qb.andWhere('a.resolved_at IS NULL');
    else if (status === 'RESOLVED') qb.andWhere('a.resolved_at IS NOT NULL');
    if (filter.kinds?.length) qb.andWhere('a.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.severities?.length) qb.andWhere('a.severity IN (:...severities)', { severities: filter.severities });
    if (filter.acknowledged === true) qb.andWhere('a.acknowledged_at IS NOT NULL');
    if (filter.acknowledged === false) qb.andWhere('a.acknowledged_at IS NULL');
    if (filter.depTokenId) qb.andWhere('a.dep_token_id = :depTokenId', { depTokenId: filter.depTokenId });
    if (filter.vppTokenId) qb.andWhere('a.vpp_token_id = :vppTokenId', { vppTokenId: filter.vppTokenId });
    if (filter.appleBusinessAccountId) qb.andWhere('a.apple_business_account_id = :accountId', { accountId: filter.appleBusinessAccountId });
    return qb;
  }

  async findVisibleByIds(ids: readonly string[], scope: AccessScope): Promise<AlertEntity[]> {
    if (ids.length === 0) return [];
    const qb = this.alerts.createQueryBuilder('a').where('a.id IN (:...ids)', { ids: [...ids] });
    return this.restrict(scope, qb).getMany();
  }

  /** Whether the caller may see an alert about this subject (the subscription filter's check). */
  async canSee(event: Pick<AlertRaisedEvent, 'tokenId' | 'vppTokenId' | 'appleBusinessAccountId'>, scope: AccessScope): Promise<boolean> {
    if (scope.unrestricted) return true;
    // The owner whose own scope tags decide (the same links as restrict()); none: only unrestricted keys.
    const owner: [ScopeTagLink, string] | null = event.tokenId
      ? [DEP_TOKEN_TAGS, event.tokenId]
      : event.vppTokenId
        ? [VPP_TOKEN_TAGS, event.vppTokenId]
        : event.appleBusinessAccountId
          ? [APPLE_BUSINESS_ACCOUNT_TAGS, event.appleBusinessAccountId]
          : null;
    if (!owner) return false;
    const [link, ownerId] = owner;
    const [row] = await this.dataSource.query(`SELECT 1 FROM ${link.table} WHERE ${link.ownerColumn} = $1 AND scope_tag_id = ANY($2::uuid[]) LIMIT 1`, [
      ownerId,
      [...scope.scopeTagIds],
    ]);
    return Boolean(row);
  }

  /** Marks a visible alert acknowledged (once: a second call keeps the first acknowledgement). */
  async acknowledge(alertId: string, principal: Principal, scope: AccessScope): Promise<AlertEntity> {
    const [alert] = await this.findVisibleByIds([alertId], scope);
    if (!alert) throw notFound('Alert');
    await this.alerts
      .createQueryBuilder()
      .update(AlertEntity)
      .set({ acknowledgedAt: this.clock.now(), acknowledgedByApiKeyId: principal.apiKeyId, acknowledgedBy: principal.name })
      .where('id = :id AND acknowledged_at IS NULL', { id: alert.id })
      .execute();
    return this.alerts.findOneByOrFail({ id: alert.id });
  }

  /** Active alerts per kind (metrics). */
  async activeCounts(): Promise<{ kind: AlertKindName; severity: AlertSeverityName; n: number }[]> {
    return this.dataSource.query(`SELECT kind, severity, count(*)::int AS n FROM alerts WHERE resolved_at IS NULL GROUP BY 1, 2`);
  }
}
