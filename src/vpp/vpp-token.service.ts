/**
 * The VPP (Apps and Books) location token lifecycle: upload -> renew / update -> delete, and the
 * Company Portal licence counts read from Apple at upload, at renewal and on a schedule. Every
 * refusal is a DomainError raised before anything is written. The sToken is sealed at rest,
 * opened only to call Apple, and never logged or returned.
 */
import { randomUUID } from 'node:crypto';
import { In, type DataSource, type Repository } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import { parseAppleVppDate, type VppClient } from '../apple/vpp-client';
import { isAppleVppError, type AppleVppError } from '../apple/vpp-errors';
import type { VppClientConfig } from '../apple/vpp.types';
import { validAppleId, validName } from '../apple-tokens/apple-token.input';
import type { AccessScope } from '../auth/access-scope';
import { addScopeTags, replaceScopeTags, resolveScopeTagIds } from '../auth/scope-tag-assignment';
import { VPP_TOKEN_TAGS } from '../auth/scope-tag-link';
import { ScopeTaggedReads } from '../auth/scope-tagged-reads';
import type { Principal } from '../auth/principal';
import type { Clock } from '../clock';
import { FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION } from '../database/pg-error-codes';
import type { SecretBox } from '../crypto/secret-box';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import { sealVppToken, type VppClientFactory } from './vpp-client.factory';
import { parseVppTokenFile, VppTokenFileError, type VppTokenFile } from './vpp-token-file';
import type { VppInvalidReason } from './vpp-token.entity';
import { VppTokenEntity } from './vpp-token.entity';
import { describeRefreshError, uploadFailureMessages, vppTokenExpiredError, vppTokenFileDomainError } from './vpp-token.errors';
import { licenceLevel, vppTokenStatus, VppTokenStatus, type LicenceLevel } from './vpp-token.status';

export interface UploadVppTokenCommand {
  tokenFile: string;
  name?: string | null;
  appleId?: string | null;
  scopeTagIds?: string[] | null;
}

export interface RenewVppTokenCommand {
  vppTokenId: string;
  tokenFile: string;
}

export interface UpdateVppTokenCommand {
  vppTokenId: string;
  name?: string | null;
  appleId?: string | null;
  scopeTagIds?: string[] | null;
}

export interface CompanyPortalLicenceCounts {
  total: number;
  assigned: number;
  available: number;
}

/**
 * What a profile needs to know about its Company Portal VPP token (see getCompanyPortalState).
 * `low` is true when licences are LOW or EXHAUSTED by the alert rule (VPP_LICENSES_LOW).
 */
export interface CompanyPortalState {
  exists: boolean;
  expired: boolean;
  /** Apple refused the token (revoked or invalid): devices fall back just as with an expired one. */
  invalid: boolean;
  status: VppTokenStatus | null;
  licensesAvailable: number | null;
  low: boolean;
  exhausted: boolean;
}

export type VppTokenChange = 'UPLOADED' | 'RENEWED' | 'REFRESHED' | 'UPDATED';
export type VppTokenListener = (token: VppTokenEntity, change: VppTokenChange) => Promise<void> | void;

export interface VppTokenServiceOptions {
  /** Company Portal's App Store id (COMPANY_PORTAL_ADAM_ID). */
  companyPortalAdamId: string;
  /** TOKEN_EXPIRING_SOON_DAYS: the EXPIRING_SOON status window. */
  expiringSoonDays: number;
  /** VPP_LICENSES_LOW. */
  licensesLow: number;
}

