import { DAY_MS } from '../../../src/clock';
import { validAppleId, validName } from '../../../src/apple-tokens/apple-token.input';
import { depTokenStatus, DepTokenStatus } from '../../../src/tokens/token.status';
import { vppTokenStatus, VppTokenStatus } from '../../../src/vpp/vpp-token.status';

const now = new Date('2026-11-26T09:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * DAY_MS);

describe('depTokenStatus', () => {
  const dep = (expiresInDays: number, flags: { rejected?: boolean; terms?: boolean } = {}) =>
    depTokenStatus({ expiresAt: inDays(expiresInDays), rejectedAt: flags.rejected ? now : null, termsNotAcceptedAt: flags.terms ? now : null }, now, 30);

  it.each([
    ['expired whatever else is true', dep(0, { rejected: true, terms: true }), DepTokenStatus.EXPIRED],
    ['access denied before unsigned terms', dep(100, { rejected: true, terms: true }), DepTokenStatus.REJECTED],
    ['unsigned terms before the expiry warning', dep(5, { terms: true }), DepTokenStatus.TERMS_NOT_ACCEPTED],
    ['expiring within the window', dep(30), DepTokenStatus.EXPIRING_SOON],
    ['active beyond it', dep(31), DepTokenStatus.ACTIVE],
  ])('%s', (_, status, expected) => expect(status).toBe(expected));
});

describe('vppTokenStatus', () => {
  const vpp = (expiresInDays: number, invalidReason: 'INVALID' | 'REVOKED' | 'EXPIRED' | null = null) =>
    vppTokenStatus({ expiresAt: inDays(expiresInDays), invalidAt: invalidReason ? now : null, invalidReason }, now, 30);

  it.each([
    ['expired at its date', vpp(-1), VppTokenStatus.EXPIRED],
    ['expired early when Apple says so', vpp(100, 'EXPIRED'), VppTokenStatus.EXPIRED],
    ['invalid when Apple revoked it', vpp(5, 'REVOKED'), VppTokenStatus.INVALID],
    ['expiring within the window', vpp(30), VppTokenStatus.EXPIRING_SOON],
    ['valid beyond it', vpp(31), VppTokenStatus.VALID],
  ])('%s', (_, status, expected) => expect(status).toBe(expected));
});

describe('token input rules', () => {
  it('trims a valid Apple ID and refuses others with BAD_USER_INPUT on appleId', () => {
    expect(validAppleId('  admin@example.com ')).toBe('admin@example.com');
    expect(() => validAppleId('not-an-apple-id')).toThrow('appleId must be an Apple ID (an email address)');
    expect(() => validAppleId(`${'a'.repeat(65)}@example.com`)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { field: 'appleId' } }));
    expect(() => validAppleId('x', 'the Apple ID that created the token')).toThrow('appleId must be the Apple ID that created the token');
  });

  it('trims a name of 1 to 100 characters', () => {
    expect(validName(' Fleet ')).toBe('Fleet');
    expect(() => validName('   ')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { field: 'name' } }));
    expect(() => validName('n'.repeat(101))).toThrow('name must be 1 to 100 characters');
  });
});
