import { GraphQLError } from 'graphql';
import { DomainError } from '../../../src/errors/domain-error';
import { toClientError } from '../../../src/graphql/error-masking';
import { ErrorCode } from '../../../src/errors/error-codes';
import { ProfileRuleError } from '../../../src/profiles/profile.errors';
import {
  DEFAULT_MAX_PROFILES_PER_TOKEN,
  type ProfileRuleContext,
  type ProfileRuleViolation,
  assertProfileSettings,
  profileLimitViolation,
  validateProfileSettings,
  violationError,
} from '../../../src/profiles/profile.rules';
import {
  AuthenticationMethod,
  type EnrollmentProfileSettings,
  SyncWithComputers,
} from '../../../src/profiles/profile.settings';
import { context, kioskSettings, settings } from './profile-fixtures';

const vpp = { companyPortalVppTokenId: 'vpp-1' };
const validVpp = { vppToken: { expired: false } };
const codes = (s: EnrollmentProfileSettings, c: Partial<ProfileRuleContext> = {}) =>
  validateProfileSettings(s, context(c)).map((v) => v.code);
const only = (s: EnrollmentProfileSettings, c: Partial<ProfileRuleContext> = {}): ProfileRuleViolation => {
  const violations = validateProfileSettings(s, context(c));
  expect(violations).toHaveLength(1);
  return violations[0];
};

describe('validateProfileSettings: valid profiles', () => {
  it.each<[string, EnrollmentProfileSettings, Partial<ProfileRuleContext>]>([
    ['Company Portal with user affinity', settings(), {}],
    ['Setup Assistant without Company Portal', settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false }), {}],
    ['Setup Assistant with Company Portal from VPP', settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, ...vpp }), validVpp],
    ['kiosk without user affinity', kioskSettings(), {}],
    [
      'single app mode with everything it needs',
      settings({ singleAppModeUntilAuthentication: true, ...vpp }),
      validVpp,
    ],
    ['locked and supervised', settings({ lockedEnrollment: true }), {}],
    [
      'Configurator by certificate with 10 certificates',
      settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE, appleConfiguratorCertificateIds: Array.from({ length: 10 }, (_, i) => `c${i}`) }),
      { certificateCount: 10 },
    ],
    [
      'every text at its limit',
      settings({
        name: 'n'.repeat(125),
        description: 'd'.repeat(1024),
        departmentName: 'D'.repeat(125),
        departmentPhone: '+'.repeat(50),
        deviceNameTemplate: `${'a'.repeat(51)}{{SERIAL}}`,
      }),
      { enrollmentUrl: `https://mdm.example.com/${'p'.repeat(2000 - 24)}` },
    ],
    ['an http enrollment URL (local demo against the simulator)', settings(), { enrollmentUrl: 'http://127.0.0.1:4000/mdm/enroll' }],
    ['an unsupervised profile (a warning, not an error)', settings({ supervised: false }), {}],
  ])('accepts %s', (_label, s, c) => {
    expect(validateProfileSettings(s, context(c))).toEqual([]);
    expect(() => assertProfileSettings(s, context(c))).not.toThrow();
  });

  it('counts text lengths after trimming, like normalisation will store them', () => {
    expect(codes(settings({ name: `  ${'n'.repeat(125)}  ` }))).toEqual([]);
  });
});

