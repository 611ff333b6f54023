/**
 * Apple School and Business API accounts: connect (proved with Apple before anything is stored),
 * rename / retag, disconnect. The private key and the client assertion are sealed at rest and
 * never leave the service; every refusal happens before anything is written.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { AppleBusinessError, type BusinessScope } from '../apple/business-client';
import { validName } from '../apple-tokens/apple-token.input';
import type { AccessScope } from '../auth/access-scope';
import type { Principal } from '../auth/principal';
import { addScopeTags, replaceScopeTags, resolveScopeTagIds } from '../auth/scope-tag-assignment';
import { APPLE_BUSINESS_ACCOUNT_TAGS } from '../auth/scope-tag-link';
import { ScopeTaggedReads } from '../auth/scope-tagged-reads';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { DomainError, badInput, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import { AppleBusinessAccountEntity } from './account.entity';
import { businessDomainError } from './account.errors';
import { parseAccountKey } from './account-key';
import { assertionContext, privateKeyContext, type BusinessClientFactory } from './business-client.factory';

export interface ConnectAccountCommand {
  name: string;
  clientId: string;
  keyId: string;
  privateKeyPem: string;
  scope: BusinessScope;
  scopeTagIds?: string[] | null;
}

export interface UpdateAccountCommand {
  accountId: string;
  name?: string | null;
  scopeTagIds?: string[] | null;
}

export type AccountListener = (account: AppleBusinessAccountEntity) => Promise<void> | void;

const CLIENT_ID = /^(BUSINESSAPI|SCHOOLAPI)\.[A-Za-z0-9-]{1,100}$/;
const KEY_ID = /^[A-Za-z0-9-]{1,100}$/;

export class AppleBusinessAccountService extends ScopeTaggedReads<AppleBusinessAccountEntity> {
  private readonly accounts: Repository<AppleBusinessAccountEntity>;
  private readonly connectedListeners: AccountListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    readonly clients: BusinessClientFactory,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super(dataSource, AppleBusinessAccountEntity, APPLE_BUSINESS_ACCOUNT_TAGS, 'ba');
    this.accounts = dataSource.getRepository(AppleBusinessAccountEntity);
  }

  /** Called after an account is connected (the first inventory mirror starts there). */
  onConnected(listener: AccountListener): void {
    this.connectedListeners.push(listener);
  }

  async connect(command: ConnectAccountCommand, principal: Principal, scope: AccessScope): Promise<AppleBusinessAccountEntity> {
    const name = validName(command.name);
    const clientId = (command.clientId ?? '').trim();
    if (!CLIENT_ID.test(clientId)) throw badInput('clientId must be the Client ID the portal shows (BUSINESSAPI.<uuid> or SCHOOLAPI.<uuid>)', 'clientId');
    const keyId = (command.keyId ?? '').trim();
    if (!KEY_ID.test(keyId)) throw badInput('keyId must be the Key ID the portal shows (a UUID)', 'keyId');
    const expectedPrefix = command.scope === 'SCHOOL' ? 'SCHOOLAPI.' : 'BUSINESSAPI.';
    if (!clientId.startsWith(expectedPrefix)) {
      throw new DomainError(ErrorCode.APPLE_BUSINESS_SCOPE_MISMATCH, `A ${command.scope} account's client ID starts with ${expectedPrefix}`, { field: 'scope' });
    }
    const { pkcs8Pem } = parseAccountKey(command.privateKeyPem);
    const scopeTagIds = await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    if (await this.accounts.exists({ where: { clientId } })) {
      throw new DomainError(ErrorCode.APPLE_BUSINESS_ACCOUNT_EXISTS, 'This API account is already connected', { field: 'clientId' });
    }

    // Proof before storing: an access token, then the organisation's MDM servers.
    const { api, assertion } = this.clients.forNewAccount({ clientId, keyId, scope: command.scope, privateKeyPkcs8Pem: pkcs8Pem });
    try {
      await api.mdmServers();
    } catch (error) {
      throw businessDomainError(error, 'connecting the account');
    }
    const made = await assertion();

    const id = randomUUID();
    const now = this.clock.now();
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(AppleBusinessAccountEntity, {
          id,
          name,
          clientId,
          keyId,
          scope: command.scope,
          privateKeySealed: this.box.seal(pkcs8Pem, privateKeyContext(id)),
          assertionSealed: this.box.seal(made.jwt, assertionContext(id)),
          assertionExpiresAt: made.expiresAt,
          refusedAt: null,
          refusedReason: null,
          inventorySyncedAt: null,
          inventorySyncError: null,
          createdAt: now,
          updatedAt: now,
        });
        await addScopeTags(manager, APPLE_BUSINESS_ACCOUNT_TAGS, id, scopeTagIds);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.APPLE_BUSINESS_ACCOUNT_EXISTS, 'This API account was connected a moment ago', { field: 'clientId' });
      }
      throw error;
    }
    this.logger.info({ appleBusinessAccountId: id, scope: command.scope, byApiKeyId: principal.apiKeyId }, 'Apple Business API account connected');
    const saved = await this.findWithTags(id);
    for (const listener of this.connectedListeners) await listener(saved);
    return saved;
  }

  async update(command: UpdateAccountCommand, scope: AccessScope): Promise<AppleBusinessAccountEntity> {
    const account = await this.findVisible(command.accountId, scope);
    if (!account) throw notFound('Apple Business account');
    const name = command.name == null ? undefined : validName(command.name);
    const tags = command.scopeTagIds == null ? null : await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(AppleBusinessAccountEntity, { id: account.id }, { ...(name ? { name } : {}), updatedAt: this.clock.now() });
      if (tags) await replaceScopeTags(manager, APPLE_BUSINESS_ACCOUNT_TAGS, account.id, tags, scope);
    });
    return this.findWithTags(account.id);
  }

  /** Forgets the account, its inventory mirror and its activities (nothing changes at Apple). */
  async disconnect(accountId: string, scope: AccessScope): Promise<string> {
    const account = await this.findVisible(accountId, scope);
    if (!account) throw notFound('Apple Business account');
    await this.accounts.delete({ id: account.id });
    this.clients.forget(account.id);
    this.logger.info({ appleBusinessAccountId: account.id }, 'Apple Business API account disconnected');
    return account.id;
  }

  async requireVisible(accountId: string, scope: AccessScope): Promise<AppleBusinessAccountEntity> {
    const account = await this.findVisible(accountId, scope);
    if (!account) throw notFound('Apple Business account');
    return account;
  }

  async findByIds(ids: readonly string[]): Promise<AppleBusinessAccountEntity[]> {
    return ids.length ? this.accounts.createQueryBuilder('a').where('a.id = ANY(:ids)', { ids: [...ids] }).getMany() : [];
  }

  async all(): Promise<AppleBusinessAccountEntity[]> {
    return this.accounts.find({ order: { createdAt: 'ASC' } });
  }

  /**
   * Runs an Apple call for a stored account: Apple refusing the account (invalid_client) is
   * recorded on it (and alerted); a later success clears it. Failures become DomainErrors.
   */
  async withApple<T>(account: AppleBusinessAccountEntity, doing: string, call: (api: ReturnType<BusinessClientFactory['forAccount']>) => Promise<T>): Promise<T> {
    try {
      const result = await call(this.clients.forAccount(account));
      if (account.refusedAt) await this.accounts.update({ id: account.id }, { refusedAt: null, refusedReason: null, updatedAt: this.clock.now() });
      return result;
    } catch (error) {
      if (error instanceof AppleBusinessError && error.kind === 'INVALID_CLIENT' && !account.refusedAt) {
        await this.accounts.update({ id: account.id }, { refusedAt: this.clock.now(), refusedReason: 'invalid_client', updatedAt: this.clock.now() });
        this.logger.warn({ appleBusinessAccountId: account.id }, 'Apple refused the Apple Business API account');
        for (const listener of this.refusedListeners) await listener(account);
      }
      throw businessDomainError(error, doing);
    }
  }

  private readonly refusedListeners: AccountListener[] = [];

  onRefused(listener: AccountListener): void {
    this.refusedListeners.push(listener);
  }
}
