/**
 * Apple School and Business API accounts: connect (proved with Apple before anything is stored),
 * rename / retag / replace the key (proved the same way), disconnect. The private key and the
 * client assertion are sealed at rest and never leave the service; every refusal of a mutation
 * happens before anything is written.
 *
 * Apple refusing a stored account is recorded on it by every call made through `withApple` (the
 * inventory mirror, activity polls, mutations), and the scheduled `renewAssertions` pass renews
 * and proves the assertions of idle accounts too. Each change of what the account's alerts depend
 * on (connect, update, refusal, its end, a renewal's outcome) is told to `onChanged` listeners.
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
import { ASSERTION_RENEW_BEFORE_MS, assertionContext, privateKeyContext, type BusinessClientFactory } from './business-client.factory';

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
  /** A new key of the same API account (the portal's "Generate Private Key"): both or neither. */
  keyId?: string | null;
  privateKeyPem?: string | null;
}

export type AccountListener = (account: AppleBusinessAccountEntity) => Promise<void> | void;

const CLIENT_ID = /^(BUSINESSAPI|SCHOOLAPI)\.[A-Za-z0-9-]{1,100}$/;
const KEY_ID = /^[A-Za-z0-9-]{1,100}$/;

function validKeyId(value: string | null | undefined): string {
  const keyId = (value ?? '').trim();
  if (!KEY_ID.test(keyId)) throw badInput('keyId must be the Key ID the portal shows (a UUID)', 'keyId');
  return keyId;
}

/**
 * Whether an error means Apple refuses the account itself (and what it answered), rather than one
 * request: invalid_client or invalid_scope from the token endpoint, a 401 even with a new access
 * token, or a 403 to a read even with a new one (every read depgate makes is open to both products,
 * while a 403 to a write can be about that write, e.g. a School account changing a server).
 */
export function refusalOf(error: unknown): string | null {
  if (!(error instanceof AppleBusinessError)) return null;
  switch (error.kind) {
    case 'INVALID_CLIENT':
      return 'invalid_client';
    case 'INVALID_SCOPE':
      return 'invalid_scope';
    case 'UNAUTHORIZED':
      return `HTTP 401 to ${error.endpoint ?? 'a request'} with a new access token`;
    case 'FORBIDDEN':
      return error.endpoint?.startsWith('GET ') ? `HTTP 403 to ${error.endpoint} with a new access token` : null;
    default:
      return null;
  }
}

export class AppleBusinessAccountService extends ScopeTaggedReads<AppleBusinessAccountEntity> {
  private readonly accounts: Repository<AppleBusinessAccountEntity>;
  private readonly connectedListeners: AccountListener[] = [];
  private readonly changedListeners: AccountListener[] = [];

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

  /**
   * Called after anything its alerts depend on changed: connected, updated, refused by Apple,
   * accepted again, an assertion renewed or its renewal failed. Listeners' failures are logged,
   * never the caller's error (the scheduled alert pass catches up).
   */
  onChanged(listener: AccountListener): void {
    this.changedListeners.push(listener);
  }

  private async changed(accountId: string): Promise<void> {
    if (this.changedListeners.length === 0) return;
    const account = await this.accounts.findOneBy({ id: accountId });
    if (!account) return;
    for (const listener of this.changedListeners) {
      try {
        await listener(account);
      } catch (err) {
        this.logger.error({ appleBusinessAccountId: accountId, err: { message: (err as Error).message } }, 'Apple Business account listener failed');
      }
    }
  }

