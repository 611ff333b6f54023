/**
 * The vendor key pair for a DEP server token: an RSA-2048 key and a self-signed certificate the
 * admin uploads to Apple Business/School Manager. Apple encrypts the server token (and every
 * renewal) to this certificate; nothing else about it matters to Apple, so the subject is minimal.
 */
import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * Default certificate validity: ten years.
 * Renewals are encrypted to the same certificate for as long as the MDM server lives, and tokens
 * are renewed yearly, so a short validity (nanodep uses 1 day, micromdm 365) would eventually force
 * the admin to re-upload a new public key to Apple just because our certificate lapsed. How long an
 * *unused* key pair stays usable is a separate service rule (the pending key pair TTL), enforced
 * with the clock, not through the certificate.
 */
export const DEFAULT_VENDOR_CERT_VALIDITY_DAYS = 3650;

/** notBefore is set this far in the past so a portal whose clock runs slightly behind accepts it. */
const NOT_BEFORE_SKEW_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface VendorKeyPair {
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"); seal it (SecretBox) before storing. */
  privateKeyPem: string;
  certificatePem: string;
  /** Lower-case hex, as in the certificate (and as CMS recipients name it). */
  serialNumber: string;
  /** Exactly the certificate's notAfter (whole seconds: X.509 times have no milliseconds). */
  notAfter: Date;
}

export function generateVendorKeyPair(options: {
  commonName?: string;
  now: Date;
  validityDays?: number;
}): VendorKeyPair {
  const now = options.now;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new TypeError('generateVendorKeyPair: options.now must be a valid Date');
  }
  const validityDays = options.validityDays ?? DEFAULT_VENDOR_CERT_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new RangeError('generateVendorKeyPair: validityDays must be a positive integer');
  }
  const commonName = options.commonName ?? `depgate DEP ${randomBytes(4).toString('hex')}`;

  // Node's native key generation takes ~100 ms; node-forge's pure-JS one takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgePrivateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const forgePublicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());

  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKey;
  cert.serialNumber = randomSerialNumber();
  cert.validity.notBefore = wholeSeconds(now.getTime() - NOT_BEFORE_SKEW_MS);
  const notAfter = wholeSeconds(now.getTime() + validityDays * DAY_MS);
  cert.validity.notAfter = notAfter;
  const name = [{ shortName: 'CN', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // keyEncipherment is what Apple needs (RSA key transport of the token's content key);
    // digitalSignature is what other vendors' certificates carry and costs nothing.
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgePrivateKey, forge.md.sha256.create());

  return {
    privateKeyPem,
    certificatePem: forge.pki.certificateToPem(cert),
    serialNumber: cert.serialNumber,
    notAfter,
  };
}

/** SHA-256 over the certificate's DER, lower-case hex without separators (64 characters). */
export function certificateFingerprintSha256(certificatePem: string): string {
  let der: Buffer;
  try {
    der = new X509Certificate(certificatePem).raw;
  } catch {
    throw new Error('certificateFingerprintSha256: not a readable X.509 certificate (PEM expected)');
  }
  return createHash('sha256').update(der).digest('hex');
}

/**
 * 16 random bytes as a positive, minimally encoded DER INTEGER: the top bit is cleared (forge
 * writes the hex as-is, so a set top bit would make the serial negative) and the next bit set
 * (a leading zero byte would be a non-minimal encoding that strict parsers reject). 126 random
 * bits remain, well over RFC 5280's 64-bit recommendation.
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x3f) | 0x40;
  return bytes.toString('hex');
}

function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
