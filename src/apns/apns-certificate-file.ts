/**
 * Reads an Apple MDM push certificate as admins have it: the PEM certificate Apple's Push
 * Certificates Portal issues plus the private key of the request (PEM, optionally encrypted), or a
 * PKCS#12 (.p12, base64) exported from a keychain with its password. node-forge reads both
 * (PKCS#12 and encrypted PKCS#8 are not in node:crypto). A PEM certificate may also come alone:
 * the one Apple issued for depgate's own pending request (createApnsCertificateRequest), whose key
 * depgate holds; the service matches it by its public key.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';

/** Apple's push certificates are a few kilobytes; a PKCS#12 with a chain stays far below this. */
export const MAX_CERTIFICATE_CHARS = 32_000;
export const MAX_PRIVATE_KEY_CHARS = 16_000;
export const MAX_PASSWORD_CHARS = 1_000;

/** The subject attribute Apple puts the push topic in (UID, RFC 4519 userId). */
const UID_OID = '0.9.2342.19200300.100.1.1';
/** The topic prefix of MDM push certificates (a plain APNs app certificate has the bundle id). */
export const MDM_TOPIC_PREFIX = 'com.apple.mgmt.';

export type ApnsFileErrorCode =
  | 'APNS_CERTIFICATE_UNREADABLE'
  | 'APNS_CERTIFICATE_PASSWORD_INCORRECT'
  | 'APNS_CERTIFICATE_KEY_REQUIRED'
  | 'APNS_CERTIFICATE_KEY_MISMATCH'
  | 'APNS_CERTIFICATE_NOT_MDM';

export class ApnsCertificateFileError extends Error {
  constructor(
    readonly code: ApnsFileErrorCode,
    message: string,
    readonly field: 'certificate' | 'privateKey' | 'password',
  ) {
    super(message);
    this.name = 'ApnsCertificateFileError';
  }
}

export interface ApnsCertificateFile {
  certificatePem: string;
  /** PKCS#8 PEM, unencrypted: the caller seals it at once. Null for a PEM certificate uploaded alone. */
  privateKeyPem: string | null;
  /** What a certificate uploaded alone is matched to a pending request by (rsaPublicKeySha256). */
  publicKeySha256: string;
  topic: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ApnsCertificateInput {
  certificate: string;
  privateKey?: string | null;
  password?: string | null;
}

const fail = (code: ApnsFileErrorCode, message: string, field: ApnsCertificateFileError['field']) => new ApnsCertificateFileError(code, message, field);

/** Hex SHA-256 of the key's SubjectPublicKeyInfo DER: the same for a CSR and the certificate issued for it. */
export function rsaPublicKeySha256(publicKey: forge.pki.rsa.PublicKey): string {
  const der = forge.asn1.toDer(forge.pki.publicKeyToAsn1(publicKey)).getBytes();
  return createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
}

/** A subject or issuer on one line, e.g. `UID=com.apple.mgmt.External..., CN=APSP:..., C=US` (a CSR's too). */
export function distinguishedName(attributes: forge.pki.CertificateField[]): string {
  return attributes
    .map((a) => `${a.shortName ?? (a.type === UID_OID ? 'UID' : a.type)}=${String(a.value)}`)
    .join(', ');
}

export function parseApnsCertificate(input: ApnsCertificateInput): ApnsCertificateFile {
  const text = input.certificate.trim();
  const { certificate, key } = text.includes('-----BEGIN') ? readPem(text, input) : readPkcs12(text, input.password ?? '');
  const uid = certificate.subject.attributes.find((a) => a.type === UID_OID)?.value;
  const topic = typeof uid === 'string' ? uid : '';
  if (!topic.startsWith(MDM_TOPIC_PREFIX)) {
    throw fail(
      'APNS_CERTIFICATE_NOT_MDM',
      `This is not an MDM push certificate (its topic is "${topic.slice(0, 100)}", not com.apple.mgmt.External.<uuid>): create one in Apple's Push Certificates Portal`,
      'certificate',
    );
  }
  const publicKey = certificate.publicKey as forge.pki.rsa.PublicKey;
  if (!publicKey.n) throw fail('APNS_CERTIFICATE_UNREADABLE', 'The certificate does not hold an RSA key, as Apple push certificates do', 'certificate');
  if (key && (publicKey.n.compareTo(key.n) !== 0 || publicKey.e.compareTo(key.e) !== 0)) {
    throw fail('APNS_CERTIFICATE_KEY_MISMATCH', 'The private key does not belong to this certificate: use the key of the request the certificate was made from', 'privateKey');
  }
  return {
    certificatePem: forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n'),
    privateKeyPem: key ? forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))).replace(/\r\n/g, '\n') : null,
    publicKeySha256: rsaPublicKeySha256(publicKey),
    topic,
    subject: distinguishedName(certificate.subject.attributes),
    issuer: distinguishedName(certificate.issuer.attributes),
    serialNumber: certificate.serialNumber.toUpperCase(),
    notBefore: certificate.validity.notBefore,
    notAfter: certificate.validity.notAfter,
  };
}

