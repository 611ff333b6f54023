/**
 * The DEP token lifecycle: key pair -> upload -> renew / update -> delete. Every refusal is a
 * DomainError with its own code, raised before anything is written, so a refused call changes
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { AppleRequestException } from '../apple/apple-request.exception';
import { isAppleDepError } from '../apple/dep-errors';
import type { DepAccount } from '../apple/dep.types';
import type { DepOAuthCredentials } from '../apple/dep-credentials';
import { validAppleId, validName } from '../apple-tokens/apple-token.input';
import type { AccessScope } from '../auth/access-scope';
import { addScopeTags, replaceScopeTags, resolveScopeTagIds } from '../auth/scope-tag-assignment';
import { DEP_TOKEN_TAGS } from '../auth/scope-tag-link';
import { ScopeTaggedReads } from '../auth/scope-tagged-reads';
import type { Principal } from '../auth/principal';
import type { Clock } from '../clock';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import type { SecretBox } from '../crypto/secret-box';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import { sealCredentials, type DepClientFactory } from './dep-client.factory';
import { generateVendorKeyPair } from './key-pair.crypto';
import { DepTokenKeyPairEntity } from './key-pair.entity';
import { decryptServerToken, isServerTokenExpired, TokenFileError, type ServerTokenPayload } from './token-file';
import { ACCOUNT_CHECK_MESSAGES, tokenFileDomainError } from './token.errors';
import { DepTokenEntity } from './token.entity';
import { validEnrollmentUrl } from '../profiles/enrollment-url';

/** Completes "appleId must be ...": a renewal must name the same Apple ID again. */
const APPLE_ID_WANTED = 'the Apple ID (an email address) used to create the token in the portal';

export const privateKeyContext = (keyPairId: string) => `dep_token_key_pair:${keyPairId}:private_key`;

export interface UploadTokenCommand {
  keyPairId: string;
  tokenFile: string;
  appleId: string;
  name?: string | null;
  scopeTagIds?: string[] | null;
}

export interface RenewTokenCommand {
  tokenId: string;
  tokenFile: string;
  appleId: string;
}

export interface UpdateTokenCommand {
  tokenId: string;
  name?: string | null;
  scopeTagIds?: string[] | null;
  /** An empty string clears it (profiles then use ENROLLMENT_URL). */
  enrollmentUrl?: string | null;
}

/** Something that still hangs off a token and keeps it from being deleted (profiles, devices). */
export interface TokenDependents {
  describe: string;
  count(manager: EntityManager, tokenId: string): Promise<number>;
  /** Once every count is zero, in the same transaction: removes leftovers that do not block (tombstones). */
  release?(manager: EntityManager, tokenId: string): Promise<void>;
}

/** `requestId`: the request that caused the change, lent to what follows from it (the audit trail's system events). */
export type TokenListener = (token: DepTokenEntity, cause?: { requestId: string | null }) => Promise<void> | void;

export interface DepTokenServiceOptions {
  keyPairTtlMs: number;
  /** A token's own enrollment URL must be https (where Apple is real). */
  enrollmentUrlHttpsOnly?: boolean;
}

