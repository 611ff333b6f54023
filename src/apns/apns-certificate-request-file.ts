/**
 * The request half of an Apple MDM push certificate: a new RSA 2048 key, a PKCS#10 CSR for it, and
 * (with an MDM vendor's signing certificate) the "push certificate request" Apple's Push
 * Certificates Portal takes: the base64 of an XML plist holding
 *   PushCertRequestCSR        base64 of the CSR's DER
 *   PushCertCertificateChain  the vendor certificate and its chain up to Apple's root, PEM
 *   PushCertSignature         base64 of the vendor key's SHA256withRSA signature over the CSR's DER
 * (Apple's "Setting up push notifications for your MDM customers"). Apple issues the certificate
 * for the CSR's key with its own subject (UID = the topic), so the subject asked for here is only
 * what the request shows.
 */
import { generateKeyPair as generateKeyPairCallback, sign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { distinguishedName, rsaPublicKeySha256 } from './apns-certificate-file';
import type { ApnsVendorCredentials } from './apns-vendor-credentials';

const generateKeyPair = promisify(generateKeyPairCallback);

/** Apple's portal issues push certificates for RSA 2048 requests (what Keychain Access and mdmctl make). */
export const REQUEST_KEY_BITS = 2048;

export interface CertificateRequestSubject {
  commonName: string;
  email: string | null;
  organization: string | null;
  /** ISO 3166 alpha-2. */
  country: string | null;
}

export interface GeneratedCertificateRequest {
  csrPem: string;
  csrDer: Buffer;
  /** PKCS#8 PEM, unencrypted: the caller seals it at once. */
  privateKeyPem: string;
  publicKeySha256: string;
  /** The subject on one line, as the certificate's is shown (distinguishedName). */
  subject: string;
}

export async function generateCertificateRequest(subject: CertificateRequestSubject): Promise<GeneratedCertificateRequest> {
  // node:crypto's generator runs off the event loop (forge's pure-JS one would block it for seconds).
  const { privateKey: privateKeyPem } = await generateKeyPair('rsa', {
    modulusLength: REQUEST_KEY_BITS,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = publicKey;
  const attributes: forge.pki.CertificateField[] = [
    ...(subject.country ? [{ name: 'countryName', value: subject.country, valueTagClass: forge.asn1.Type.PRINTABLESTRING as number }] : []),
    ...(subject.organization ? [{ name: 'organizationName', value: subject.organization, valueTagClass: forge.asn1.Type.UTF8 as number }] : []),
    { name: 'commonName', value: subject.commonName, valueTagClass: forge.asn1.Type.UTF8 as number },
    ...(subject.email ? [{ name: 'emailAddress', value: subject.email, valueTagClass: forge.asn1.Type.IA5STRING as number }] : []),
  ];
  csr.setSubject(attributes);
  csr.sign(privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary');
  return {
    csrPem: forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n'),
    csrDer: der,
    privateKeyPem: privateKeyPem.replace(/\r\n/g, '\n'),
    publicKeySha256: rsaPublicKeySha256(publicKey),
    subject: distinguishedName(csr.subject.attributes),
  };
}

const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The base64 push certificate request (the file an admin uploads at identity.apple.com). */
export function vendorSignedPushCertificateRequest(csrDer: Buffer, vendor: ApnsVendorCredentials): string {
  // RSASSA-PKCS1-v1_5 with SHA-256: Apple's "SHA256WithRSA" (node's default padding for RSA keys).
  const signature = sign('sha256', csrDer, vendor.privateKey).toString('base64');
  const entries: [string, string][] = [
    ['PushCertCertificateChain', vendor.chainPem.join('')],
    ['PushCertRequestCSR', csrDer.toString('base64')],
    ['PushCertSignature', signature],
  ];
  const plist = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    ...entries.flatMap(([key, value]) => [`\t<key>${key}</key>`, `\t<string>${xmlText(value)}</string>`]),
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
  return Buffer.from(plist, 'utf8').toString('base64');
}
