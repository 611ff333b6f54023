import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { depTokenAlerts, expiryCrossing, expirySeverity, family, urgency, vppTokenAlerts, type DepTokenFacts, type VppTokenFacts } from '../../../src/alerts/alert.rules';
import { licenceLevel } from '../../../src/vpp/vpp-token.status';

const now = new Date('2026-11-26T09:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const options = { expiryDays: [30, 14, 7, 1], licensesLow: 10 };

describe('expiryCrossing', () => {
  it.each([
    [31 * DAY_MS, null],
    [30 * DAY_MS, 30],
    [29 * DAY_MS, 30],
    [14 * DAY_MS, 14],
    [8 * DAY_MS, 14],
    [7 * DAY_MS, 7],
    [DAY_MS + 1, 7],
    [DAY_MS, 1],
    [1, 1],
    [0, 'EXPIRED'],
    [-DAY_MS, 'EXPIRED'],
  ])('%d ms before expiry -> %s', (remaining, expected) => {
    expect(expiryCrossing(at(remaining), now, options.expiryDays)).toBe(expected);
  });

  it('takes thresholds in any order', () => {
    expect(expiryCrossing(at(5 * DAY_MS), now, [1, 30, 7])).toBe(7);
  });
});

it('expiry severity: INFO above 14 days, WARNING from 14, CRITICAL from 1', () => {
  expect([30, 15, 14, 7, 2, 1].map(expirySeverity)).toEqual(['INFO', 'INFO', 'WARNING', 'WARNING', 'WARNING', 'CRITICAL']);
});

it('urgency orders a family so that a later crossing supersedes an earlier one', () => {
  expect(urgency({ kind: 'DEP_TOKEN_EXPIRING', threshold: 7 })).toBeGreaterThan(urgency({ kind: 'DEP_TOKEN_EXPIRING', threshold: 14 }));
  expect(urgency({ kind: 'DEP_TOKEN_EXPIRED', threshold: 0 })).toBeGreaterThan(urgency({ kind: 'DEP_TOKEN_EXPIRING', threshold: 1 }));
  expect(urgency({ kind: 'VPP_LICENSES_EXHAUSTED', threshold: 0 })).toBeGreaterThan(urgency({ kind: 'VPP_LICENSES_LOW', threshold: 0 }));
  expect(family('VPP_TOKEN_EXPIRED')).toBe(family('VPP_TOKEN_EXPIRING'));
  expect(urgency({ kind: 'DEP_TOKEN_REJECTED', threshold: 0 })).toBeGreaterThan(urgency({ kind: 'DEP_TOKEN_EXPIRING', threshold: 1 }));
  expect(family('DEP_TOKEN_REJECTED')).toBe(family('DEP_TOKEN_EXPIRING'));
  expect(family('VPP_TOKEN_REVOKED')).toBe(family('VPP_TOKEN_EXPIRING'));
  expect(family('DEP_SYNC_FAILING')).not.toBe(family('DEP_TERMS_NOT_ACCEPTED'));
});

describe('licenceLevel', () => {
  it.each([
    [null, null, 'UNKNOWN'],
    [0, 0, 'EXHAUSTED'],
    [100, 0, 'EXHAUSTED'],
    [100, 9, 'LOW'], // fewer than 10
    [100, 10, 'OK'],
    [1000, 99, 'LOW'], // under 10 %
    [1000, 100, 'OK'],
    [5, 5, 'LOW'], // all available, but fewer than 10
  ])('total %s, available %s -> %s', (total, available, level) => {
    expect(licenceLevel({ total, available }, 10)).toBe(level);
  });
});

describe('DEP token rules', () => {
  const token = (facts: Partial<DepTokenFacts> = {}): DepTokenFacts => ({
    name: 'Head office',
    expiresAt: at(100 * DAY_MS),
    termsNotAcceptedAt: null,
    rejectedAt: null,
    lastSuccessfulSyncAt: now,
    lastSyncError: null,
    createdAt: at(-100 * DAY_MS),
    ...facts,
  });
  const kinds = (facts: Partial<DepTokenFacts>) => depTokenAlerts(token(facts), now, options).map((a) => `${a.kind}:${a.threshold}:${a.severity}`);

  it('a healthy token raises nothing', () => expect(kinds({})).toEqual([]));
  it('terms and access denied', () => {
    expect(kinds({ termsNotAcceptedAt: now })).toEqual(['DEP_TERMS_NOT_ACCEPTED:0:CRITICAL']);
    // A refusal has its own kind (issue #9); an expired token is EXPIRED whatever else is true.
    expect(kinds({ rejectedAt: now })).toEqual(['DEP_TOKEN_REJECTED:0:CRITICAL']);
    expect(kinds({ rejectedAt: now, expiresAt: at(3 * DAY_MS) })).toEqual(['DEP_TOKEN_REJECTED:0:CRITICAL']);
    expect(kinds({ rejectedAt: now, expiresAt: at(-1) })).toEqual(['DEP_TOKEN_EXPIRED:0:CRITICAL']);
  });
  it('sync failing from 3 days on, from the upload when it never synced', () => {
    expect(kinds({ lastSuccessfulSyncAt: at(-3 * DAY_MS + HOUR_MS) })).toEqual([]);
    expect(kinds({ lastSuccessfulSyncAt: at(-3 * DAY_MS) })).toEqual(['DEP_SYNC_FAILING:3:WARNING']);
    expect(kinds({ lastSuccessfulSyncAt: null, createdAt: at(-2 * DAY_MS) })).toEqual([]);
    expect(kinds({ lastSuccessfulSyncAt: null, createdAt: at(-3 * DAY_MS) })).toEqual(['DEP_SYNC_FAILING:3:WARNING']);
  });
  it('messages name the token and say what to do', () => {
    const [alert] = depTokenAlerts(token({ expiresAt: at(10 * DAY_MS) }), now, options);
    expect(alert.message).toBe(
      'DEP token "Head office" expires within 14 days, on 2026-12-06: download a new token for the MDM server in Apple Business Manager and renew it before then, or devices stop syncing.',
    );
  });
});

describe('VPP token rules', () => {
  const token = (facts: Partial<VppTokenFacts> = {}): VppTokenFacts => ({
    name: 'Stores',
    expiresAt: at(100 * DAY_MS),
    invalidReason: null,
    cpTotalCount: 100,
    cpAvailableCount: 50,
    profileCount: 0,
    ...facts,
  });
  const kinds = (facts: Partial<VppTokenFacts>) => vppTokenAlerts(token(facts), now, options).map((a) => `${a.kind}:${a.threshold}`);

  it('licences: low, exhausted, and nothing for a token without Company Portal that no profile uses', () => {
    expect(kinds({ cpAvailableCount: 9 })).toEqual(['VPP_LICENSES_LOW:0']);
    expect(kinds({ cpAvailableCount: 0 })).toEqual(['VPP_LICENSES_EXHAUSTED:0']);
    expect(kinds({ cpTotalCount: 0, cpAvailableCount: 0 })).toEqual([]);
    expect(kinds({ cpTotalCount: 0, cpAvailableCount: 0, profileCount: 2 })).toEqual(['VPP_LICENSES_EXHAUSTED:0']);
    expect(kinds({ cpTotalCount: null, cpAvailableCount: null, profileCount: 2 })).toEqual([]);
  });
  it('expiry, and Apple refusing the token', () => {
    expect(kinds({ expiresAt: at(20 * DAY_MS) })).toEqual(['VPP_TOKEN_EXPIRING:30']);
    expect(kinds({ expiresAt: at(-1) })).toEqual(['VPP_TOKEN_EXPIRED:0']);
    expect(kinds({ invalidReason: 'REVOKED' })).toEqual(['VPP_TOKEN_REVOKED:0']);
    expect(kinds({ invalidReason: 'INVALID' })).toEqual(['VPP_TOKEN_REVOKED:0']);
    expect(kinds({ invalidReason: 'EXPIRED', expiresAt: at(20 * DAY_MS) })).toEqual(['VPP_TOKEN_EXPIRED:0']);
    expect(vppTokenAlerts(token({ invalidReason: 'REVOKED' }), now, options)[0].message).toMatch(/Apple ID/);
  });
});
