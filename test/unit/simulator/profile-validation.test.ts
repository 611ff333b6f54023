import { validateProfile } from '../../../src/simulator/profile-validation';

const valid = { profile_name: 'Staff', url: 'https://mdm.example.com/enroll' };

describe('validateProfile (Apple 400 codes)', () => {
  it('accepts a minimal and a full profile', () => {
    expect(validateProfile(valid)).toBeNull();
    expect(
      validateProfile({
        ...valid,
        is_supervised: true,
        is_mdm_removable: false,
        allow_pairing: true,
        supervising_host_certs: ['MIIB'],
        anchor_certs: [],
        skip_setup_items: ['Siri'],
        department: 'd'.repeat(125),
        org_magic: 'm'.repeat(256),
        support_email_address: `${'e'.repeat(238)}@example.com`,
        is_multi_user: true,
        auto_advance_setup: true,
        is_return_to_service: true,
        do_not_use_profile_from_backup: false,
        support_phone_number: 'p'.repeat(50),
        language: 'en-US',
        region: 'US',
        configuration_web_url: 'https://mdm.example.com/web',
        devices: ['C02ABC'],
      }),
    ).toBeNull();
  });

  it.each([
    [{ url: valid.url }, 'CONFIG_NAME_REQUIRED'],
    [{ ...valid, profile_name: '' }, 'CONFIG_NAME_REQUIRED'],
    [{ ...valid, profile_name: 'n'.repeat(126) }, 'CONFIG_NAME_INVALID'],
    [{ ...valid, profile_name: 5 }, 'CONFIG_NAME_INVALID'],
    [{ profile_name: 'x' }, 'CONFIG_URL_REQUIRED'],
    [{ ...valid, url: `https://e.example/${'u'.repeat(2000)}` }, 'CONFIG_URL_INVALID'],
    [{ ...valid, url: 'not a url' }, 'CONFIG_URL_INVALID'],
    [{ ...valid, department: 'd'.repeat(126) }, 'DEPARTMENT_INVALID'],
    [{ ...valid, is_mdm_removable: false }, 'FLAGS_INVALID'],
    [{ ...valid, is_mdm_removable: false, is_supervised: false }, 'FLAGS_INVALID'],
    [{ ...valid, is_supervised: 'yes' }, 'FLAGS_INVALID'],
    [{ ...valid, org_magic: 'm'.repeat(257) }, 'MAGIC_INVALID'],
    [{ ...valid, support_email_address: 'e'.repeat(251) }, 'SUPPORT_EMAIL_INVALID'],
    [{ ...valid, support_email_address: 'helpdesk' }, 'SUPPORT_EMAIL_INVALID'],
    [{ ...valid, support_email_address: 'help desk@example.com' }, 'SUPPORT_EMAIL_INVALID'],
    [{ ...valid, support_phone_number: 'p'.repeat(51) }, 'SUPPORT_PHONE_INVALID'],
    [{ ...valid, is_return_to_service: 'true' }, 'FLAGS_INVALID'],
    [{ ...valid, do_not_use_profile_from_backup: 1 }, 'FLAGS_INVALID'],
    [{ ...valid, is_multi_user: 'yes' }, 'FLAGS_INVALID'],
    [{ ...valid, configuration_web_url: 'ftp://mdm.example.com/web' }, 'CONFIG_URL_INVALID'],
    [{ ...valid, anchor_certs: ['-----BEGIN CERTIFICATE-----'] }, 'MALFORMED_REQUEST_BODY'],
    [{ ...valid, language: 'EN' }, 'LOCALE_INVALID'],
    [{ ...valid, skip_setup_items: ['Siri', 'AgeAssurance'] }, 'SKIP_SETUP_ITEMS_INVALID'],
    [{ ...valid, skip_setup_items: ['siri'] }, 'SKIP_SETUP_ITEMS_INVALID'],
    [{ ...valid, language: 'English' }, 'LOCALE_INVALID'],
    [{ ...valid, region: 'usa' }, 'LOCALE_INVALID'],
    [{ ...valid, devices: [1] }, 'DEVICE_ID_REQUIRED'],
    [{ ...valid, skip_setup_items: 'Siri' }, 'MALFORMED_REQUEST_BODY'],
    [[valid], 'MALFORMED_REQUEST_BODY'],
    [undefined, 'MALFORMED_REQUEST_BODY'],
  ])('%j -> %s', (profile, code) => {
    expect(validateProfile(profile)).toBe(code);
  });
});
