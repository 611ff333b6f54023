import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';
import forge from 'node-forge';
import { DomainError } from '../../../src/errors/domain-error';
import {
  MAX_CONFIGURATOR_CERTIFICATE_INPUT_CHARS,
  parseConfiguratorCertificate,
} from '../../../src/profiles/configurator-certificate.crypto';
import { ProfileRuleError } from '../../../src/profiles/profile.errors';

const notBefore = new Date('2026-01-15T10:00:00Z');
const notAfter = new Date('2031-01-15T10:00:00Z');
const subject = [
  { shortName: 'C', value: 'US' },
  { shortName: 'O', value: 'Acme, Inc.' },
  { shortName: 'CN', value: 'Apple Configurator (Front desk)' },
];

/** An RSA key pair in forge form; Node generates it (forge's pure-JS generation takes seconds). */
function forgeRsaKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKeyPkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKeyPkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

function selfSigned(keys: ReturnType<typeof forgeRsaKeys>, commonName?: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01a2b3';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const name = commonName ? [{ shortName: 'CN', value: commonName }] : subject;
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return cert;
}

/** An ECDSA P-256 certificate, which forge cannot parse: built from ASN.1 and signed by node:crypto. */
function ecCertificateDer(): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { asn1 } = forge;
  const spki = asn1.fromDer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary'));
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.2.840.10045.4.3.2').getBytes()),
  ]);
  // @types/node-forge types valueTagClass as a Class; forge reads it as the value's universal Type.
  const utf8 = asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const name = forge.pki.distinguishedNameToAsn1({
    attributes: [{ type: forge.pki.oids.commonName, value: 'EC Configurator', valueTagClass: utf8 }],
  });
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x02')]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x05'),
    algorithm,
    name,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(notBefore)),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(notAfter)),
    ]),
    name,
    spki,
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, privateKey);
  const cert = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  return Buffer.from(asn1.toDer(cert).getBytes(), 'binary');
}

function refusal(input: string): ProfileRuleError {
  try {
    parseConfiguratorCertificate(input);
  } catch (error) {
    if (error instanceof ProfileRuleError) return error;
    throw error;
  }
  throw new Error('expected parseConfiguratorCertificate to refuse the input');
}

