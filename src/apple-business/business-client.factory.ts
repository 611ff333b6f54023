/**
 * Builds School and Business API clients for stored accounts. The client assertion is kept (sealed)
 * on the account and reused until ASSERTION_RENEW_BEFORE_MS before it expires (Apple lets one be
 * reused for its whole life, at most 180 days); the hour-long access token and the in-flight limit
 * live in a per-account session in memory, so every call of one account on this instance shares them.
 *
 * A renewed assertion replaces the stored one only once Apple has issued an access token for it
 * (on use, or in the scheduled renewal that proves it at once): while Apple refuses the key, the
 * stored assertion keeps its date and the APPLE_BUSINESS_ASSERTION_* alerts count down to it.
 */
import type { DataSource } from 'typeorm';
import { BusinessApi } from '../apple/business-api';
import { BusinessClient, BusinessSession, signClientAssertion, type BusinessAssertion, type BusinessScope } from '../apple/business-client';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../apple/backoff';
import type { ExchangeObserver } from '../apple/http-exchange';
import { systemSleep, type Clock, type Sleep } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { AppleBusinessAccountEntity } from './account.entity';
import { openAccountKey } from './account-key';

/** A new assertion is made this long before the stored one expires. */
export const ASSERTION_RENEW_BEFORE_MS = 30 * 86_400_000;

export const privateKeyContext = (accountId: string) => `apple_business_account:${accountId}:private_key`;
export const assertionContext = (accountId: string) => `apple_business_account:${accountId}:assertion`;

export interface BusinessClientTuning {
  timeoutMs?: number;
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  observe?: ExchangeObserver;
}

export interface BusinessUrls {
  business: string;
  school: string;
  token: string;
}

export class BusinessClientFactory {
  private readonly sessions = new Map<string, BusinessSession>();
  /** Assertions signed on use and not yet accepted by Apple, per account (stored once accepted). */
  private readonly pending = new Map<string, BusinessAssertion>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly urls: BusinessUrls,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly tuning: BusinessClientTuning = {},
  ) {}

  /** A client for an account not stored yet (the connect check): its own session, a fresh assertion. */
  forNewAccount(input: { clientId: string; keyId: string; scope: BusinessScope; privateKeyPkcs8Pem: string }): { api: BusinessApi; assertion: () => Promise<{ jwt: string; expiresAt: Date }> } {
    let made: { jwt: string; expiresAt: Date } | undefined;
    const assertion = async () =>
      (made ??= await signClientAssertion({ clientId: input.clientId, keyId: input.keyId, privateKey: openAccountKey(input.privateKeyPkcs8Pem), now: this.clock.now() }));
    const client = this.client(input.clientId, input.scope, async () => (await assertion()).jwt, new BusinessSession());
    return { api: new BusinessApi(client), assertion };
  }

  forAccount(account: AppleBusinessAccountEntity): BusinessApi {
    return new BusinessApi(
      this.client(account.clientId, account.scope, () => this.assertionFor(account.id), this.sessionOf(account.id), (jwt) => this.accepted(account.id, jwt)),
    );
  }

  /**
   * A new assertion for the account, proved with Apple (an access token is requested with it) and
   * then stored: the scheduled renewal, so that an idle account renews too and a refused key is
   * noticed before the old assertion runs out. Throws the AppleBusinessError of the token request.
   */
  async renewAssertion(account: AppleBusinessAccountEntity): Promise<BusinessAssertion> {
    // The stored key, not `account`'s: a pass reads its accounts at its start, a key may be replaced since.
    const made = await this.sign(await this.dataSource.getRepository(AppleBusinessAccountEntity).findOneByOrFail({ id: account.id }));
    // Its own session: a token request of the account already in flight (the old assertion) must not stand in for the proof.
    const proof = new BusinessSession();
    await this.client(account.clientId, account.scope, async () => made.jwt, proof).accessToken(true);
    await this.store(account.id, made);
    this.pending.delete(account.id);
    if (proof.accessToken) this.sessionOf(account.id).accessToken = proof.accessToken;
    return made;
  }

  /** Forgets the session of a disconnected or changed account. */
  forget(accountId: string): void {
    this.sessions.delete(accountId);
    this.pending.delete(accountId);
  }

  private sessionOf(accountId: string): BusinessSession {
    let session = this.sessions.get(accountId);
    if (!session) {
      session = new BusinessSession();
      this.sessions.set(accountId, session);
    }
    return session;
  }

  private client(clientId: string, scope: BusinessScope, assertion: () => Promise<string>, session: BusinessSession, accepted?: (jwt: string) => Promise<void>): BusinessClient {
    return new BusinessClient({
      apiUrl: scope === 'SCHOOL' ? this.urls.school : this.urls.business,
      tokenUrl: this.urls.token,
      clientId,
      scope,
      assertion,
      assertionAccepted: accepted,
      clock: this.clock,
      sleep: this.tuning.sleep ?? systemSleep,
      retry: this.tuning.retry ?? DEFAULT_RETRY_POLICY,
      timeoutMs: this.tuning.timeoutMs ?? 30_000,
      session,
      fetchImpl: this.tuning.fetch,
      observe: this.tuning.observe,
      random: this.tuning.random,
    });
  }

  /**
   * The stored assertion, or, when it is missing or within the renewal window, a new one (the same
   * one for every token request until Apple accepts it: `accepted` stores it then).
   */
  private async assertionFor(accountId: string): Promise<string> {
    const account = await this.dataSource.getRepository(AppleBusinessAccountEntity).findOneByOrFail({ id: accountId });
    if (account.assertionSealed && account.assertionExpiresAt && !this.due(account.assertionExpiresAt)) {
      return this.box.open(account.assertionSealed, assertionContext(account.id));
    }
    let made = this.pending.get(accountId);
    if (!made || this.due(made.expiresAt)) {
      made = await this.sign(account);
      this.pending.set(accountId, made);
    }
    return made.jwt;
  }

  private async accepted(accountId: string, jwt: string): Promise<void> {
    const made = this.pending.get(accountId);
    if (!made || made.jwt !== jwt) return;
    this.pending.delete(accountId);
    await this.store(accountId, made);
  }

  private due(expiresAt: Date): boolean {
    return expiresAt.getTime() - ASSERTION_RENEW_BEFORE_MS <= this.clock.now().getTime();
  }

  private async sign(account: AppleBusinessAccountEntity): Promise<BusinessAssertion> {
    const privateKey = openAccountKey(this.box.open(account.privateKeySealed, privateKeyContext(account.id)));
    return signClientAssertion({ clientId: account.clientId, keyId: account.keyId, privateKey, now: this.clock.now() });
  }

  private async store(accountId: string, made: BusinessAssertion): Promise<void> {
    await this.dataSource
      .getRepository(AppleBusinessAccountEntity)
      .update({ id: accountId }, { assertionSealed: this.box.seal(made.jwt, assertionContext(accountId)), assertionExpiresAt: made.expiresAt, assertionRenewalError: null });
  }
}
