/**
 * Apple MDM push certificates made in the test with node-forge, shaped like Apple's: the topic
 * `com.apple.mgmt.External.<uuid>` as the subject UID, `APSP:<uuid>` as the common name, issued by
 * an "Apple Application Integration 2 Certification Authority" look-alike.
 */
import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { DAY_MS } from '../../src/clock';

const UID_OID = '0.9.2342.19200300.100.1.1';

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
}

export function makePushCertificate(options: { topic?: string; notBefore: Date; days: number; uid?: string | null }): TestPushCertificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const uuid = randomUUID().toUpperCase();
  const topic = options.topic ?? `com.apple.mgmt.External.${uuid}`;
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = forge.util.bytesToHex(forge.random.getBytesSync(8)).replace(/^[89a-f]/, '1');
  cert.validity.notBefore = options.notBefore;
  const notAfter = new Date(options.notBefore.getTime() + options.days * DAY_MS);
  cert.validity.notAfter = notAfter;
  const subject: forge.pki.CertificateField[] = [
    ...(options.uid === null ? [] : [{ type: UID_OID, value: options.uid ?? topic }]),
    { name: 'commonName', value: `APSP:${uuid}` },
    { name: 'countryName', value: 'US' },
  ];
  cert.setSubject(subject);
  cert.setIssuer([
    { name: 'commonName', value: 'Apple Application Integration 2 Certification Authority' },
    { name: 'organizationName', value: 'Apple Inc.' },
    { name: 'countryName', value: 'US' },
  ]);
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
  };
}