describe('parseConfiguratorCertificate', () => {
  let keys: ReturnType<typeof forgeRsaKeys>;
  let cert: forge.pki.Certificate;
  let pem: string;
  let derBase64: string;

  beforeAll(() => {
    keys = forgeRsaKeys();
    cert = selfSigned(keys);
    pem = forge.pki.certificateToPem(cert);
    derBase64 = forge.util.encode64(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes());
  });

  it('reads a PEM certificate', () => {
    const parsed = parseConfiguratorCertificate(pem);
    expect(parsed.derBase64).toBe(derBase64);
    expect(parsed.subject).toBe('CN=Apple Configurator (Front desk), O=Acme\\, Inc., C=US');
    expect(parsed.notBefore).toEqual(notBefore);
    expect(parsed.notAfter).toEqual(notAfter);
    const x509 = new X509Certificate(pem);
    expect(parsed.thumbprintSha256).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(parsed.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns a canonical PEM that reads back to the same certificate', () => {
    const parsed = parseConfiguratorCertificate(pem.replace(/\n/g, '\r\n'));
    expect(parsed.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    expect(parseConfiguratorCertificate(parsed.pem)).toEqual(parsed);
    expect(forge.pki.certificateFromPem(parsed.pem).serialNumber).toBe('01a2b3');
  });

  it('ignores text around the PEM block (OpenSSL bag attributes)', () => {
    const parsed = parseConfiguratorCertificate(`Bag Attributes\n    friendlyName: Apple Configurator\nsubject=/CN=x\n${pem}\n`);
    expect(parsed.derBase64).toBe(derBase64);
  });

  it.each([
    ['on one line', (b64: string) => b64],
    ['wrapped at 64 columns', (b64: string) => b64.replace(/.{64}/g, '$&\n')],
    ['wrapped at 76 columns with CRLF', (b64: string) => b64.replace(/.{76}/g, '$&\r\n')],
    ['with spaces, tabs and surrounding blank lines', (b64: string) => `\n\n  ${b64.replace(/.{40}/g, '$& \t')}  \n`],
  ])('reads base64 DER %s', (_label, format) => {
    const parsed = parseConfiguratorCertificate(format(derBase64));
    expect(parsed.derBase64).toBe(derBase64);
    expect(parsed.subject).toBe('CN=Apple Configurator (Front desk), O=Acme\\, Inc., C=US');
  });

  it('reads certificates whose key is not RSA (forge cannot, node:crypto can)', () => {
    const der = ecCertificateDer();
    expect(() => forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString('binary')))).toThrow();
    const parsed = parseConfiguratorCertificate(der.toString('base64'));
    expect(parsed.subject).toBe('CN=EC Configurator');
    expect(parsed.notAfter).toEqual(notAfter);
  });

  describe('refuses everything else with CONFIGURATOR_CERTIFICATE_INVALID', () => {
    it.each([
      ['garbage text', 'this is not a certificate', 'MALFORMED'],
      ['base64 that is not DER', Buffer.from('hello world, not DER').toString('base64'), 'MALFORMED'],
      ['a base64 character outside the alphabet', 'MIIB$AAA', 'MALFORMED'],
      ['base64 with bad padding', 'MIIBA', 'MALFORMED'],
      ['an empty string', '', 'EMPTY'],
      ['whitespace only', ' \n\t ', 'EMPTY'],
      ['a PEM block with broken armour', '-----BEGIN CERTIFICATE-----\nMIIB', 'MALFORMED'],
    ])('%s', (_label, input, reason) => {
      const error = refusal(input);
      expect(error.code).toBe('CONFIGURATOR_CERTIFICATE_INVALID');
      expect(error.extensions).toEqual({ field: 'pem', reason });
    });

    it('a DomainError, so it reaches the client with its code', () => {
      expect(refusal('nope')).toBeInstanceOf(DomainError);
    });

    it('input that is too large, before parsing it', () => {
      const huge = `${pem}${' '.repeat(MAX_CONFIGURATOR_CERTIFICATE_INPUT_CHARS)}`;
      expect(refusal(huge).extensions.reason).toBe('TOO_LARGE');
    });

    it('a DER certificate with trailing bytes', () => {
      const der = Buffer.from(derBase64, 'base64');
      expect(refusal(Buffer.concat([der, Buffer.from([0, 0])]).toString('base64')).extensions.reason).toBe('MALFORMED');
    });

    it('two certificates', () => {
      const other = forge.pki.certificateToPem(selfSigned(keys, 'Second'));
      expect(refusal(`${pem}${other}`).extensions.reason).toBe('MULTIPLE_CERTIFICATES');
    });

    it.each([
      ['PKCS#8', () => keys.privateKeyPkcs8Pem],
      ['PKCS#1', () => keys.privateKeyPkcs1Pem],
      ['PKCS#1 next to the certificate', () => `${pem}${keys.privateKeyPkcs1Pem}`],
    ])('a %s private key PEM, named as such and never echoed', (_label, input) => {
      const key = input();
      const error = refusal(key);
      expect(error.extensions.reason).toBe('PRIVATE_KEY');
      expect(error.message).toMatch(/private key/);
      const body = key.split('\n').filter((line) => line && !line.startsWith('-----'));
      for (const line of body) expect(error.message).not.toContain(line.slice(0, 16));
      expect(JSON.stringify(error.extensions)).not.toContain(body[0].slice(0, 16));
    });

    it('a private key as base64 DER', () => {
      const der = forge.pem.decode(keys.privateKeyPkcs8Pem)[0].body;
      expect(refusal(forge.util.encode64(der)).extensions.reason).toBe('NOT_A_CERTIFICATE');
    });

    it('a certificate signing request, as PEM and as base64 DER', () => {
      const csr = forge.pki.createCertificationRequest();
      csr.publicKey = keys.publicKey;
      csr.setSubject(subject);
      csr.sign(keys.privateKey, forge.md.sha256.create());
      const csrPem = forge.pki.certificationRequestToPem(csr);
      expect(refusal(csrPem).extensions.reason).toBe('CERTIFICATE_REQUEST');
      const csrDer = forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes();
      expect(refusal(forge.util.encode64(csrDer)).extensions.reason).toBe('NOT_A_CERTIFICATE');
    });

    it('a public key PEM', () => {
      expect(refusal(forge.pki.publicKeyToPem(keys.publicKey)).extensions.reason).toBe('NOT_A_CERTIFICATE');
    });
  });
});
