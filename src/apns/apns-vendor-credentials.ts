/**
 * The MDM vendor's "MDM CSR" signing certificate and key (APNS_VENDOR_CERTIFICATE /
 * APNS_VENDOR_PRIVATE_KEY), read and checked once at start: Apple's Push Certificates Portal only
 * takes a push-certificate request signed by an MDM vendor Apple enrolled, with the vendor's
 * certificate chain up to Apple's root. node:crypto only (no forge): src/config.ts loads this, and
 * the telemetry preload loads src/config.ts before anything else.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

export interface ApnsVendorCredentials {
  /**
   * The vendor certificate first, then the certificates configured after it (Apple's WWDR
   * intermediate, Apple Inc. Root), each re-encoded as standard PEM (64-character lines, which
   * Apple's portal insists on).
   */
  chainPem: string[];
  /** The vendor's RSA key, decrypted; a KeyObject so that a stray JSON.stringify of the config shows nothing. */
  privateKey: KeyObject;
  /** The vendor certificate's subject on one line. */
  subject: string;
  notAfter: Date;
  /** Whether the chain ends in a self-signed root, as Apple's portal needs (depgate cannot fetch Apple's certificates). */
  chainComplete: boolean;
}

export class ApnsVendorCredentialsError extends Error {
  constructor(
    readonly variable: 'APNS_VENDOR_CERTIFICATE' | 'APNS_VENDOR_PRIVATE_KEY' | 'APNS_VENDOR_PRIVATE_KEY_PASSWORD',
    problem: string,
  ) {
    super(problem);
    this.name = 'ApnsVendorCredentialsError';
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

/** Reads the PEM texts; every problem is named by its variable and never quotes a key. */
export function readApnsVendorCredentials(input: { certificate: string; privateKey: string; password?: string }): ApnsVendorCredentials {
  const blocks = [...input.certificate.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new ApnsVendorCredentialsError('APNS_VENDOR_CERTIFICATE', 'holds no PEM certificate');
  if (blocks.some((b) => b[1] !== 'CERTIFICATE')) {
    throw new ApnsVendorCredentialsError('APNS_VENDOR_CERTIFICATE', 'must hold certificates only (the key goes in APNS_VENDOR_PRIVATE_KEY)');
  }
  const certificates = blocks.map((b, i) => {
    try {
      return new X509Certificate(b[0]);
    } catch {
      throw new ApnsVendorCredentialsError('APNS_VENDOR_CERTIFICATE', `certificate ${i + 1} is not a readable X.509 certificate`);
    }
  });

  if (!input.privateKey.includes('PRIVATE KEY-----')) throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY', 'is not a PEM private key');
  // Encrypted PKCS#8, or a traditional PEM key with a Proc-Type header (`openssl rsa -aes256`).
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/.test(input.privateKey);
  if (encrypted && !input.password) throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY_PASSWORD', 'is needed: APNS_VENDOR_PRIVATE_KEY is encrypted');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: input.privateKey, format: 'pem', ...(encrypted ? { passphrase: input.password } : {}) });
  } catch {
    if (encrypted) throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY_PASSWORD', 'does not open APNS_VENDOR_PRIVATE_KEY');
    throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY', 'is not a readable PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY', 'must be an RSA key (Apple signs MDM vendor certificates for RSA keys)');

  const [vendor] = certificates;
  if (!vendor.checkPrivateKey(privateKey)) {
    throw new ApnsVendorCredentialsError('APNS_VENDOR_PRIVATE_KEY', 'does not belong to the first certificate of APNS_VENDOR_CERTIFICATE (the vendor certificate comes first, its chain after it)');
  }
  // Apple checks the chain; a misordered one would only be refused there, days later.
  for (let i = 0; i + 1 < certificates.length; i++) {
    if (!certificates[i].checkIssued(certificates[i + 1]) || !certificates[i].verify(certificates[i + 1].publicKey)) {
      throw new ApnsVendorCredentialsError(
        'APNS_VENDOR_CERTIFICATE',
        `certificate ${i + 2} did not issue certificate ${i + 1}: order the chain vendor certificate, Apple WWDR intermediate, Apple Inc. Root`,
      );
    }
  }
  const last = certificates[certificates.length - 1];
  return {
    chainPem: certificates.map((c) => c.toString().replace(/\r\n/g, '\n').trimEnd() + '\n'),
    privateKey,
    subject: oneLine(vendor.subject),
    notAfter: new Date(vendor.validTo),
    chainComplete: last.checkIssued(last) && last.verify(last.publicKey),
  };
}
