import { ProfilePlatform } from '../../../src/profiles/profile-platform';
import { readinessItems, type ReadinessFacts, type TokenFacts } from '../../../src/readiness/readiness.rules';

const token = (overrides: Partial<TokenFacts> = {}): TokenFacts => ({
  id: 't1',
  name: 'Main',
  status: 'ACTIVE',
  expiresAt: new Date('2027-06-01T00:00:00Z'),
  defaultPlatforms: [ProfilePlatform.IOS],
  devicesByFamily: [],
  enrollmentUrl: 'https://mdm.example.com/enroll',
  ...overrides,
});
const facts = (overrides: Partial<ReadinessFacts> = {}): ReadinessFacts => ({
  apns: { status: 'VALID', notAfter: new Date('2027-06-01T00:00:00Z'), topic: 'com.apple.mgmt.External.x' },
  deploymentWide: true,
  tokens: [token()],
  profileVpp: [],
  globalEnrollmentUrl: 'https://mdm.example.com/enroll',
  placeholderUrl: null,
  unreachable: new Map(),
  ...overrides,
});
const codes = (f: ReadinessFacts) => readinessItems(f).map((i) => `${i.code}:${i.severity}`);

it('is empty when everything is in place', () => {
  expect(readinessItems(facts())).toEqual([]);
});

it.each([
  ['EXPIRED', 'DEP_TOKEN_EXPIRED:CRITICAL'],
  ['REJECTED', 'DEP_TOKEN_REJECTED:CRITICAL'],
  ['TERMS_NOT_ACCEPTED', 'DEP_TERMS_NOT_ACCEPTED:CRITICAL'],
  ['EXPIRING_SOON', 'DEP_TOKEN_EXPIRING:WARNING'],
] as const)('reports a token %s', (status, expected) => {
  expect(codes(facts({ tokens: [token({ status })] }))).toEqual([expected]);
});

it('reports no enrollment URL where Apple is real, per token and for the deployment', () => {
  expect(codes(facts({ tokens: [token({ enrollmentUrl: null })], globalEnrollmentUrl: null }))).toEqual(['ENROLLMENT_URL_NOT_CONFIGURED:CRITICAL']);
  expect(codes(facts({ tokens: [], globalEnrollmentUrl: null }))).toEqual(['NO_DEP_TOKEN:CRITICAL', 'ENROLLMENT_URL_NOT_CONFIGURED:CRITICAL']);
  // Asked about one token, "no token" is not an item.
  expect(codes(facts({ tokens: [], deploymentWide: false }))).toEqual([]);
});

it('reports an unreachable URL with why, and a VPP token that expired or was refused', () => {
  const items = readinessItems(
    facts({
      unreachable: new Map([['https://mdm.example.com/enroll', 'ENOTFOUND']]),
      profileVpp: [{ profileId: 'p1', profileName: 'CP', tokenId: 't1', vppTokenId: 'v1', vppTokenName: 'Apps', expiredOrRefused: true, exhausted: true }],
    }),
  );
  expect(items.map((i) => i.code)).toEqual(['ENROLLMENT_URL_UNREACHABLE', 'PROFILE_VPP_TOKEN_EXPIRED']);
  expect(items[0].message).toContain('ENOTFOUND');
  expect(items[1]).toMatchObject({ profileId: 'p1', vppTokenId: 'v1', tokenId: 't1' });
});

it('counts devices of a token without a default profile, by family', () => {
  const items = readinessItems(
    facts({ tokens: [token({ defaultPlatforms: [], devicesByFamily: [{ family: null, total: 2, withoutProfile: 0 }, { family: 'IPAD' as never, total: 3, withoutProfile: 0 }] })] }),
  );
  expect(items).toEqual([expect.objectContaining({ code: 'NO_DEFAULT_PROFILE', count: 5, deviceFamilies: ['IPAD'] })]);
});

it('counts only the families whose platform has no default (per-platform defaults)', () => {
  const items = readinessItems(
    facts({
      tokens: [
        token({
          defaultPlatforms: [ProfilePlatform.IOS],
          devicesByFamily: [
            { family: 'IPHONE' as never, total: 4, withoutProfile: 0 },
            { family: 'MAC' as never, total: 2, withoutProfile: 0 },
            { family: null, total: 1, withoutProfile: 0 },
          ],
        }),
      ],
    }),
  );
  expect(items).toEqual([expect.objectContaining({ code: 'NO_DEFAULT_PROFILE', count: 2, deviceFamilies: ['MAC'] })]);
  expect(items[0].message).toContain('no macOS default profile');
});