export class DepTokenService extends ScopeTaggedReads<DepTokenEntity> {
  private readonly tokens: Repository<DepTokenEntity>;
  private readonly keyPairs: Repository<DepTokenKeyPairEntity>;
  private readonly dependents: TokenDependents[] = [];
  private readonly uploadListeners: TokenListener[] = [];
  private readonly renewListeners: TokenListener[] = [];
  private readonly updateListeners: TokenListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clients: DepClientFactory,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DepTokenServiceOptions,
  ) {
    super(dataSource, DepTokenEntity, DEP_TOKEN_TAGS, 't');
    this.tokens = dataSource.getRepository(DepTokenEntity);
    this.keyPairs = dataSource.getRepository(DepTokenKeyPairEntity);
  }

  /** Features whose rows hang off tokens register here so deletion is refused while they remain. */
  registerDependents(dependents: TokenDependents): void {
    this.dependents.push(dependents);
  }

  /** Called after a token is uploaded (the sync engine queues its first full sync). */
  onUploaded(listener: TokenListener): void {
    this.uploadListeners.push(listener);
  }

  /** Called after a token is renewed (alerts re-evaluate its expiry at once). */
  onRenewed(listener: TokenListener): void {
    this.renewListeners.push(listener);
  }

  /** Called after a token's name or scope tags changed (depTokenChanged). */
  onUpdated(listener: TokenListener): void {
    this.updateListeners.push(listener);
  }

  // ---------------------------------------------------------------- key pairs

  async createKeyPair(dataSharingConsent: boolean, principal: Principal): Promise<DepTokenKeyPairEntity> {
    if (dataSharingConsent !== true) {
      throw new DomainError(
        ErrorCode.DATA_SHARING_CONSENT_REQUIRED,
        'Consent to sending user and device data to Apple is required before the public key is handed out',
        { field: 'dataSharingConsent' },
      );
    }
    const now = this.clock.now();
    const id = randomUUID();
    const generated = generateVendorKeyPair({ now, commonName: `depgate DEP ${id.slice(0, 8)}` });
    return this.keyPairs.save(
      this.keyPairs.create({
        id,
        certificatePem: generated.certificatePem,
        certificateSerial: generated.serialNumber,
        privateKeySealed: this.box.seal(generated.privateKeyPem, privateKeyContext(id)),
        dataSharingConsentAt: now,
        createdByApiKeyId: principal.apiKeyId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.options.keyPairTtlMs),
        usedAt: null,
      }),
    );
  }

  async findKeyPairs(ids: readonly string[]): Promise<DepTokenKeyPairEntity[]> {
    return ids.length ? this.keyPairs.find({ where: { id: In([...ids]) } }) : [];
  }

  // ---------------------------------------------------------------- upload

  async upload(command: UploadTokenCommand, principal: Principal, scope: AccessScope, requestId: string | null = null): Promise<DepTokenEntity> {
    const appleId = validAppleId(command.appleId, APPLE_ID_WANTED);
    const name = command.name == null ? null : validName(command.name);
    const scopeTagIds = await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);

    const keyPair = await this.keyPairs.findOne({ where: { id: command.keyPairId } });
    if (!keyPair) throw notFound('Key pair');
    if (keyPair.usedAt) {
      throw new DomainError(ErrorCode.TOKEN_KEY_PAIR_USED, 'This key pair already belongs to a token: renew that token, or create a new key pair');
    }
    const now = this.clock.now();
    if (keyPair.expiresAt.getTime() <= now.getTime()) {
      throw new DomainError(
        ErrorCode.TOKEN_KEY_PAIR_EXPIRED,
        'This key pair expired before a token was uploaded: create a new key pair and upload its certificate to Apple again',
      );
    }

    const payload = this.decrypt(command.tokenFile, keyPair);
    const account = await this.fetchAccount(payload);

    const existing = await this.tokens.findOne({ where: { serverUuid: account.server_uuid }, relations: { scopeTags: true } });
    if (existing) {
      const visible = scope.canSeeTokenWithTags((existing.scopeTags ?? []).map((t) => t.id));
      throw new DomainError(
        ErrorCode.TOKEN_ALREADY_REGISTERED,
        `The MDM server "${account.server_name}" is already registered here: renew that token instead`,
        visible ? { tokenId: existing.id } : {},
      );
    }

    const id = randomUUID();
    const token = this.tokens.create({
      id,
      keyPairId: keyPair.id,
      name: name ?? account.server_name ?? 'DEP token',
      appleId,
      ...accountFields(account),
      consumerKey: payload.consumerKey,
      credentialsSealed: sealCredentials(this.box, id, toCredentials(payload)),
      expiresAt: payload.accessTokenExpiry,
      termsNotAcceptedAt: null,
      rejectedAt: null,
      lastSyncTriggeredAt: null,
      lastSuccessfulSyncAt: null,
      lastSyncError: null,
      syncedDeviceCount: 0,
      defaultProfileId: null,
      defaultMacosProfileId: null,
      defaultTvosProfileId: null,
      defaultVisionosProfileId: null,
      renewedAt: null,
      createdAt: now,
      updatedAt: now,
    });

    try {
      await this.dataSource.transaction(async (manager) => {
        // Conditional: two uploads racing on one key pair cannot both win.
        const claimed = await manager
          .createQueryBuilder()
          .update(DepTokenKeyPairEntity)
          .set({ usedAt: now })
          .where('id = :id AND used_at IS NULL', { id: keyPair.id })
          .execute();
        if (!claimed.affected) {
          throw new DomainError(ErrorCode.TOKEN_KEY_PAIR_USED, 'This key pair was used by another upload a moment ago');
        }
        await manager.insert(DepTokenEntity, token);
        await addScopeTags(manager, DEP_TOKEN_TAGS, id, scopeTagIds);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.TOKEN_ALREADY_REGISTERED, 'This MDM server was registered by another upload a moment ago');
      }
      throw error;
    }

    const saved = await this.findWithTags(id);
    this.logger.info({ tokenId: id, serverUuid: saved.serverUuid, byApiKeyId: principal.apiKeyId }, 'DEP token uploaded');
    for (const listener of this.uploadListeners) await listener(saved, { requestId });
    return saved;
  }

  // ---------------------------------------------------------------- renew

  async renew(command: RenewTokenCommand, scope: AccessScope): Promise<DepTokenEntity> {
    const token = await this.findVisible(command.tokenId, scope);
    if (!token) throw notFound('DEP token');
    const appleId = validAppleId(command.appleId, APPLE_ID_WANTED);
    if (appleId.toLowerCase() !== token.appleId.toLowerCase()) {
      throw new DomainError(
        ErrorCode.APPLE_ID_MISMATCH,
        'Enter the Apple ID that created the original token (it is recorded on the token); another Apple ID cannot renew it',
        { field: 'appleId' },
      );
    }
    const keyPair = await this.keyPairs.findOneOrFail({ where: { id: token.keyPairId } });
    const payload = this.decrypt(command.tokenFile, keyPair);
    const account = await this.fetchAccount(payload);
    if (account.server_uuid !== token.serverUuid) {
      throw new DomainError(
        ErrorCode.TOKEN_SERVER_MISMATCH,
        `This token file belongs to another MDM server ("${account.server_name}"): download the token of "${token.serverName ?? token.name}"`,
      );
    }
    const now = this.clock.now();
    await this.tokens.update(
      { id: token.id },
      {
        ...accountFields(account),
        consumerKey: payload.consumerKey,
        credentialsSealed: sealCredentials(this.box, token.id, toCredentials(payload)),
        expiresAt: payload.accessTokenExpiry,
        termsNotAcceptedAt: null,
        rejectedAt: null,
        renewedAt: now,
        updatedAt: now,
      },
    );
    this.clients.forget(token.id);
    this.logger.info({ tokenId: token.id, expiresAt: payload.accessTokenExpiry }, 'DEP token renewed');
    const saved = await this.findWithTags(token.id);
    for (const listener of this.renewListeners) await listener(saved);
    return saved;
  }

  // ---------------------------------------------------------------- update, delete

  async update(command: UpdateTokenCommand, scope: AccessScope): Promise<DepTokenEntity> {
    const token = await this.findVisible(command.tokenId, scope);
    if (!token) throw notFound('DEP token');
    const name = command.name == null ? undefined : validName(command.name);
    const enrollmentUrl =
      command.enrollmentUrl == null ? undefined : command.enrollmentUrl.trim() === '' ? null : validEnrollmentUrl(command.enrollmentUrl, this.options.enrollmentUrlHttpsOnly === true);
    const scopeTagIds = command.scopeTagIds == null ? undefined : await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        DepTokenEntity,
        { id: token.id },
        { ...(name ? { name } : {}), ...(enrollmentUrl !== undefined ? { enrollmentUrl } : {}), updatedAt: this.clock.now() },
      );
      if (scopeTagIds) {
        await replaceScopeTags(manager, DEP_TOKEN_TAGS, token.id, scopeTagIds, scope);
      }
    });
    const saved = await this.findWithTags(token.id);
    for (const listener of this.updateListeners) await listener(saved);
    return saved;
  }

  async delete(tokenId: string, scope: AccessScope): Promise<string> {
    const token = await this.findVisible(tokenId, scope);
    if (!token) throw notFound('DEP token');
    await this.dataSource.transaction(async (manager) => {
      // Lock the token so a profile or device cannot be added between the check and the delete.
      await manager.query(`SELECT 1 FROM dep_tokens WHERE id = $1 FOR UPDATE`, [token.id]);
      for (const dependents of this.dependents) {
        const count = await dependents.count(manager, token.id);
        if (count > 0) {
          throw new DomainError(
            ErrorCode.TOKEN_IN_USE,
            `This token still has ${count} ${dependents.describe}: remove them before deleting the token`,
            { dependents: dependents.describe, count },
          );
        }
      }
      for (const dependents of this.dependents) await dependents.release?.(manager, token.id);
      await manager.delete(DepTokenEntity, { id: token.id });
      // The private key is only useful for this token's renewals: it goes with it.
      await manager.delete(DepTokenKeyPairEntity, { id: token.keyPairId });
    });
    this.clients.forget(token.id);
    return token.id;
  }

  // ---------------------------------------------------------------- reads

  // findVisible, findVisibleByIds, listQuery and scopeTagIdsByToken: see ScopeTaggedReads.

  // ---------------------------------------------------------------- helpers

  private decrypt(tokenFile: string, keyPair: DepTokenKeyPairEntity): ServerTokenPayload {
    if (typeof tokenFile !== 'string' || tokenFile.trim() === '') {
      throw new DomainError(ErrorCode.TOKEN_FILE_UNREADABLE, 'tokenFile is empty: paste the .p7m file text or its base64', { field: 'tokenFile' });
    }
    let payload: ServerTokenPayload;
    try {
      const privateKeyPem = this.box.open(keyPair.privateKeySealed, privateKeyContext(keyPair.id));
      payload = decryptServerToken(tokenFile, privateKeyPem, keyPair.certificatePem);
    } catch (error) {
      if (error instanceof TokenFileError) throw tokenFileDomainError(error);
      throw error;
    }
    if (isServerTokenExpired(payload, this.clock.now())) {
      throw new DomainError(
        ErrorCode.TOKEN_EXPIRED,
        `This token expired on ${payload.accessTokenExpiry.toISOString()}: download a new token from the portal`,
        { expiredAt: payload.accessTokenExpiry.toISOString() },
      );
    }
    return payload;
  }

  private async fetchAccount(payload: ServerTokenPayload): Promise<DepAccount> {
    try {
      return await this.clients.forCredentials(toCredentials(payload)).getAccount();
    } catch (error) {
      if (isAppleDepError(error)) throw new AppleRequestException({ family: 'DEP', error, messages: ACCOUNT_CHECK_MESSAGES });
      throw error;
    }
  }

}

function toCredentials(payload: ServerTokenPayload): DepOAuthCredentials {
  return {
    consumerKey: payload.consumerKey,
    consumerSecret: payload.consumerSecret,
    accessToken: payload.accessToken,
    accessSecret: payload.accessSecret,
    accessTokenExpiry: payload.accessTokenExpiry.toISOString(),
  };
}

function accountFields(account: DepAccount) {
  return {
    orgName: account.org_name ?? null,
    orgEmail: account.org_email ?? null,
    orgId: account.org_id ?? null,
    serverName: account.server_name ?? null,
    serverUuid: account.server_uuid,
    tokenType: account.org_type === 'edu' ? ('ASM' as const) : ('DEP' as const),
  };
}