export class VppTokenService extends ScopeTaggedReads<VppTokenEntity> {
  private readonly tokens: Repository<VppTokenEntity>;
  private readonly listeners: VppTokenListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clients: VppClientFactory,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: VppTokenServiceOptions,
  ) {
    super(dataSource, VppTokenEntity, VPP_TOKEN_TAGS, 'v');
    this.tokens = dataSource.getRepository(VppTokenEntity);
  }

  /** Called after an upload, renewal, update or licence refresh (alerts re-evaluate the token). */
  onChanged(listener: VppTokenListener): void {
    this.listeners.push(listener);
  }

  status(token: Pick<VppTokenEntity, 'expiresAt' | 'invalidAt' | 'invalidReason'>): VppTokenStatus {
    return vppTokenStatus(token, this.clock.now(), this.options.expiringSoonDays);
  }

  licenceLevel(token: Pick<VppTokenEntity, 'cpTotalCount' | 'cpAvailableCount'>): LicenceLevel {
    return licenceLevel({ total: token.cpTotalCount, available: token.cpAvailableCount }, this.options.licensesLow);
  }

  // ---------------------------------------------------------------- upload

  async upload(command: UploadVppTokenCommand, principal: Principal, scope: AccessScope): Promise<VppTokenEntity> {
    const name = command.name == null ? null : validName(command.name);
    const appleId = command.appleId == null ? null : validAppleId(command.appleId);
    const scopeTagIds = await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    const file = this.parse(command.tokenFile);
    const client = this.clients.forSToken(file.sToken);
    const config = await this.fetchConfig(client, file);
    const expiresAt = this.checkedExpiry(config, file);

    const existing = await this.tokens.findOne({ where: { locationUid: config.uId }, relations: { scopeTags: true } });
    if (existing) throw this.alreadyRegistered(existing, scope, config);

    const now = this.clock.now();
    const id = randomUUID();
    const counts = await this.tryReadCompanyPortal(client);
    const token = this.tokens.create({
      id,
      name: name ?? config.locationName ?? file.orgName ?? 'VPP token',
      appleId,
      orgName: file.orgName,
      locationName: config.locationName ?? null,
      locationUid: config.uId,
      countryCode: config.countryISO2ACode ?? null,
      tokenSealed: sealVppToken(this.box, id, file.sToken),
      expiresAt,
      invalidAt: null,
      invalidReason: null,
      ...countsFields(counts, now),
      renewedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(VppTokenEntity, token);
        await addScopeTags(manager, VPP_TOKEN_TAGS, id, scopeTagIds);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.VPP_TOKEN_ALREADY_REGISTERED, 'This location was registered by another upload a moment ago: renew that token instead');
      }
      throw error;
    }
    const saved = await this.findWithTags(id);
    this.logger.info({ vppTokenId: id, locationUid: config.uId, byApiKeyId: principal.apiKeyId }, 'VPP token uploaded');
    await this.notify(saved, 'UPLOADED');
    return saved;
  }

  // ---------------------------------------------------------------- renew

  async renew(command: RenewVppTokenCommand, scope: AccessScope): Promise<VppTokenEntity> {
    const token = await this.findVisible(command.vppTokenId, scope);
    if (!token) throw notFound('VPP token');
    const file = this.parse(command.tokenFile);
    const client = this.clients.forSToken(file.sToken);
    const config = await this.fetchConfig(client, file);
    if (config.uId !== token.locationUid) {
      throw new DomainError(
        ErrorCode.VPP_TOKEN_LOCATION_MISMATCH,
        `This token file belongs to another location ("${config.locationName ?? config.uId}"): download the token of "${token.locationName ?? token.name}"`,
      );
    }
    const expiresAt = this.checkedExpiry(config, file);
    const now = this.clock.now();
    const counts = await this.tryReadCompanyPortal(client);
    await this.tokens.update(
      { id: token.id },
      {
        tokenSealed: sealVppToken(this.box, token.id, file.sToken),
        expiresAt,
        orgName: file.orgName ?? token.orgName,
        locationName: config.locationName ?? token.locationName,
        countryCode: config.countryISO2ACode ?? token.countryCode,
        invalidAt: null,
        invalidReason: null,
        ...(counts.ok ? countsFields(counts, now) : { lastRefreshAttemptAt: now, lastRefreshError: counts.error }),
        renewedAt: now,
        updatedAt: now,
      },
    );
    this.logger.info({ vppTokenId: token.id, expiresAt }, 'VPP token renewed');
    const saved = await this.findWithTags(token.id);
    await this.notify(saved, 'RENEWED');
    return saved;
  }

  // ---------------------------------------------------------------- update, delete

  async update(command: UpdateVppTokenCommand, scope: AccessScope): Promise<VppTokenEntity> {
    const token = await this.findVisible(command.vppTokenId, scope);
    if (!token) throw notFound('VPP token');
    const name = command.name == null ? undefined : validName(command.name);
    const appleId = command.appleId == null ? undefined : command.appleId.trim() === '' ? null : validAppleId(command.appleId);
    const scopeTagIds = command.scopeTagIds == null ? undefined : await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        VppTokenEntity,
        { id: token.id },
        { ...(name ? { name } : {}), ...(appleId !== undefined ? { appleId } : {}), updatedAt: this.clock.now() },
      );
      if (scopeTagIds) {
        await replaceScopeTags(manager, VPP_TOKEN_TAGS, token.id, scopeTagIds, scope);
      }
    });
    const saved = await this.findWithTags(token.id);
    await this.notify(saved, 'UPDATED');
    return saved;
  }

  /** Refused with VPP_TOKEN_IN_USE while an enrollment profile installs Company Portal with it. */
  async delete(vppTokenId: string, scope: AccessScope): Promise<string> {
    const token = await this.findVisible(vppTokenId, scope);
    if (!token) throw notFound('VPP token');
    try {
      await this.dataSource.transaction(async (manager) => {
        // Locks the row: a profile saved meanwhile waits on the foreign key, then fails it.
        await manager.query(`SELECT 1 FROM vpp_tokens WHERE id = $1 FOR UPDATE`, [token.id]);
        const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM enrollment_profiles WHERE company_portal_vpp_token_id = $1`, [token.id]);
        if (n > 0) throw inUse(n);
        await manager.delete(VppTokenEntity, { id: token.id });
      });
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw inUse(null);
      throw error;
    }
    this.logger.info({ vppTokenId: token.id }, 'VPP token deleted');
    return token.id;
  }

  // ---------------------------------------------------------------- licences

  /**
   * Reads the location and its Company Portal licences from Apple and stores them. Apple refusing
   * the token marks it INVALID (or EXPIRED); a transient failure only records the error and keeps
   * the last counts. Never throws for Apple's answers.
   */
  async refresh(vppTokenId: string): Promise<VppTokenEntity | null> {
    const token = await this.tokens.findOne({ where: { id: vppTokenId } });
    if (!token) return null;
    const now = this.clock.now();
    let changes: Partial<VppTokenEntity>;
    try {
      const client = this.clients.forToken(token);
      const config = await client.getClientConfig();
      const counts = await this.readCompanyPortal(client);
      changes = {
        expiresAt: parseAppleVppDate(config.tokenExpirationDate) ?? token.expiresAt,
        locationName: config.locationName ?? token.locationName,
        countryCode: config.countryISO2ACode ?? token.countryCode,
        invalidAt: null,
        invalidReason: null,
        ...countsFields({ ok: true, counts }, now),
      };
    } catch (error) {
      if (!isAppleVppError(error)) throw error;
      changes = { lastRefreshAttemptAt: now, lastRefreshError: describeRefreshError(error) };
      if (error.tokenRefused) {
        changes.invalidAt = token.invalidAt ?? now;
        changes.invalidReason = invalidReasonOf(error);
      }
      this.logger.warn({ vppTokenId: token.id, err: error.toJSON() }, 'VPP licence refresh failed');
    }
    // Only if the token was not renewed meanwhile: an answer about the old sToken (revoked by
    // the renewal) must not mark the new one invalid.
    await this.tokens
      .createQueryBuilder()
      .update(VppTokenEntity)
      .set(changes)
      .where('id = :id AND token_sealed = :sealed', { id: token.id, sealed: token.tokenSealed })
      .execute();
    const saved = await this.findWithTags(token.id);
    await this.notify(saved, 'REFRESHED');
    return saved;
  }

  /** The scheduled refresh: every token, one after the other. */
  async refreshAll(signal?: AbortSignal): Promise<{ refreshed: number; failed: number }> {
    const ids: { id: string }[] = await this.dataSource.query(`SELECT id FROM vpp_tokens ORDER BY created_at, id`);
    let refreshed = 0;
    let failed = 0;
    for (const { id } of ids) {
      if (signal?.aborted) break;
      const token = await this.refresh(id).catch((err: unknown) => {
        this.logger.error({ vppTokenId: id, err: { message: (err as Error).message } }, 'VPP licence refresh crashed');
        return null;
      });
      if (token && !token.lastRefreshError) refreshed++;
      else failed++;
    }
    return { refreshed, failed };
  }

  /**
   * For the profile service: the state of a profile's Company Portal VPP token. With a scope, a
   * token the caller cannot see is reported as not existing. `expired` covers Apple's refusal too:
   * either way devices fall back to the App Store Company Portal and ask for an Apple ID.
   */
  async getCompanyPortalState(vppTokenId: string, scope?: AccessScope): Promise<CompanyPortalState> {
    return (await this.getCompanyPortalStates([vppTokenId], scope)).get(vppTokenId)!;
  }

  async getCompanyPortalStates(vppTokenIds: readonly string[], scope?: AccessScope): Promise<Map<string, CompanyPortalState>> {
    const ids = [...new Set(vppTokenIds)];
    const found = scope ? await this.findVisibleByIds(ids, scope) : ids.length ? await this.tokens.find({ where: { id: In(ids) } }) : [];
    const byId = new Map(found.map((t) => [t.id, t]));
    return new Map(vppTokenIds.map((id) => [id, this.companyPortalStateOf(byId.get(id) ?? null)]));
  }

  /**
   * The shape of EnrollmentProfileService.useVppTokenLookup: states of the tokens that exist (and,
   * with a scope, that the caller may see); absent ids are left out of the map.
   */
  readonly companyPortalLookup = async (ids: readonly string[], scope: AccessScope | null): Promise<Map<string, CompanyPortalState>> => {
    const states = await this.getCompanyPortalStates(ids, scope ?? undefined);
    return new Map([...states].filter(([, state]) => state.exists));
  };

  companyPortalStateOf(token: VppTokenEntity | null): CompanyPortalState {
    if (!token) {
      return { exists: false, expired: false, invalid: false, status: null, licensesAvailable: null, low: false, exhausted: false };
    }
    const status = this.status(token);
    const level = this.licenceLevel(token);
    return {
      exists: true,
      expired: status === VppTokenStatus.EXPIRED || status === VppTokenStatus.INVALID,
      invalid: status === VppTokenStatus.INVALID,
      status,
      licensesAvailable: token.cpAvailableCount,
      low: level === 'LOW' || level === 'EXHAUSTED',
      exhausted: level === 'EXHAUSTED',
    };
  }

  // ---------------------------------------------------------------- reads

  // findVisible, findVisibleByIds, listQuery and scopeTagIdsByToken: see ScopeTaggedReads.

  /** How many enrollment profiles install Company Portal with each token. */
  async profileCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const rows: { id: string; n: number }[] = ids.length
      ? await this.dataSource.query(
          `SELECT company_portal_vpp_token_id AS id, count(*)::int AS n FROM enrollment_profiles
            WHERE company_portal_vpp_token_id = ANY($1::uuid[]) GROUP BY 1`,
          [[...ids]],
        )
      : [];
    const map = new Map<string, number>(ids.map((id) => [id, 0]));
    rows.forEach((r) => map.set(r.id, r.n));
    return map;
  }

  // ---------------------------------------------------------------- helpers

  private parse(tokenFile: string): VppTokenFile {
    let file: VppTokenFile;
    try {
      file = parseVppTokenFile(tokenFile);
    } catch (error) {
      if (error instanceof VppTokenFileError) throw vppTokenFileDomainError(error);
      throw error;
    }
    if (file.expiresAt.getTime() <= this.clock.now().getTime()) throw vppTokenExpiredError(file.expiresAt);
    return file;
  }

  private async fetchConfig(client: VppClient, file: VppTokenFile): Promise<VppClientConfig> {
    try {
      return await client.getClientConfig();
    } catch (error) {
      if (isAppleVppError(error)) throw new AppleRequestException({ family: 'VPP', error, messages: uploadFailureMessages(file.expiresAt) });
      throw error;
    }
  }

  /** Apple's expiry wins over the file's; either being past refuses the token. */
  private checkedExpiry(config: VppClientConfig, file: VppTokenFile): Date {
    const expiresAt = parseAppleVppDate(config.tokenExpirationDate) ?? file.expiresAt;
    if (expiresAt.getTime() <= this.clock.now().getTime()) throw vppTokenExpiredError(expiresAt);
    return expiresAt;
  }

  private async readCompanyPortal(client: VppClient): Promise<CompanyPortalLicenceCounts> {
    // One adamId can be held at several pricing params (STDQ, PLUS): they add up.
    const assets = await client.getAllAssets({ adamId: this.options.companyPortalAdamId });
    const mine = assets.filter((a) => a.adamId === this.options.companyPortalAdamId);
    const total = mine.reduce((n, a) => n + a.totalCount, 0);
    const assigned = mine.reduce((n, a) => n + a.assignedCount, 0);
    const available = mine.reduce((n, a) => n + a.availableCount, 0);
    return { total, assigned, available };
  }

  /** At upload and renewal the licence read is best effort: the token itself was accepted. */
  private async tryReadCompanyPortal(client: VppClient): Promise<CountsResult> {
    try {
      return { ok: true, counts: await this.readCompanyPortal(client) };
    } catch (error) {
      if (!isAppleVppError(error)) throw error;
      this.logger.warn({ err: error.toJSON() }, 'Company Portal licences could not be read');
      return { ok: false, error: describeRefreshError(error) };
    }
  }

  private alreadyRegistered(existing: VppTokenEntity, scope: AccessScope, config: VppClientConfig): DomainError {
    const visible = scope.canSeeTokenWithTags((existing.scopeTags ?? []).map((t) => t.id));
    return new DomainError(
      ErrorCode.VPP_TOKEN_ALREADY_REGISTERED,
      `The location "${config.locationName ?? config.uId}" is already registered here: renew that VPP token instead`,
      visible ? { vppTokenId: existing.id } : {},
    );
  }

  private async notify(token: VppTokenEntity, change: VppTokenChange): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(token, change);
      } catch (err) {
        // A listener (alert evaluation) failing must not undo or fail the change itself.
        this.logger.error({ vppTokenId: token.id, change, err: { message: (err as Error).message } }, 'VPP token listener failed');
      }
    }
  }

}

type CountsResult = { ok: true; counts: CompanyPortalLicenceCounts } | { ok: false; error: string };

function countsFields(result: CountsResult, now: Date): Partial<VppTokenEntity> {
  if (!result.ok) {
    return { cpTotalCount: null, cpAssignedCount: null, cpAvailableCount: null, licensesRefreshedAt: null, lastRefreshAttemptAt: now, lastRefreshError: result.error };
  }
  return {
    cpTotalCount: result.counts.total,
    cpAssignedCount: result.counts.assigned,
    cpAvailableCount: result.counts.available,
    licensesRefreshedAt: now,
    lastRefreshAttemptAt: now,
    lastRefreshError: null,
  };
}

function invalidReasonOf(error: AppleVppError): VppInvalidReason {
  if (error.kind === 'TOKEN_EXPIRED') return 'EXPIRED';
  if (error.kind === 'TOKEN_REVOKED') return 'REVOKED';
  return 'INVALID';
}

function inUse(count: number | null): DomainError {
  return new DomainError(
    ErrorCode.VPP_TOKEN_IN_USE,
    count === null
      ? 'An enrollment profile installs Company Portal with this VPP token: choose another token in those profiles first'
      : `${count} enrollment profile${count === 1 ? '' : 's'} install Company Portal with this VPP token: choose another token in those profiles first`,
    count === null ? {} : { profileCount: count },
  );
}