describe('validateProfileSettings: each rule has its code and field', () => {
  it.each<[string, EnrollmentProfileSettings, Partial<ProfileRuleContext>, string, string]>([
    ['a missing name', settings({ name: '' }), {}, 'PROFILE_NAME_REQUIRED', 'name'],
    ['a blank name', settings({ name: '   ' }), {}, 'PROFILE_NAME_REQUIRED', 'name'],
    ['a 126-character name', settings({ name: 'n'.repeat(126) }), {}, 'PROFILE_NAME_TOO_LONG', 'name'],
    ['a 1025-character description', settings({ description: 'd'.repeat(1025) }), {}, 'PROFILE_DESCRIPTION_TOO_LONG', 'description'],
    ['user affinity without authentication method', settings({ authenticationMethod: null }), {}, 'AUTHENTICATION_METHOD_REQUIRED', 'authenticationMethod'],
    [
      'an authentication method without user affinity',
      kioskSettings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT }),
      {},
      'AUTHENTICATION_METHOD_REQUIRES_USER_AFFINITY',
      'authenticationMethod',
    ],
    ['Company Portal on a kiosk', kioskSettings({ installCompanyPortal: true }), {}, 'COMPANY_PORTAL_REQUIRES_USER_AFFINITY', 'installCompanyPortal'],
    ['a Company Portal VPP token on a kiosk', kioskSettings(vpp), validVpp, 'COMPANY_PORTAL_REQUIRES_USER_AFFINITY', 'companyPortalVppTokenId'],
    [
      'a VPP token while Company Portal is not installed',
      settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, installCompanyPortal: false, ...vpp }),
      validVpp,
      'COMPANY_PORTAL_VPP_TOKEN_REQUIRES_INSTALL',
      'companyPortalVppTokenId',
    ],
    ['a VPP token the caller could not resolve (null)', settings(vpp), { vppToken: null }, 'COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND', 'companyPortalVppTokenId'],
    ['a VPP token the caller did not resolve (absent)', settings(vpp), { vppToken: undefined }, 'COMPANY_PORTAL_VPP_TOKEN_NOT_FOUND', 'companyPortalVppTokenId'],
    ['an expired VPP token', settings(vpp), { vppToken: { expired: true } }, 'COMPANY_PORTAL_VPP_TOKEN_EXPIRED', 'companyPortalVppTokenId'],
    [
      'single app mode without user affinity',
      kioskSettings({ singleAppModeUntilAuthentication: true }),
      {},
      'SINGLE_APP_MODE_REQUIRES_USER_AFFINITY',
      'singleAppModeUntilAuthentication',
    ],
    [
      'single app mode with Setup Assistant authentication',
      settings({ authenticationMethod: AuthenticationMethod.SETUP_ASSISTANT, singleAppModeUntilAuthentication: true, ...vpp }),
      validVpp,
      'SINGLE_APP_MODE_REQUIRES_COMPANY_PORTAL',
      'singleAppModeUntilAuthentication',
    ],
    [
      'single app mode without a VPP token',
      settings({ singleAppModeUntilAuthentication: true }),
      {},
      'SINGLE_APP_MODE_REQUIRES_VPP_TOKEN',
      'singleAppModeUntilAuthentication',
    ],
    [
      'single app mode on unsupervised devices',
      settings({ singleAppModeUntilAuthentication: true, supervised: false, ...vpp }),
      validVpp,
      'SINGLE_APP_MODE_REQUIRES_SUPERVISION',
      'singleAppModeUntilAuthentication',
    ],
    ['locked enrollment without supervision', settings({ lockedEnrollment: true, supervised: false }), {}, 'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION', 'lockedEnrollment'],
    [
      'sync by certificate without certificates',
      settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE }),
      {},
      'CONFIGURATOR_CERTIFICATES_REQUIRED',
      'appleConfiguratorCertificateIds',
    ],
    [
      'sync by certificate with 11 certificates',
      settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE, appleConfiguratorCertificateIds: Array.from({ length: 11 }, (_, i) => `c${i}`) }),
      { certificateCount: 11 },
      'CONFIGURATOR_CERTIFICATES_TOO_MANY',
      'appleConfiguratorCertificateIds',
    ],
    [
      'certificates while every computer may sync',
      settings({ syncWithComputers: SyncWithComputers.ALLOW_ALL, appleConfiguratorCertificateIds: ['c1'] }),
      { certificateCount: 1 },
      'CONFIGURATOR_CERTIFICATES_NOT_ALLOWED',
      'appleConfiguratorCertificateIds',
    ],
    [
      'certificates while no computer may sync',
      settings({ syncWithComputers: SyncWithComputers.DENY_ALL, appleConfiguratorCertificateIds: ['c1'] }),
      { certificateCount: 1 },
      'CONFIGURATOR_CERTIFICATES_NOT_ALLOWED',
      'appleConfiguratorCertificateIds',
    ],
    [
      'a certificate id that did not resolve',
      settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE, appleConfiguratorCertificateIds: ['c1', 'c2'] }),
      { certificateCount: 1 },
      'CONFIGURATOR_CERTIFICATE_NOT_FOUND',
      'appleConfiguratorCertificateIds',
    ],
    ['a device name template with an unknown placeholder', settings({ deviceNameTemplate: '{{USER}}' }), {}, 'DEVICE_NAME_TEMPLATE_INVALID', 'deviceNameTemplate'],
    ['a device name template that can exceed 63 characters', settings({ deviceNameTemplate: `${'a'.repeat(52)}{{SERIAL}}` }), {}, 'DEVICE_NAME_TEMPLATE_INVALID', 'deviceNameTemplate'],
    ['a 126-character department name', settings({ departmentName: 'D'.repeat(126) }), {}, 'DEPARTMENT_NAME_TOO_LONG', 'departmentName'],
    ['a 51-character department phone', settings({ departmentPhone: '1'.repeat(51) }), {}, 'DEPARTMENT_PHONE_TOO_LONG', 'departmentPhone'],
    ['a relative enrollment URL', settings(), { enrollmentUrl: '/mdm/enroll' }, 'ENROLLMENT_URL_INVALID', 'enrollmentUrl'],
    ['an empty enrollment URL', settings(), { enrollmentUrl: '' }, 'ENROLLMENT_URL_INVALID', 'enrollmentUrl'],
    ['no enrollment URL at all (Apple is real, none configured)', settings(), { enrollmentUrl: undefined }, 'ENROLLMENT_URL_REQUIRED', 'enrollmentUrl'],
    ['a non-http enrollment URL', settings(), { enrollmentUrl: 'ftp://mdm.example.com/enroll' }, 'ENROLLMENT_URL_INVALID', 'enrollmentUrl'],
    ['a 2001-character enrollment URL', settings(), { enrollmentUrl: `https://mdm.example.com/${'p'.repeat(2001 - 24)}` }, 'ENROLLMENT_URL_TOO_LONG', 'enrollmentUrl'],
  ])('refuses %s', (_label, s, c, code, field) => {
    const violation = only(s, c);
    expect(violation.code).toBe(code);
    expect(violation.field).toBe(field);
    expect(violation.message.length).toBeGreaterThan(20);
  });

  it('reports the device name template problem with its reason', () => {
    expect(only(settings({ deviceNameTemplate: '{{serial}}' }))).toMatchObject({ reason: 'UNKNOWN_PLACEHOLDER' });
    expect(only(settings({ deviceNameTemplate: 'a/b' }))).toMatchObject({ reason: 'INVALID_CHARACTER' });
  });

  it('counts duplicated certificate ids once', () => {
    const s = settings({ syncWithComputers: SyncWithComputers.ALLOW_BY_CERTIFICATE, appleConfiguratorCertificateIds: ['c1', 'c1'] });
    expect(codes(s, { certificateCount: 1 })).toEqual([]);
  });

  it('reports only the most basic missing condition of single app mode, plus supervision', () => {
    expect(codes(kioskSettings({ singleAppModeUntilAuthentication: true, supervised: false }))).toEqual([
      'SINGLE_APP_MODE_REQUIRES_USER_AFFINITY',
      'SINGLE_APP_MODE_REQUIRES_SUPERVISION',
    ]);
  });

  it('lists every violation in field order', () => {
    const s = settings({
      name: '',
      authenticationMethod: null,
      lockedEnrollment: true,
      supervised: false,
      departmentPhone: '1'.repeat(51),
    });
    expect(codes(s)).toEqual([
      'PROFILE_NAME_REQUIRED',
      'AUTHENTICATION_METHOD_REQUIRED',
      'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION',
      'DEPARTMENT_PHONE_TOO_LONG',
    ]);
  });

  it('uses only codes from the central ErrorCode list', () => {
    const s = kioskSettings({ name: '', singleAppModeUntilAuthentication: true, installCompanyPortal: true, deviceNameTemplate: '{' });
    for (const code of codes(s, { enrollmentUrl: 'x' })) expect(Object.values(ErrorCode)).toContain(code);
  });
});

