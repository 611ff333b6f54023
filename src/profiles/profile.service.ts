/**
 * Enrollment profiles: create, update, delete, and the token's default profile.
 *
 * Every save runs the rules (profile.rules.ts) before anything happens, then writes the row inside a
 * transaction (so every check the database makes, from constraints to encodings, has passed), and
 * only then defines the profile at Apple (`POST /profile`, JSON from apple-profile.mapper.ts) and
 * records the `profile_uuid` Apple returned before committing. A refusal by the database therefore
 * never leaves an orphan profile at Apple, and a refusal by Apple rolls the row back: nothing
 * remains here or there. Apple's
 * profiles cannot be edited, so an update whose Apple JSON differs defines a new Apple profile and
 * moves the devices holding the old one to it (DeviceAssignmentService.moveToCurrentDefinition).
 * Changing only what Apple never sees (the description) does not call Apple.
 */
import { effectiveEnrollmentUrl } from './enrollment-url';
import { isDeepStrictEqual } from 'node:util';
import { type DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import type { DepProfile } from '../apple/dep.types';
import { type AppleDepError, AppleDepErrorKind, isAppleDepError } from '../apple/dep-errors';
import type { AccessScope } from '../auth/access-scope';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { DeviceAssignmentService } from '../devices/assignment.service';
import { appleActionMessages } from '../devices/device.errors';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import { DepTokenEntity } from '../tokens/token.entity';
import { toAppleProfile } from './apple-profile.mapper';
import { ConfiguratorCertificateEntity } from './configurator-certificate.entity';
import { EnrollmentProfileEntity } from './profile.entity';
import { assertProfileSettings, profileLimitViolation } from './profile.rules';
import {
  AuthenticationMethod,
  DEFAULT_PROFILE_SETTINGS,
  type EnrollmentProfileSettings,
  normalizeProfileSettings,
  SyncWithComputers,
  UserAffinity,
} from './profile.settings';
import { type ProfileWarning, profileWarnings } from './profile.warnings';
import type { SetupPane } from './setup-pane';
import { parseConfiguratorCertificate } from './configurator-certificate.crypto';
import {
  DEFAULT_PROFILE_PROPERTIES,
  DEFAULT_PROFILES_SELECT,
  type DefaultProfileIds,
  defaultProfileIdsOf,
  PLATFORM_LABELS,
  ProfilePlatform,
} from './profile-platform';
import { MAX_ANCHOR_CERTIFICATES } from './profile.rules';
import { ProfileRuleError } from './profile.errors';
import { getEntities } from '../database/entity-rows';

/** Settings as a client sends them: absent = default (create) or unchanged (update). */
export type ProfileSettingsPatch = { [K in keyof EnrollmentProfileSettings]?: EnrollmentProfileSettings[K] | null };

/** What a profile needs to know about its Company Portal VPP token. */
export interface CompanyPortalVppTokenState {
  expired: boolean;
  licensesAvailable: number | null;
  low: boolean;
}

/**
 * Resolves Company Portal VPP tokens by id. With a scope: only tokens the caller may see (a profile
 * may only choose those); without one: any (reading a stored profile's warnings).
 */
export type VppTokenLookup = (ids: readonly string[], scope: AccessScope | null) => Promise<Map<string, CompanyPortalVppTokenState>>;

export interface SavedProfile {
  profile: EnrollmentProfileEntity;
  warnings: ProfileWarning[];
  /** Update only: devices moved to the profile's new Apple definition. */
  movedDevices?: number;
}

/** Settings that only make sense with a user; they follow the user affinity when not given. */
const USER_ONLY: (keyof EnrollmentProfileSettings)[] = [
  'authenticationMethod',
  'installCompanyPortal',
  'companyPortalVppTokenId',
  'singleAppModeUntilAuthentication',
];

export class EnrollmentProfileService {
  readonly profiles: Repository<EnrollmentProfileEntity>;
  private vppLookup: VppTokenLookup;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: DepClientFactory,
    private readonly assignments: DeviceAssignmentService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly config: Pick<Config, 'maxProfilesPerToken' | 'enrollmentUrl' | 'vppLicensesLow'>,
  ) {
    this.profiles = dataSource.getRepository(EnrollmentProfileEntity);
    this.vppLookup = (ids, scope) => this.vppTokensFromTable(ids, scope);
  }

  /** The VPP feature may replace how Company Portal VPP tokens are resolved. */
  useVppTokenLookup(lookup: VppTokenLookup): void {
    this.vppLookup = lookup;
  }

  // ---------------------------------------------------------------- create

  async create(tokenId: string, patch: ProfileSettingsPatch & { name: string }, scope: AccessScope): Promise<SavedProfile> {
    const token = await this.findVisibleToken(tokenId, scope);
    if (!token) throw notFound('DEP token');
    const platform = patch.platform ?? DEFAULT_PROFILE_SETTINGS.platform;
    const settings = normalizeProfileSettings(
      applyPatch(defaultsFor(platform, patch.userAffinity ?? defaultAffinityOf(platform), patch.name), withParsedAnchors(patch)),
    );
    const { certificates, vppToken } = await this.checkSettings(settings, scope, null, token);
    const limit = profileLimitViolation(await this.profiles.countBy({ tokenId }), this.config.maxProfilesPerToken);
    if (limit) throw limit;

    const now = this.clock.now();
    const profile = await this.dataSource.transaction(async (manager) => {
      // A lock per token serialises creations, so two concurrent saves cannot pass the limit. It is
      // an advisory lock, not the token row's: it is held across the Apple call below, and the
      // sync must go on writing the token row (cursors) meanwhile.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('enrollment-profile-create:' || $1, 0))`, [tokenId]);
      const again = profileLimitViolation(await manager.countBy(EnrollmentProfileEntity, { tokenId }), this.config.maxProfilesPerToken);
      if (again) throw again;
      // Written first, without Apple's uuid: the database's own checks run before Apple hears of it.
      const saved = await manager.save(
        manager.create(EnrollmentProfileEntity, {
          tokenId,
          ...columnsOf(settings),
          appleProfileUuid: null,
          appleDefinedAt: null,
          appleDefinition: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await this.linkCertificates(manager, saved.id, settings.appleConfiguratorCertificateIds);
      const appleJson = this.appleJson(settings, certificates, token);
      const appleProfileUuid = await this.defineAtApple(token, appleJson);
      await manager.update(EnrollmentProfileEntity, { id: saved.id }, { appleProfileUuid, appleDefinedAt: now, appleDefinition: appleJson });
      return manager.findOneByOrFail(EnrollmentProfileEntity, { id: saved.id });
    });
    return { profile, warnings: profileWarnings(settings, { vppToken }) };
  }

  // ---------------------------------------------------------------- update

  async update(profileId: string, patch: ProfileSettingsPatch, scope: AccessScope): Promise<SavedProfile> {
    const current = await this.findVisible(profileId, scope);
    if (!current) throw notFound('Enrollment profile');
    const token = await this.dataSource.getRepository(DepTokenEntity).findOneByOrFail({ id: current.tokenId });
    const currentCertificates = (await this.certificateIdsOf([current.id])).get(current.id) ?? [];
    const previous = settingsOf(current, currentCertificates);

    // A switch of user affinity resets the settings that depend on it, unless they are given.
    let base = previous;
    if (patch.userAffinity != null && patch.userAffinity !== previous.userAffinity) {
      const defaults = defaultsFor(previous.platform, patch.userAffinity, previous.name);
      base = { ...previous, ...Object.fromEntries(USER_ONLY.map((k) => [k, defaults[k]])) };
    }
    // The platform is fixed at creation: an update that names it is ignored, not obeyed.
    const settings = normalizeProfileSettings(applyPatch(base, { ...withParsedAnchors(patch), platform: previous.platform }));
    const keptVppToken =
      settings.companyPortalVppTokenId !== null && settings.companyPortalVppTokenId === previous.companyPortalVppTokenId;
    const { certificates, vppToken } = await this.checkSettings(settings, scope, keptVppToken ? settings.companyPortalVppTokenId : null, token);

    const appleJson = this.appleJson(settings, certificates, token);
    // What Apple has: the JSON last defined, since the token's enrollment URL may have changed since.
    // (Profiles defined before it was kept: rebuilt from their settings, as then.) Compared as
    // values: jsonb does not keep key order.
    const previousJson = !current.appleProfileUuid
      ? null
      : (current.appleDefinition ?? this.appleJson(previous, await this.certificatesByIds(previous.appleConfiguratorCertificateIds), token));
    const redefine = previousJson === null || !isDeepStrictEqual(appleJson, previousJson);

    const now = this.clock.now();
    const profile = await this.dataSource.transaction(async (manager) => {
      // The row is rewritten before Apple is asked: a value the database refuses defines nothing.
      await manager.update(EnrollmentProfileEntity, { id: current.id }, { ...columnsOf(settings), updatedAt: now });
      await manager.query(`DELETE FROM enrollment_profile_certificates WHERE profile_id = $1`, [current.id]);
      await this.linkCertificates(manager, current.id, settings.appleConfiguratorCertificateIds);
      if (redefine) {
        const appleProfileUuid = await this.defineAtApple(token, appleJson);
        await manager.update(EnrollmentProfileEntity, { id: current.id }, { appleProfileUuid, appleDefinedAt: now, appleDefinition: appleJson });
      }
      return manager.findOneByOrFail(EnrollmentProfileEntity, { id: current.id });
    });
    let movedDevices = 0;
    if (redefine) movedDevices = (await this.assignments.moveToCurrentDefinition(current.id)).moved;
    return { profile, warnings: profileWarnings(settings, { vppToken, previous }), movedDevices };
  }

  // ---------------------------------------------------------------- delete

  /**
   * Refused with PROFILE_IN_USE while the profile is its token's default or devices hold or wait
   * for it. Apple has no call to delete a profile; an unassigned one is simply never used again.
   */
  async delete(profileId: string, scope: AccessScope): Promise<string> {
    const profile = await this.findVisible(profileId, scope);
    if (!profile) throw notFound('Enrollment profile');
    await this.dataSource.transaction(async (manager) => {
      // The token's row lock (as setDefault takes it) with its defaults, in one statement.
      const defaults = await manager.findOne(DepTokenEntity, {
        select: DEFAULT_PROFILES_SELECT,
        where: { id: profile.tokenId },
        lock: { mode: 'pessimistic_write' },
      });
      if (defaults && Object.values(defaultProfileIdsOf(defaults)).includes(profile.id)) {
        throw new DomainError(ErrorCode.PROFILE_IN_USE, "This is its token's default profile: choose another default (or none) first", {
          reason: 'DEFAULT_PROFILE',
        });
      }
      const [{ n }] = await manager.query(
        `SELECT count(*)::int AS n FROM devices WHERE deleted_at IS NULL AND (profile_id = $1 OR requested_profile_id = $1)`,
        [profile.id],
      );
      if (n > 0) {
        throw new DomainError(ErrorCode.PROFILE_IN_USE, `${n} device${n === 1 ? '' : 's'} hold or wait for this profile: assign them another profile first`, {
          reason: 'ASSIGNED_TO_DEVICES',
          deviceCount: n,
        });
      }
      await manager.delete(EnrollmentProfileEntity, { id: profile.id });
    });
    return profile.id;
  }

  // ---------------------------------------------------------------- default profile

  /**
   * Sets (or, with null, clears) the profile new devices of the token and platform get. Without a
   * platform: the profile's own, or iOS when clearing (the single default of old clients).
   */
  async setDefault(
    tokenId: string,
    profileId: string | null,
    scope: AccessScope,
    platform: ProfilePlatform | null = null,
  ): Promise<{ token: DepTokenEntity; platform: ProfilePlatform }> {
    const token = await this.findVisibleToken(tokenId, scope);
    if (!token) throw notFound('DEP token');
    let target = platform ?? ProfilePlatform.IOS;
    if (profileId !== null) {
      const profile = await this.findVisible(profileId, scope);
      if (!profile) throw notFound('Enrollment profile');
      if (profile.tokenId !== tokenId) {
        throw new DomainError(ErrorCode.PROFILE_TOKEN_MISMATCH, 'A default profile must belong to the same DEP token', { field: 'profileId' });
      }
      const profilePlatform = profile.platform as ProfilePlatform;
      if (platform !== null && platform !== profilePlatform) {
        throw new DomainError(
          ErrorCode.PROFILE_PLATFORM_MISMATCH,
          `This is a ${PLATFORM_LABELS[profilePlatform]} profile; the ${PLATFORM_LABELS[platform]} default must be a ${PLATFORM_LABELS[platform]} profile`,
          { field: 'platform', platform, profilePlatform },
        );
      }
      target = profilePlatform;
    }
    // updated_at stays: it versions the token's credentials (DepClientFactory), which did not change.
    await this.dataSource.transaction(async (manager) => {
      // The same lock deleteEnrollmentProfile takes: a profile deleted meanwhile is a NOT_FOUND,
      // not a foreign-key failure.
      await manager.query(`SELECT 1 FROM dep_tokens WHERE id = $1 FOR UPDATE`, [tokenId]);
      if (profileId !== null && !(await manager.existsBy(EnrollmentProfileEntity, { id: profileId }))) throw notFound('Enrollment profile');
      await manager.update(DepTokenEntity, { id: tokenId }, { [DEFAULT_PROFILE_PROPERTIES[target]]: profileId });
    });
    return {
      token: await this.dataSource.getRepository(DepTokenEntity).findOneOrFail({ where: { id: tokenId }, relations: { scopeTags: true } }),
      platform: target,
    };
  }

  // ---------------------------------------------------------------- reads

  async findVisible(id: string, scope: AccessScope): Promise<EnrollmentProfileEntity | null> {
    const [found] = await this.findVisibleByIds([id], scope);
    return found ?? null;
  }

  async findVisibleByIds(ids: readonly string[], scope: AccessScope): Promise<EnrollmentProfileEntity[]> {
    if (ids.length === 0) return [];
    const qb = this.profiles.createQueryBuilder('p').where('p.id = ANY(CAST(:ids AS uuid[]))', { ids: [...ids] });
    return getEntities(scope.restrictTokens(qb, 'p.token_id'));
  }

  /** Base query of a profile listing (visible profiles). */
  listQuery(scope: AccessScope | null, alias = 'p') {
    const qb = this.profiles.createQueryBuilder(alias);
    return scope ? scope.restrictTokens(qb, `${alias}.token_id`) : qb;
  }

  /** Certificate ids per profile (upload order), one query. */
  async certificateIdsOf(profileIds: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(profileIds.map((id) => [id, []]));
    if (profileIds.length === 0) return map;
    const rows: { profile_id: string; certificate_id: string }[] = await this.dataSource.query(
      `SELECT pc.profile_id, pc.certificate_id FROM enrollment_profile_certificates pc
         JOIN apple_configurator_certificates c ON c.id = pc.certificate_id
        WHERE pc.profile_id = ANY($1::uuid[]) ORDER BY c.created_at, c.id`,
      [[...profileIds]],
    );
    rows.forEach((r) => map.get(r.profile_id)?.push(r.certificate_id));
    return map;
  }

  /** The default profile ids of each token, by platform, one query. */
  async defaultProfileIds(tokenIds: readonly string[]): Promise<Map<string, DefaultProfileIds>> {
    if (tokenIds.length === 0) return new Map();
    const tokens = await this.dataSource.getRepository(DepTokenEntity).find({ select: DEFAULT_PROFILES_SELECT, where: { id: In([...tokenIds]) } });
    return new Map(tokens.map((token) => [token.id, defaultProfileIdsOf(token)]));
  }

  /** Company Portal VPP token states for stored profiles (any scope: the profile already chose them). */
  /** VPP token states for profile warnings, as the caller may see them (an unseen token warns nothing). */
  vppTokenStates(ids: readonly string[], scope: AccessScope): Promise<Map<string, CompanyPortalVppTokenState>> {
    return this.vppLookup(ids, scope);
  }

  /** Profiles still on a token (TOKEN_IN_USE while any remain). */
  async countForToken(manager: EntityManager, tokenId: string): Promise<number> {
    return manager.countBy(EnrollmentProfileEntity, { tokenId });
  }

  // ---------------------------------------------------------------- helpers

  private async checkSettings(settings: EnrollmentProfileSettings, scope: AccessScope, keptVppTokenId: string | null, token: DepTokenEntity) {
    const certificates = await this.certificatesByIds(settings.appleConfiguratorCertificateIds);
    let vppToken: CompanyPortalVppTokenState | null = null;
    if (settings.companyPortalVppTokenId) {
      vppToken = (await this.vppLookup([settings.companyPortalVppTokenId], scope)).get(settings.companyPortalVppTokenId) ?? null;
    }
    assertProfileSettings(settings, {
      certificateCount: certificates.length,
      // A token that expired after the profile chose it does not block other edits (the warning says it).
      vppToken: vppToken && keptVppTokenId ? { expired: false } : vppToken,
      enrollmentUrl: effectiveEnrollmentUrl(token, this.config),
    });
    return { certificates, vppToken };
  }

  private async certificatesByIds(ids: readonly string[]): Promise<ConfiguratorCertificateEntity[]> {
    if (ids.length === 0) return [];
    const found = await this.dataSource
      .getRepository(ConfiguratorCertificateEntity)
      .createQueryBuilder('c')
      .where('c.id = ANY(CAST(:ids AS uuid[]))', { ids: [...ids] })
      .getMany();
    const byId = new Map(found.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id)).filter((c): c is ConfiguratorCertificateEntity => Boolean(c));
  }

  private appleJson(settings: EnrollmentProfileSettings, certificates: ConfiguratorCertificateEntity[], token: DepTokenEntity): DepProfile {
    // checkSettings refused a profile without an enrollment URL before this is reached.
    const enrollmentUrl = effectiveEnrollmentUrl(token, this.config) ?? '';
    return toAppleProfile(settings, { enrollmentUrl, certificatesDerBase64: certificates.map((c) => c.derBase64) });
  }

  private async defineAtApple(token: DepTokenEntity, appleJson: DepProfile): Promise<string> {
    try {
      const response = await this.clients.forToken(token).defineProfile(appleJson);
      return response.profile_uuid;
    } catch (error) {
      if (isAppleDepError(error)) throw appleDefineError(error);
      throw error;
    }
  }

  private async linkCertificates(manager: EntityManager, profileId: string, certificateIds: string[]): Promise<void> {
    if (certificateIds.length === 0) return;
    await manager.query(
      `INSERT INTO enrollment_profile_certificates (profile_id, certificate_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [profileId, certificateIds],
    );
  }

  private async findVisibleToken(tokenId: string, scope: AccessScope): Promise<DepTokenEntity | null> {
    const qb = this.dataSource.getRepository(DepTokenEntity).createQueryBuilder('t').where('t.id = :id', { id: tokenId });
    return scope.restrictTokens(qb, 't.id').getOne();
  }

  /**
   * Company Portal VPP tokens read from `vpp_tokens`: expired at its expiry or once Apple refused
   * it; low below VPP_LICENSES_LOW available licences or 10 % of the total. With a scope, only
   * tokens sharing one of the key's tags (VPP tokens carry their own tags).
   */
  private async vppTokensFromTable(ids: readonly string[], scope: AccessScope | null): Promise<Map<string, CompanyPortalVppTokenState>> {
    const map = new Map<string, CompanyPortalVppTokenState>();
    if (ids.length === 0) return map;
    const restricted = scope && !scope.unrestricted;
    const rows: { id: string; expires_at: Date; invalid_at: Date | null; cp_total_count: number | null; cp_available_count: number | null }[] =
      await this.dataSource.query(
        `SELECT v.id, v.expires_at, v.invalid_at, v.cp_total_count, v.cp_available_count FROM vpp_tokens v
          WHERE v.id = ANY($1::uuid[])
            ${restricted ? 'AND EXISTS (SELECT 1 FROM vpp_token_scope_tags vts WHERE vts.vpp_token_id = v.id AND vts.scope_tag_id = ANY($2::uuid[]))' : ''}`,
        restricted ? [[...ids], [...scope.scopeTagIds]] : [[...ids]],
      );
    const now = this.clock.now().getTime();
    for (const r of rows) {
      const available = r.cp_available_count;
      const total = r.cp_total_count ?? 0;
      map.set(r.id, {
        expired: r.invalid_at !== null || r.expires_at.getTime() <= now,
        licensesAvailable: available,
        low: available !== null && (available < this.config.vppLicensesLow || (total > 0 && available < total * 0.1)),
      });
    }
    return map;
  }
}

/** Apple refusing the profile JSON is the profile's own failure; the rest are Apple request failures. */
function appleDefineError(error: AppleDepError): DomainError | AppleRequestException {
  if (error.kind === AppleDepErrorKind.BAD_REQUEST) {
    return new DomainError(
      ErrorCode.PROFILE_REJECTED_BY_APPLE,
      `Apple refused the profile${error.appleCode ? ` (${error.appleCode})` : ''}; nothing was saved`,
      { appleCode: error.appleCode ?? null },
    );
  }
  return new AppleRequestException({ family: 'DEP', error, messages: appleActionMessages('define the profile') });
}

/** Apple TV and Vision Pro profiles have no user (profile-keys.ts); the others default to one. */
function defaultAffinityOf(platform: ProfilePlatform): UserAffinity {
  return platform === ProfilePlatform.IOS || platform === ProfilePlatform.MACOS ? DEFAULT_PROFILE_SETTINGS.userAffinity : UserAffinity.WITHOUT_USER;
}

/**
 * Defaults for a new profile; without a user nothing that needs one is on. Company Portal is an
 * iOS / iPadOS app: a Mac with a user authenticates in Setup Assistant.
 */
function defaultsFor(platform: ProfilePlatform, userAffinity: UserAffinity, name: string): EnrollmentProfileSettings {
  const base: EnrollmentProfileSettings = {
    ...DEFAULT_PROFILE_SETTINGS,
    platform,
    name,
    userAffinity,
    appleConfiguratorCertificateIds: [],
    hiddenSetupPanes: [],
    anchorCertificates: [],
  };
  if (userAffinity === UserAffinity.WITHOUT_USER) {
    return { ...base, authenticationMethod: null, installCompanyPortal: false, companyPortalVppTokenId: null, singleAppModeUntilAuthentication: false };
  }
  if (platform !== ProfilePlatform.IOS) {
    return { ...base, authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false, companyPortalVppTokenId: null };
  }
  return { ...base, authenticationMethod: AuthenticationMethod.COMPANY_PORTAL, installCompanyPortal: true };
}

/**
 * Anchor certificates as sent (PEM or base64 DER) -> base64 DER, as stored and sent to Apple. A
 * list longer than a profile takes is refused before any certificate is parsed.
 */
function withParsedAnchors(patch: ProfileSettingsPatch): ProfileSettingsPatch {
  const given = patch.anchorCertificates;
  if (given === undefined || given === null) return patch;
  if (given.length > MAX_ANCHOR_CERTIFICATES) {
    throw new ProfileRuleError(
      'ANCHOR_CERTIFICATES_TOO_MANY',
      `A profile carries at most ${MAX_ANCHOR_CERTIFICATES} anchor certificates; ${given.length} were given.`,
      { field: 'anchorCertificates' },
    );
  }
  const parsed = given.map((text, index) => {
    try {
      return parseConfiguratorCertificate(text).derBase64;
    } catch (error) {
      if (!(error instanceof ProfileRuleError)) throw error;
      throw new ProfileRuleError('ANCHOR_CERTIFICATE_INVALID', `Anchor certificate ${index + 1}: ${error.message}`, {
        field: 'anchorCertificates',
        reason: error.extensions.reason,
        index,
      });
    }
  });
  return { ...patch, anchorCertificates: parsed };
}

/**
 * Applies what the client sent: absent keeps the base value; null clears a field that may be
 * empty and keeps the base value of one that may not (booleans, enums, lists).
 */
function applyPatch(base: EnrollmentProfileSettings, patch: ProfileSettingsPatch): EnrollmentProfileSettings {
  const nullable = new Set<keyof EnrollmentProfileSettings>([
    'description',
    'authenticationMethod',
    'companyPortalVppTokenId',
    'deviceNameTemplate',
    'departmentName',
    'departmentPhone',
    'language',
    'region',
    'supportEmailAddress',
    'orgMagic',
    'configurationWebUrl',
  ]);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch) as [keyof EnrollmentProfileSettings, unknown][]) {
    if (value === undefined) continue;
    if (value === null && !nullable.has(key)) continue;
    out[key] = value;
  }
  return out as unknown as EnrollmentProfileSettings;
}

export function settingsOf(entity: EnrollmentProfileEntity, certificateIds: string[]): EnrollmentProfileSettings {
  return {
    name: entity.name,
    description: entity.description,
    userAffinity: entity.userAffinity as UserAffinity,
    authenticationMethod: entity.authenticationMethod as AuthenticationMethod | null,
    installCompanyPortal: entity.installCompanyPortal,
    companyPortalVppTokenId: entity.companyPortalVppTokenId,
    singleAppModeUntilAuthentication: entity.singleAppModeUntilAuthentication,
    supervised: entity.supervised,
    lockedEnrollment: entity.lockedEnrollment,
    awaitFinalConfiguration: entity.awaitFinalConfiguration,
    syncWithComputers: entity.syncWithComputers as SyncWithComputers,
    appleConfiguratorCertificateIds: certificateIds,
    deviceNameTemplate: entity.deviceNameTemplate,
    departmentName: entity.departmentName,
    departmentPhone: entity.departmentPhone,
    hiddenSetupPanes: entity.hiddenSetupPanes as SetupPane[],
    platform: entity.platform as ProfilePlatform,
    language: entity.language,
    region: entity.region,
    supportEmailAddress: entity.supportEmailAddress,
    orgMagic: entity.orgMagic,
    autoAdvanceSetup: entity.autoAdvanceSetup,
    configurationWebUrl: entity.configurationWebUrl,
    multiUser: entity.multiUser,
    anchorCertificates: entity.anchorCertificates,
    returnToService: entity.returnToService,
    doNotUseProfileFromBackup: entity.doNotUseProfileFromBackup,
  };
}

function columnsOf(settings: EnrollmentProfileSettings) {
  return {
    name: settings.name,
    description: settings.description,
    userAffinity: settings.userAffinity,
    authenticationMethod: settings.authenticationMethod,
    installCompanyPortal: settings.installCompanyPortal,
    companyPortalVppTokenId: settings.companyPortalVppTokenId,
    singleAppModeUntilAuthentication: settings.singleAppModeUntilAuthentication,
    supervised: settings.supervised,
    lockedEnrollment: settings.lockedEnrollment,
    awaitFinalConfiguration: settings.awaitFinalConfiguration,
    syncWithComputers: settings.syncWithComputers,
    deviceNameTemplate: settings.deviceNameTemplate,
    departmentName: settings.departmentName,
    departmentPhone: settings.departmentPhone,
    hiddenSetupPanes: settings.hiddenSetupPanes,
    platform: settings.platform,
    language: settings.language,
    region: settings.region,
    supportEmailAddress: settings.supportEmailAddress,
    orgMagic: settings.orgMagic,
    autoAdvanceSetup: settings.autoAdvanceSetup,
    configurationWebUrl: settings.configurationWebUrl,
    multiUser: settings.multiUser,
    anchorCertificates: settings.anchorCertificates,
    returnToService: settings.returnToService,
    doNotUseProfileFromBackup: settings.doNotUseProfileFromBackup,
  };
}
