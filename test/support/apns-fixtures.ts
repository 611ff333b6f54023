/**
 * Apple MDM push certificates made in the test with node-forge, shaped like Apple's: the topic
 * `com.apple.mgmt.External.<uuid>` as the subject UID, `APSP:<uuid>` as the common name, issued by
 * an "Apple Application Integration 2 Certification Authority" look-alike.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { DAY_MS } from '../../src/clock';

const UID_OID = '0.9.2342.19200300.100.1.1';

/** The subject Apple gives a push certificate: the topic as UID (none with `uid: null`), APSP:<uuid>. */
const pushSubject = (uid: string | null, uuid: string): forge.pki.CertificateField[] => [
  ...(uid === null ? [] : [{ type: UID_OID, value: uid }]),
  { name: 'commonName', value: `APSP:${uuid}` },
  { name: 'countryName', value: 'US' },
];

/** The issuer of Apple's push certificates (a look-alike); a new array each time, as forge fills its fields in. */
const applePushIssuer = (): forge.pki.CertificateField[] => [
  { name: 'commonName', value: 'Apple Application Integration 2 Certification Authority' },
  { name: 'organizationName', value: 'Apple Inc.' },
  { name: 'countryName', value: 'US' },
];

export interface TestPushCertificate {
  topic: string;
  certificatePem: string;
  privateKeyPem: string;
  serialNumber: string;
  notAfter: Date;
  /** base64 of a PKCS#12 holding both, under `password`. */
  pkcs12(password: string): string;
  /** The key encrypted (PKCS#8) under `password`. */
  encryptedKeyPem(password: string): string;
  /** base64 of a PKCS#12 holding the certificate only. */
  pkcs12WithoutKey(password: string): string;
}

export function makePushCertificate(options: { topic?: string; notBefore: Date; days: number; uid?: string | null }): TestPushCertificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const uuid = randomUUID().toUpperCase();
  const topic = options.topic ?? `com.apple.mgmt.External.${uuid}`;
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = options.notBefore;
  const notAfter = new Date(options.notBefore.getTime() + options.days * DAY_MS);
  cert.validity.notAfter = notAfter;
  cert.setSubject(pushSubject(options.uid === null ? null : (options.uid ?? topic), uuid));
  cert.setIssuer(applePushIssuer());
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  const privateKeyPem = forge.pki.privateKeyToPem(keys.privateKey);
  return {
    topic,
    certificatePem,
    privateKeyPem,
    serialNumber: cert.serialNumber.toUpperCase(),
    notAfter,
    pkcs12: (password) =>
      forge.util.encode64(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], password, { algorithm: '3des' })).getBytes()),
    encryptedKeyPem: (password) => forge.pki.encryptRsaPrivateKey(keys.privateKey, password, { algorithm: 'aes256' }),
    pkcs12WithoutKey: (password) =>
      forge.util.encode64(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(null, [cert], password, { algorithm: '3des' })).getBytes()),
  };
}

/** A throwaway RSA 2048 key pair (node:crypto: forge's pure-JS generator takes seconds). */
function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privateKeyPem: string } {
  const { privateKey: privateKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e), privateKeyPem };
}

/**
 * A random 8-byte serial in DER's minimal form: a first nibble of 1 to 7 keeps it positive (no
 * high bit) and free of a leading zero byte, which X.509 readers drop (1 draw in 256 made the
 * expected "00…" differ from the read "…").
 */
function serial(): string {
  return forge.util.bytesToHex(forge.random.getBytesSync(8)).replace(/^[089a-f]/, '1');
}

function issue(options: {
  subject: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  issuer: { subject: forge.pki.CertificateField[]; privateKey: forge.pki.rsa.PrivateKey } | null;
  signingKey: forge.pki.rsa.PrivateKey;
  notBefore: Date;
  days: number;
  ca: boolean;
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = new Date(options.notBefore.getTime() + options.days * DAY_MS);
  cert.setSubject(options.subject);
  cert.setIssuer(options.issuer?.subject ?? options.subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: options.ca, critical: true },
    { name: 'keyUsage', critical: true, ...(options.ca ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true }) },
  ]);
  cert.sign(options.issuer?.privateKey ?? options.signingKey, forge.md.sha256.create());
  return cert;
}

export interface TestVendor {
  /** The vendor certificate, then the chain (as APNS_VENDOR_CERTIFICATE takes it). */
  certificatePem: string;
  privateKeyPem: string;
  vendorCertificatePem: string;
  vendorSubject: string;
  intermediatePem: string;
  rootPem: string;
}