describe('assertProfileSettings', () => {
  it('throws one typed DomainError: the first violation, with the field and all violations', () => {
    const s = settings({ name: '', lockedEnrollment: true, supervised: false });
    let caught: unknown;
    try {
      assertProfileSettings(s, context());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProfileRuleError);
    expect(caught).toBeInstanceOf(DomainError);
    const error = caught as ProfileRuleError;
    expect(error.code).toBe('PROFILE_NAME_REQUIRED');
    expect(error.message).toBe('A profile name is required.');
    expect(error.extensions.field).toBe('name');
    expect(error.extensions.violations).toEqual([
      expect.objectContaining({ code: 'PROFILE_NAME_REQUIRED', field: 'name' }),
      expect.objectContaining({ code: 'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION', field: 'lockedEnrollment' }),
    ]);
  });

  it('carries the reason of a device name template problem', () => {
    expect(() => assertProfileSettings(settings({ deviceNameTemplate: 'a'.repeat(64) }), context())).toThrow(
      expect.objectContaining({ code: 'DEVICE_NAME_TEMPLATE_INVALID', extensions: expect.objectContaining({ reason: 'TOO_LONG' }) }),
    );
  });

  it('reaches a GraphQL client with its own code and field (not masked)', () => {
    const error = violationError(validateProfileSettings(settings({ lockedEnrollment: true, supervised: false }), context()));
    const wrapped = new GraphQLError(error.message, { originalError: error, path: ['createEnrollmentProfile'] });
    const formatted = toClientError(wrapped, 'req-1');
    expect(formatted.message).toMatch(/^Locked enrollment requires a supervised profile/);
    expect(formatted.extensions).toMatchObject({ code: 'LOCKED_ENROLLMENT_REQUIRES_SUPERVISION', field: 'lockedEnrollment', requestId: 'req-1' });
  });

  it('violationError refuses an empty list', () => {
    expect(() => violationError([])).toThrow(RangeError);
  });
});

describe('profileLimitViolation', () => {
  it('allows up to 100 profiles per token by default, and the configured maximum otherwise', () => {
    expect(DEFAULT_MAX_PROFILES_PER_TOKEN).toBe(100);
    expect(profileLimitViolation(99)).toBeNull();
    const error = profileLimitViolation(100);
    expect(error).toBeInstanceOf(ProfileRuleError);
    expect(error).toMatchObject({ code: 'PROFILE_LIMIT_REACHED', extensions: { max: 100 } });
    expect(error?.message).toContain('100');
    expect(profileLimitViolation(100, 1000)).toBeNull();
    expect(profileLimitViolation(1000, 1000)?.code).toBe('PROFILE_LIMIT_REACHED');
  });
});