  async connect(command: ConnectAccountCommand, principal: Principal, scope: AccessScope): Promise<AppleBusinessAccountEntity> {
    const name = validName(command.name);
    const clientId = (command.clientId ?? '').trim();
    if (!CLIENT_ID.test(clientId)) throw badInput('clientId must be the Client ID the portal shows (BUSINESSAPI.<uuid> or SCHOOLAPI.<uuid>)', 'clientId');
    const keyId = validKeyId(command.keyId);
    const expectedPrefix = command.scope === 'SCHOOL' ? 'SCHOOLAPI.' : 'BUSINESSAPI.';
    if (!clientId.startsWith(expectedPrefix)) {
      throw new DomainError(ErrorCode.APPLE_BUSINESS_SCOPE_MISMATCH, `A ${command.scope} account's client ID starts with ${expectedPrefix}`, { field: 'scope' });
    }
    const { pkcs8Pem } = parseAccountKey(command.privateKeyPem);
    const scopeTagIds = await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    if (await this.accounts.exists({ where: { clientId } })) {
      throw new DomainError(ErrorCode.APPLE_BUSINESS_ACCOUNT_EXISTS, 'This API account is already connected', { field: 'clientId' });
    }

    const made = await this.proveKey({ clientId, keyId, scope: command.scope, privateKeyPkcs8Pem: pkcs8Pem }, 'connecting the account');

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
          ...this.sealedKey(id, pkcs8Pem, made),
          refusedAt: null,
          refusedReason: null,
          assertionRenewalError: null,
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
    await this.changed(id);
    return saved;
  }

