/**
 * Reading an Apple Configurator certificate an admin uploads (the supervision identity's public
 * certificate, exported from Apple Configurator). Profiles that allow pairing "by certificate" send
 * it to Apple as base64 DER in `supervising_host_certs`.
 *
 * Accepted: exactly one X.509 certificate, as PEM (`-----BEGIN CERTIFICATE-----`, surrounding text
 * such as OpenSSL's "Bag Attributes" ignored) or as bare base64 of the DER bytes (line breaks and
 * spaces allowed). Everything else is refused with CONFIGURATOR_CERTIFICATE_INVALID and a message
 * that never repeats the input: admins sometimes paste the wrong file, and that file may be a
 * private key.
 *
 * node-forge reads the PEM armour and checks the DER strictly (trailing bytes refused, which
 * node:crypto tolerates); node:crypto then reads the certificate fields, because forge only parses
 * certificates with RSA keys and a Configurator identity need not be RSA. The validity period is
 * returned, not judged: whether an expired certificate may still be uploaded is the service's call.
 */
import { X509Certificate, createHash } from 'node:crypto';
import forge from 'node-forge';
import { ProfileRuleError } from './profile.errors';

/** Certificates are ~1–2 KB; a cap keeps a pasted archive from being parsed at all. */
export const MAX_CONFIGURATOR_CERTIFICATE_INPUT_CHARS = 64 * 1024;

export interface ConfiguratorCertificate {
  /** Canonical PEM (64-column base64, LF line ends), whatever form was uploaded. */
  pem: string;
  /** What Apple's `supervising_host_certs` takes. */
  derBase64: string;
  /** RFC 4514 style, most specific first: `CN=Apple Configurator, O=Acme, C=US`. */
  subject: string;
  /** SHA-256 over the DER, 64 lower-case hex characters; identifies the certificate (duplicates). */
  thumbprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

export type ConfiguratorCertificateProblem =
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'PRIVATE_KEY'
  | 'CERTIFICATE_REQUEST'
  | 'NOT_A_CERTIFICATE'
  | 'MULTIPLE_CERTIFICATES'
  | 'MALFORMED';

const MESSAGES: Record<ConfiguratorCertificateProblem, string> = {
  EMPTY: 'No Apple Configurator certificate was given.',
  TOO_LARGE: 'The Apple Configurator certificate is too large to be a single certificate.',
  PRIVATE_KEY:
    'This is a private key, not a certificate. Upload only the certificate exported from Apple Configurator, and keep the private key on the Mac it came from.',
  CERTIFICATE_REQUEST: 'This is a certificate signing request, not a certificate. Upload the certificate exported from Apple Configurator.',
  NOT_A_CERTIFICATE: 'This is not an X.509 certificate. Upload the certificate exported from Apple Configurator as PEM or base64 DER.',
  MULTIPLE_CERTIFICATES: 'This contains more than one certificate. Upload one Apple Configurator certificate at a time.',
  MALFORMED: 'The Apple Configurator certificate could not be read. Upload it as PEM ("-----BEGIN CERTIFICATE-----") or as base64 DER.',
};

function invalid(problem: ConfiguratorCertificateProblem): ProfileRuleError {
  // `field` names the addAppleConfiguratorCertificate input field; no cause is attached so that no
  // parser message (which could quote bytes) travels with the error.
  return new ProfileRuleError('CONFIGURATOR_CERTIFICATE_INVALID', MESSAGES[problem], { field: 'pem', reason: problem });
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseConfiguratorCertificate(input: string): ConfiguratorCertificate {
  if (typeof input !== 'string' || input.trim() === '') throw invalid('EMPTY');
  if (input.length > MAX_CONFIGURATOR_CERTIFICATE_INPUT_CHARS) throw invalid('TOO_LARGE');

  const derBinary = input.includes('-----BEGIN') ? derFromPem(input) : derFromBase64(input);

  try {
    // `true` = strict DER; forge also requires every byte consumed (parseAllBytes defaults on), so
    // one certificate and nothing after it.
    forge.asn1.fromDer(derBinary, true);
  } catch {
    throw invalid('MALFORMED');
  }

  const der = Buffer.from(derBinary, 'binary');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    // Valid DER but not a certificate: a key, a CSR or something else in base64 form.
    throw invalid('NOT_A_CERTIFICATE');
  }

  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw invalid('MALFORMED');

  const derBase64 = der.toString('base64');
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${derBase64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`,
    derBase64,
    subject: readableName(x509.subject),
    thumbprintSha256: createHash('sha256').update(der).digest('hex'),
    notBefore,
    notAfter,
  };
}

function derFromPem(input: string): string {
  let messages: forge.pem.ObjectPEM[];
  try {
    messages = forge.pem.decode(input);
  } catch {
    throw invalid('MALFORMED');
  }
  if (messages.length === 0) throw invalid('MALFORMED');
  // Judge the worst block first: a private key anywhere in the paste is named as such.
  const types = messages.map((m) => m.type);
  if (types.some((t) => /PRIVATE KEY/.test(t))) throw invalid('PRIVATE_KEY');
  if (types.some((t) => /CERTIFICATE REQUEST/.test(t))) throw invalid('CERTIFICATE_REQUEST');
  if (types.some((t) => t !== 'CERTIFICATE')) throw invalid('NOT_A_CERTIFICATE');
  if (messages.length > 1) throw invalid('MULTIPLE_CERTIFICATES');
  const [message] = messages;
  // Encrypted PEM (Proc-Type) makes no sense for a public certificate.
  if (message.procType) throw invalid('MALFORMED');
  return message.body;
}

function derFromBase64(input: string): string {
  const compact = input.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw invalid('MALFORMED');
  return Buffer.from(compact, 'base64').toString('binary');
}

/**
 * node:crypto prints the subject one attribute per line, in certificate order (least specific
 * first) and already escaped the RFC 4514 way (`O=Acme\, Inc.`); readers expect the most specific
 * attribute (CN) first on one line.
 */
function readableName(multiline: string): string {
  return multiline
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(', ');
}
