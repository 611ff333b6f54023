/**
 * Builds School and Business API clients for stored accounts. The client assertion is kept (sealed)
 * on the account and reused until ASSERTION_RENEW_BEFORE_MS before it expires (Apple lets one be
 * reused for its whole life, at most 180 days); the hour-long access token and the in-flight limit
 * live in a per-account session in memory, so every call of one account on this instance shares them.
 */
import type { DataSource } from 'typeorm';
import { BusinessApi } from '../apple/business-api';
import { BusinessClient, BusinessSession, signClientAssertion, type BusinessScope } from '../apple/business-client';
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
    let session = this.sessions.get(account.id);
    if (!session) {
      session = new BusinessSession();
      this.sessions.set(account.id, session);
    }
    return new BusinessApi(this.client(account.clientId, account.scope, () => this.assertionFor(account.id), session));
  }

  /** Forgets the session of a disconnected or changed account. */
  forget(accountId: string): void {
    this.sessions.delete(accountId);
  }

  private client(clientId: string, scope: BusinessScope, assertion: () => Promise<string>, session: BusinessSession): BusinessClient {
    return new BusinessClient({
      apiUrl: scope === 'SCHOOL' ? this.urls.school : this.urls.business,
      tokenUrl: this.urls.token,
      clientId,
      scope,
      assertion,
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

  /** The stored assertion, or a new one (stored) when it is missing or within the renewal window. */
  private async assertionFor(accountId: string): Promise<string> {
    const repo = this.dataSource.getRepository(AppleBusinessAccountEntity);
    const account = await repo.findOneByOrFail({ id: accountId });
    const now = this.clock.now().getTime();
    if (account.assertionSealed && account.assertionExpiresAt && account.assertionExpiresAt.getTime() - ASSERTION_RENEW_BEFORE_MS > now) {
      return this.box.open(account.assertionSealed, assertionContext(account.id));
    }
    const privateKey = openAccountKey(this.box.open(account.privateKeySealed, privateKeyContext(account.id)));
    const made = await signClientAssertion({ clientId: account.clientId, keyId: account.keyId, privateKey, now: this.clock.now() });
    await repo.update({ id: account.id }, { assertionSealed: this.box.seal(made.jwt, assertionContext(account.id)), assertionExpiresAt: made.expiresAt });
    return made.jwt;
  }
}
