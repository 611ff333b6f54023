/**
 * Builds a DEP server token file (`*_smime.p7m`) the way Apple's portal does (spec §1): the OAuth
 * credentials in a small MIME text part, enveloped (CMS EnvelopedData) to the vendor certificate the
 * admin uploaded, with RSA PKCS#1 v1.5 key transport, base64 at 76 columns behind four MIME headers.
 * Options produce the variants other tools emit, for tests of the token parser.
 */
import forge from 'node-forge';

export interface ServerTokenPayload {
  consumer_key: string;
  consumer_secret: string;
  access_token: string;
  access_secret: string;
  access_token_expiry: string;
}

export interface IssueServerTokenOptions {
  /** Content cipher; Apple uses AES-128-CBC. */
  cipher?: 'aes128' | 'aes256' | '3des';
  contentType?: 'application/pkcs7-mime' | 'application/x-pkcs7-mime';
  /** Line ending of the outer file (headers and base64 lines); Apple's sample uses LF. */
  lineEnding?: '\n' | '\r\n';
  /** false: only the base64 body, as some tools save it. */
  headers?: boolean;
}

const CIPHER_OIDS: Record<NonNullable<IssueServerTokenOptions['cipher']>, string> = {
  aes128: forge.pki.oids['aes128-CBC'],
  aes256: forge.pki.oids['aes256-CBC'],
  '3des': forge.pki.oids['des-EDE3-CBC'],
};

/**
 * The decrypted payload, byte for byte like Apple's sample (test/fixtures/apple/server-token.p7m):
 * CRLF after the MIME header lines, then LF-terminated marker and JSON lines.
 */
export function serverTokenInnerText(payload: ServerTokenPayload): string {
  const json = JSON.stringify({
    consumer_key: payload.consumer_key,
    consumer_secret: payload.consumer_secret,
    access_token: payload.access_token,
    access_secret: payload.access_secret,
    access_token_expiry: payload.access_token_expiry,
  });
  return (
    'Content-Type: text/plain;charset=UTF-8\r\n' +
    'Content-Transfer-Encoding: 7bit\r\n' +
    '\r\n' +
    '-----BEGIN MESSAGE-----\n' +
    `${json}\n` +
    '-----END MESSAGE-----\n'
  );
}

export function issueServerTokenFile(
  certificatePem: string,
  payload: ServerTokenPayload,
  options: IssueServerTokenOptions = {},
): string {
  const certificate = forge.pki.certificateFromPem(certificatePem);
  const envelope = forge.pkcs7.createEnvelopedData();
  envelope.addRecipient(certificate);
  envelope.content = forge.util.createBuffer(forge.util.encodeUtf8(serverTokenInnerText(payload)));
  envelope.encrypt(undefined, CIPHER_OIDS[options.cipher ?? 'aes128']);
  const der = forge.asn1.toDer(envelope.toAsn1()).getBytes();
  const base64 = Buffer.from(der, 'binary').toString('base64');

  const eol = options.lineEnding ?? '\n';
  const body = (base64.match(/.{1,76}/g) ?? []).join(eol) + eol;
  if (options.headers === false) return body;
  const contentType = options.contentType ?? 'application/pkcs7-mime';
  return (
    [
      `Content-Type: ${contentType}; name="smime.p7m"; smime-type=enveloped-data`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      'Content-Description: S/MIME Encrypted Message',
      '',
    ].join(eol) +
    eol +
    body
  );
}