  async update(command: UpdateAccountCommand, scope: AccessScope): Promise<AppleBusinessAccountEntity> {
    const account = await this.findVisible(command.accountId, scope);
    if (!account) throw notFound('Apple Business account');
    const name = command.name == null ? undefined : validName(command.name);
    const tags = command.scopeTagIds == null ? null : await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    if ((command.keyId == null) !== (command.privateKeyPem == null)) {
      throw badInput('Give keyId and privateKeyPem together (the Key ID the portal shows for the new key)', command.keyId == null ? 'keyId' : 'privateKeyPem');
    }
    // A new key is proved like a connect before it replaces the old one.
    let key: { keyId: string; pkcs8Pem: string; assertion: { jwt: string; expiresAt: Date } } | null = null;
    if (command.keyId != null && command.privateKeyPem != null) {
      const keyId = validKeyId(command.keyId);
      const { pkcs8Pem } = parseAccountKey(command.privateKeyPem);
      const assertion = await this.proveKey({ clientId: account.clientId, keyId, scope: account.scope, privateKeyPkcs8Pem: pkcs8Pem }, 'checking the new key');
      key = { keyId, pkcs8Pem, assertion };
    }
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        AppleBusinessAccountEntity,
        { id: account.id },
        {
          ...(name ? { name } : {}),
          ...(key
            ? {
                keyId: key.keyId,
                ...this.sealedKey(account.id, key.pkcs8Pem, key.assertion),
                assertionRenewalError: null,
                // Apple just accepted the account.
                refusedAt: null,
                refusedReason: null,
              }
            : {}),
          updatedAt: now,
        },
      );
      if (tags) await replaceScopeTags(manager, APPLE_BUSINESS_ACCOUNT_TAGS, account.id, tags, scope);
    });
    if (key) {
      // The old key's access token and any assertion signed with it are forgotten.
      this.clients.forget(account.id);
      this.logger.info({ appleBusinessAccountId: account.id, keyId: key.keyId }, 'Apple Business API account key replaced');
    }
    await this.changed(account.id);
    return this.findWithTags(account.id);
  }

  /**
   * Proof before storing a key (connect, or a new key): an access token, then the organisation's
   * MDM servers. The assertion that got the token, to store with the key.
   */
  private async proveKey(input: Parameters<BusinessClientFactory['forNewAccount']>[0], doing: string): Promise<{ jwt: string; expiresAt: Date }> {
    const { api, assertion } = this.clients.forNewAccount(input);
    try {
      await api.mdmServers();
    } catch (error) {
      throw businessDomainError(error, doing);
    }
    return assertion();
  }

  /** The columns of a proved key and its assertion, sealed to the account's row. */
  private sealedKey(accountId: string, pkcs8Pem: string, assertion: { jwt: string; expiresAt: Date }) {
    return {
      privateKeySealed: this.box.seal(pkcs8Pem, privateKeyContext(accountId)),
      assertionSealed: this.box.seal(assertion.jwt, assertionContext(accountId)),
      assertionExpiresAt: assertion.expiresAt,
    };
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
   * Runs an Apple call for a stored account: Apple refusing the account (refusalOf) is recorded on
   * it, and the next call Apple answers clears it (both told to onChanged). Failures become
   * DomainErrors. Both updates are conditional on the stored state, not on `account` (loaded at a
   * job's start, it may be stale).
   */
  async withApple<T>(account: AppleBusinessAccountEntity, doing: string, call: (api: ReturnType<BusinessClientFactory['forAccount']>) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call(this.clients.forAccount(account));
    } catch (error) {
      const reason = refusalOf(error);
      if (reason) await this.recordRefusal(account, reason);
      throw businessDomainError(error, doing);
    }
    await this.clearRefusal(account);
    return result;
  }

  private async recordRefusal(account: AppleBusinessAccountEntity, reason: string): Promise<void> {
    const now = this.clock.now();
    const [, affected] = await this.dataSource.query(
      `UPDATE apple_business_accounts SET refused_at = $2, refused_reason = $3, updated_at = $2 WHERE id = $1 AND refused_at IS NULL`,
      [account.id, now, reason],
    );
    account.refusedAt ??= now;
    account.refusedReason ??= reason;
    if (!(Number(affected) > 0)) return;
    this.logger.warn({ appleBusinessAccountId: account.id, reason }, 'Apple refused the Apple Business API account');
    await this.changed(account.id);
  }

  private async clearRefusal(account: AppleBusinessAccountEntity): Promise<void> {
    const [, affected] = await this.dataSource.query(
      `UPDATE apple_business_accounts SET refused_at = NULL, refused_reason = NULL, updated_at = $2 WHERE id = $1 AND refused_at IS NOT NULL`,
      [account.id, this.clock.now()],
    );
    account.refusedAt = null;
    account.refusedReason = null;
    if (!(Number(affected) > 0)) return;
    this.logger.info({ appleBusinessAccountId: account.id }, 'Apple accepts the Apple Business API account again');
    await this.changed(account.id);
  }

  // ---------------------------------------------------------------- assertion renewal

  /**
   * The scheduled pass: every account whose assertion is missing or within the renewal window gets
   * a new one, proved with Apple before it is stored (so idle accounts renew too, and a refused key
   * is noticed while the old assertion still works).
   */
  async renewAssertions(signal?: AbortSignal): Promise<{ due: number; renewed: number; failed: number }> {
    const due = await this.accounts
      .createQueryBuilder('a')
      .where('a.assertion_expires_at IS NULL OR a.assertion_expires_at <= :until', { until: new Date(this.clock.now().getTime() + ASSERTION_RENEW_BEFORE_MS) })
      .orderBy('a.assertion_expires_at', 'ASC', 'NULLS FIRST')
      .getMany();
    let renewed = 0;
    let failed = 0;
    for (const account of due) {
      if (signal?.aborted) break;
      if (await this.renewAssertion(account)) renewed++;
      else failed++;
    }
    return { due: due.length, renewed, failed };
  }

  /**
   * One account's renewal; its failure is kept (assertion_renewal_error) for the alert's message,
   * and cleared with the renewed assertion's store (the factory's, as for a renewal on use).
   */
  async renewAssertion(account: AppleBusinessAccountEntity): Promise<boolean> {
    let error: string | null = null;
    try {
      await this.withApple(account, 'renewing the client assertion', () => this.clients.renewAssertion(account));
      this.logger.info({ appleBusinessAccountId: account.id }, 'Apple Business client assertion renewed');
    } catch (e) {
      error = e instanceof DomainError ? e.message : `a new assertion could not be made (${(e as Error).message})`;
      this.logger.warn({ appleBusinessAccountId: account.id, err: { message: error } }, 'Apple Business client assertion not renewed');
      await this.accounts.update({ id: account.id }, { assertionRenewalError: error.slice(0, 500) });
    }
    await this.changed(account.id);
    return error === null;
  }
}
