import { ManualClock } from '../../../src/clock';
import { PrincipalCache, evictRevokedPrincipals } from '../../../src/auth/principal-cache';
import { createLogger } from '../../../src/logger';
import { EventQueue } from '../../../src/events/event-queue';
import type { Principal } from '../../../src/auth/principal';
import { Role } from '../../../src/auth/role';

const principal = (apiKeyId: string): Principal => ({ apiKeyId, name: `key ${apiKeyId}`, role: Role.READER, scopeTagIds: [] });
const entry = (apiKeyId: string) => ({ principal: principal(apiKeyId), lastUsedAt: null });

describe('PrincipalCache', () => {
  let clock: ManualClock;
  let trusted: boolean;
  let cache: PrincipalCache;
  beforeEach(() => {
    clock = new ManualClock('2026-12-02T10:00:00Z');
    trusted = true;
    cache = new PrincipalCache(clock, { isTrusted: () => trusted, ttlMs: 10_000, maxEntries: 3 });
  });

  it('answers a cached key until its time is up, on the injected clock', () => {
    cache.set('h1', entry('1'));
    clock.advance(9_999);
    expect(cache.get('h1')?.principal.apiKeyId).toBe('1');
    clock.advance(1);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('misses every lookup while it is not trusted (the revocations channel is down)', () => {
    cache.set('h1', entry('1'));
    trusted = false;
    expect(cache.get('h1')).toBeUndefined();
    trusted = true;
    expect(cache.get('h1')).toBeUndefined(); // dropped, not merely hidden
  });

  it('evicts every entry of a revoked key and nothing else', () => {
    cache.set('h1', entry('1'));
    cache.set('h2', entry('2'));
    cache.evictKey('1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.principal.apiKeyId).toBe('2');
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    for (const id of ['1', '2', '3', '4']) cache.set(`h${id}`, entry(id));
    expect(cache.size).toBe(3);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h4')?.principal.apiKeyId).toBe('4');
  });

  it('stays empty for good once disabled', () => {
    cache.set('h1', entry('1'));
    cache.disable();
    cache.set('h2', entry('2'));
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeUndefined();
  });

  it('refuses a configuration without a lifetime or a size', () => {
    expect(() => new PrincipalCache(clock, { isTrusted: () => true, ttlMs: 0 })).toThrow(/positive/);
    expect(() => new PrincipalCache(clock, { isTrusted: () => true, maxEntries: 0 })).toThrow(/positive/);
  });

  it('evicts the keys the revocations stream names, and stops using the cache if that stream fails', async () => {
    let revoked!: (event: { apiKeyId: string }) => void;
    const revocations = new EventQueue<{ apiKeyId: string }>((push) => {
      revoked = push;
      return () => undefined;
    });
    evictRevokedPrincipals(revocations, cache, createLogger('silent'));
    cache.set('h1', entry('1'));
    cache.set('h2', entry('2'));
    revoked({ apiKeyId: '1' });
    await new Promise((r) => setImmediate(r));
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeDefined();

    const failing: AsyncIterable<{ apiKeyId: string }> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('channel gone')) }),
    };
    evictRevokedPrincipals(failing, cache, createLogger('silent'));
    await new Promise((r) => setImmediate(r));
    expect(cache.get('h2')).toBeUndefined();
    cache.set('h3', entry('3'));
    expect(cache.get('h3')).toBeUndefined();
  });
});
