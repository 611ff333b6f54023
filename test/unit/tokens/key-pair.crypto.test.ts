import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { DAY_MS, ManualClock } from '../../../src/clock';
import {
  DEFAULT_VENDOR_CERT_VALIDITY_DAYS,
  certificateFingerprintSha256,
  generateVendorKeyPair,
  type VendorKeyPair,
} from '../../../src/tokens/key-pair.crypto';
import { decryptServerToken } from '../../../src/tokens/token-file';
import { buildTokenFile, sampleTokenJson } from '../../support/token-files';

describe('generateVendorKeyPair', () => {
  const clock = new ManualClock('2026-11-26T10:00:00.750Z');
  // RSA key generation is the slow part: one key pair for the whole file, plus one to compare.
  let pair: VendorKeyPair;
  let cert: forge.pki.Certificate;
  let second: VendorKeyPair;

  beforeAll(() => {
    pair = generateVendorKeyPair({ now: clock.now() });
    cert = forge.pki.certificateFromPem(pair.certificatePem);
    second = generateVendorKeyPair({ now: clock.now(), commonName: 'Acme MDM', validityDays: 30 });
  });

  it('makes a self-signed certificate', () => {
    expect(cert.issuer.hash).toBe(cert.subject.hash);
    expect(cert.verify(cert)).toBe(true);
    const x509 = new X509Certificate(pair.certificatePem);
    // (Not x509.checkIssued: OpenSSL wants keyCertSign on an issuer, which a leaf key must not have.)
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('uses RSA 2048 with exponent 65537, and the certificate holds the private key\'s public half', () => {
    const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
    expect(publicKey.n.bitLength()).toBe(2048);
    expect(publicKey.e.toString(10)).toBe('65537');
    const fromPrivate = createPublicKey(createPrivateKey(pair.privateKeyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(pair.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
    expect(fromPrivate.equals(fromCert)).toBe(true);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('has key usage keyEncipherment + digitalSignature and is not a CA', () => {
    const keyUsage = cert.getExtension('keyUsage') as { critical: boolean; keyEncipherment: boolean; digitalSignature: boolean; keyCertSign?: boolean };
    expect(keyUsage).toMatchObject({ critical: true, keyEncipherment: true, digitalSignature: true });
    expect(keyUsage.keyCertSign).toBeFalsy();
    expect(cert.getExtension('basicConstraints')).toMatchObject({ cA: false });
  });

  it('uses a simple subject with a short id by default, or the given common name', () => {
    expect(cert.subject.getField('CN').value).toMatch(/^depgate DEP [0-9a-f]{8}$/);
    expect(cert.subject.attributes).toHaveLength(1);
    expect(forge.pki.certificateFromPem(second.certificatePem).subject.getField('CN').value).toBe('Acme MDM');
  });

  it('has a positive, minimally encoded random serial, reported as in the certificate', () => {
    expect(pair.serialNumber).toBe(cert.serialNumber);
    expect(pair.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/); // top bit clear, no leading zero byte
    expect(pair.serialNumber).not.toBe(second.serialNumber);
    expect(new X509Certificate(pair.certificatePem).serialNumber.toLowerCase()).toBe(pair.serialNumber);
  });

  it('is valid from (a little before) now for the default ten years, in whole seconds', () => {
    const now = clock.now().getTime();
    expect(DEFAULT_VENDOR_CERT_VALIDITY_DAYS).toBe(3650);
    expect(pair.notAfter.toISOString()).toBe('2036-11-23T10:00:00.000Z');
    expect(pair.notAfter.getTime()).toBe(Math.floor((now + 3650 * DAY_MS) / 1000) * 1000);
    expect(cert.validity.notAfter.getTime()).toBe(pair.notAfter.getTime());
    expect(new Date(new X509Certificate(pair.certificatePem).validTo).getTime()).toBe(pair.notAfter.getTime());
    expect(cert.validity.notBefore.getTime()).toBeLessThanOrEqual(now);
    expect(second.notAfter.getTime()).toBe(Math.floor((now + 30 * DAY_MS) / 1000) * 1000);
  });

  it('refuses nonsense options', () => {
    expect(() => generateVendorKeyPair({ now: new Date('nope') })).toThrow(TypeError);
    expect(() => generateVendorKeyPair({ now: clock.now(), validityDays: 0 })).toThrow(RangeError);
    expect(() => generateVendorKeyPair({ now: clock.now(), validityDays: 1.5 })).toThrow(RangeError);
  });

  it('a token enveloped to its certificate decrypts with its private key', () => {
    const json = sampleTokenJson();
    const file = buildTokenFile(pair.certificatePem, json);
    const payload = decryptServerToken(file, pair.privateKeyPem, pair.certificatePem);
    expect(payload.consumerKey).toBe(json.consumer_key);
    expect(payload.accessTokenExpiry.toISOString()).toBe('2027-03-04T05:06:07.000Z');
  });

  describe('certificateFingerprintSha256', () => {
    it('is the SHA-256 of the DER in lower-case hex', () => {
      const fingerprint = certificateFingerprintSha256(pair.certificatePem);
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(fingerprint).toBe(new X509Certificate(pair.certificatePem).fingerprint256.replace(/:/g, '').toLowerCase());
      expect(certificateFingerprintSha256(second.certificatePem)).not.toBe(fingerprint);
    });

    it('refuses what is not a certificate', () => {
      expect(() => certificateFingerprintSha256('not a certificate')).toThrow(/not a readable X\.509 certificate/);
      expect(() => certificateFingerprintSha256(pair.privateKeyPem)).toThrow(/not a readable X\.509 certificate/);
    });
  });
});