/**
 * An MDM vendor's CSR signing certificate as Apple issues it, and its chain: a stand-in "Apple Inc.
 * Root" -> "Apple Worldwide Developer Relations" intermediate -> "MDM Vendor: Example Corp".
 * `chain: 'vendor'` gives the vendor certificate alone in certificatePem.
 */
export function makeVendor(options: { notBefore: Date; days: number; chain?: 'full' | 'vendor' }): TestVendor {
  const root = rsaKeys();
  const rootSubject = [
    { name: 'commonName', value: 'Apple Root CA (test stand-in)' },
    { name: 'organizationName', value: 'Apple Inc.' },
    { name: 'countryName', value: 'US' },
  ];
  const rootCert = issue({ subject: rootSubject, publicKey: root.publicKey, issuer: null, signingKey: root.privateKey, notBefore: options.notBefore, days: 3650, ca: true });
  const wwdr = rsaKeys();
  const wwdrSubject = [
    { name: 'commonName', value: 'Apple Worldwide Developer Relations Certification Authority (test stand-in)' },
    { name: 'organizationName', value: 'Apple Inc.' },
    { name: 'countryName', value: 'US' },
  ];
  const wwdrCert = issue({ subject: wwdrSubject, publicKey: wwdr.publicKey, issuer: { subject: rootSubject, privateKey: root.privateKey }, signingKey: wwdr.privateKey, notBefore: options.notBefore, days: 1825, ca: true });
  const vendor = rsaKeys();
  const vendorSubject = [
    { name: 'commonName', value: 'MDM Vendor: Example Corp' },
    { name: 'organizationName', value: 'Example Corp' },
    { name: 'countryName', value: 'US' },
  ];
  const vendorCert = issue({ subject: vendorSubject, publicKey: vendor.publicKey, issuer: { subject: wwdrSubject, privateKey: wwdr.privateKey }, signingKey: vendor.privateKey, notBefore: options.notBefore, days: options.days, ca: false });
  const pem = (c: forge.pki.Certificate) => forge.pki.certificateToPem(c).replace(/\r\n/g, '\n');
  const chain = options.chain === 'vendor' ? [vendorCert] : [vendorCert, wwdrCert, rootCert];
  return {
    certificatePem: chain.map(pem).join(''),
    privateKeyPem: vendor.privateKeyPem,
    vendorCertificatePem: pem(vendorCert),
    vendorSubject: 'CN=MDM Vendor: Example Corp, O=Example Corp, C=US',
    intermediatePem: pem(wwdrCert),
    rootPem: pem(rootCert),
  };
}

/**
 * What Apple's Push Certificates Portal does with a request: a push certificate for the CSR's key,
 * with Apple's own subject (the topic as UID, APSP:<uuid>), issued by a stand-in "Apple Application
 * Integration 2" CA.
 */
export function issuePushCertificateFor(csrPem: string, options: { topic?: string; notBefore: Date; days: number }): { certificatePem: string; topic: string; serialNumber: string; notAfter: Date } {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) throw new Error('the CSR is not signed by its own key');
  const ca = rsaKeys();
  const uuid = randomUUID().toUpperCase();
  const topic = options.topic ?? `com.apple.mgmt.External.${uuid}`;
  const cert = issue({
    subject: pushSubject(topic, uuid),
    publicKey: csr.publicKey!,
    issuer: { subject: applePushIssuer(), privateKey: ca.privateKey },
    signingKey: ca.privateKey,
    notBefore: options.notBefore,
    days: options.days,
    ca: false,
  });
  return {
    certificatePem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'),
    topic,
    serialNumber: cert.serialNumber.toUpperCase(),
    notAfter: cert.validity.notAfter,
  };
}

/**
 * The string values of an XML property list holding one dict of strings (the push certificate
 * request), read strictly: anything else in the document fails.
 */
export function parseStringPlist(xml: string): Record<string, string> {
  const match = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1\.0\/\/EN" "http:\/\/www\.apple\.com\/DTDs\/PropertyList-1\.0\.dtd">\n<plist version="1\.0">\s*<dict>([\s\S]*)<\/dict>\s*<\/plist>\s*$/.exec(xml);
  if (!match) throw new Error('not an XML property list with one dict');
  const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const entries: Record<string, string> = {};
  const entry = /\s*<key>([^<]*)<\/key>\s*<string>([^<]*)<\/string>/y;
  let body = match[1];
  while (body.trim() !== '') {
    entry.lastIndex = 0;
    const m = entry.exec(body);
    if (!m) throw new Error(`unexpected plist content: ${body.slice(0, 80)}`);
    const key = unescape(m[1]);
    if (key in entries) throw new Error(`duplicate key ${key}`);
    entries[key] = unescape(m[2]);
    body = body.slice(m[0].length);
  }
  return entries;
}