function readPem(text: string, input: ApnsCertificateInput): { certificate: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey | null } {
  let certificate: forge.pki.Certificate;
  try {
    certificate = forge.pki.certificateFromPem(text);
  } catch {
    throw fail('APNS_CERTIFICATE_UNREADABLE', 'certificate is not a PEM certificate (nor the base64 of a PKCS#12 file)', 'certificate');
  }
  // The key may follow the certificate in the same PEM text (as `openssl pkcs12 -nodes` writes it).
  const keyText = input.privateKey?.trim() || (text.includes('PRIVATE KEY-----') ? text : '');
  // Alone, it can only be the certificate of depgate's pending request: the service decides.
  if (!keyText) return { certificate, key: null };
  let key: forge.pki.rsa.PrivateKey | null = null;
  try {
    key = keyText.includes('ENCRYPTED')
      ? (forge.pki.decryptRsaPrivateKey(keyText, input.password ?? '') as forge.pki.rsa.PrivateKey | null)
      : (forge.pki.privateKeyFromPem(keyText) as forge.pki.rsa.PrivateKey);
  } catch {
    key = null;
  }
  if (!key) {
    if (keyText.includes('ENCRYPTED')) throw fail('APNS_CERTIFICATE_PASSWORD_INCORRECT', 'The private key is encrypted and the password does not open it', 'password');
    throw fail('APNS_CERTIFICATE_UNREADABLE', 'privateKey is not a PEM RSA private key', 'privateKey');
  }
  return { certificate, key };
}

function readPkcs12(text: string, password: string): { certificate: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) throw fail('APNS_CERTIFICATE_UNREADABLE', 'certificate is neither PEM nor the base64 of a PKCS#12 file', 'certificate');
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.decode64(text.replace(/\s+/g, '')));
  } catch {
    throw fail('APNS_CERTIFICATE_UNREADABLE', 'certificate is neither PEM nor the base64 of a PKCS#12 file', 'certificate');
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/password|MAC/i.test(message)) throw fail('APNS_CERTIFICATE_PASSWORD_INCORRECT', 'The password does not open this PKCS#12 file', 'password');
    throw fail('APNS_CERTIFICATE_UNREADABLE', 'certificate is not a PKCS#12 file depgate can read', 'certificate');
  }
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const key = keyBags.find((b) => b.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw fail('APNS_CERTIFICATE_KEY_REQUIRED', 'The PKCS#12 file holds no private key: export the certificate together with its key', 'certificate');
  // A keychain export may carry the chain too: the push certificate is the one matching the key.
  const certificates = certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => Boolean(c));
  const certificate =
    certificates.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n?.compareTo(key.n) === 0) ?? certificates[0];
  if (!certificate) throw fail('APNS_CERTIFICATE_UNREADABLE', 'The PKCS#12 file holds no certificate', 'certificate');
  return { certificate, key };
}
