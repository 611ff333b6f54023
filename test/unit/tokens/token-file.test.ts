import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import forge from 'node-forge';
import { ManualClock } from '../../../src/clock';
import { generateVendorKeyPair, type VendorKeyPair } from '../../../src/tokens/key-pair.crypto';
import {
  MAX_TOKEN_FILE_BYTES,
  TOKEN_FILE_ERROR_CODES,
  TokenFileError,
  type TokenFileErrorCode,
  decryptServerToken,
  isServerTokenExpired,
  parseServerTokenPayload,
  readTokenEnvelope,
} from '../../../src/tokens/token-file';
import {
  APPLE_FIXTURE_DIR,
  REPO_ROOT,
  type AppleFixture,
  buildTokenFile,
  envelope,
  innerContent,
  loadAppleFixture,
  sampleTokenJson,
  smimeText,
} from '../../support/token-files';

function refusal(fn: () => unknown): TokenFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenFileError);
    expect(TOKEN_FILE_ERROR_CODES).toContain((error as TokenFileError).code);
    return error as TokenFileError;
  }
  throw new Error('expected a TokenFileError');
}

function expectRefusal(fn: () => unknown, code: TokenFileErrorCode, message?: RegExp): TokenFileError {
  const error = refusal(fn);
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** No refusal may quote a secret, a key or the file back. */
function expectNothingSecretIn(message: string, secrets: string[]): void {
  for (const secret of secrets) expect(message).not.toContain(secret);
  expect(message).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
}

describe("Apple's real server token (test/fixtures/apple)", () => {
  let apple: AppleFixture;
  const body = (): string => apple.tokenFileText.split(/\r?\n\r?\n/)[1]!;

  beforeAll(() => {
    apple = loadAppleFixture(); // throws when a file is missing: this suite never skips
  });

  it('is read from inside the repository, so a fresh clone has it', () => {
    expect(path.relative(REPO_ROOT, APPLE_FIXTURE_DIR)).toBe(path.join('test', 'fixtures', 'apple'));
    expect(apple.tokenFileText).toMatch(/^Content-Type: application\/pkcs7-mime;/);
  });

  it('is BER with indefinite lengths (body starts 30 80), which the parser reads', () => {
    expect(readTokenEnvelope(apple.tokenFileText).subarray(0, 2).toString('hex')).toBe('3080');
  });

  it('decrypts and parses as issued', () => {
    const payload = decryptServerToken(apple.tokenFileText, apple.privateKeyPem, apple.certificatePem);
    expect(payload.consumerKey).toMatch(/^CK_[0-9a-f]{96}$/);
    expect(payload.consumerSecret).toMatch(/^CS_\w+$/);
    expect(payload.accessToken).toMatch(/^AT_\w+$/);
    expect(payload.accessSecret).toMatch(/^AS_\w+$/);
    expect(payload.accessTokenExpiry.toISOString()).toBe('2026-01-17T11:02:21.000Z');
    expect(Object.keys(payload).sort()).toEqual(
      ['accessSecret', 'accessToken', 'accessTokenExpiry', 'consumerKey', 'consumerSecret'],
    );
  });

  it('has expired: for a clock at 2026-11-26 the token is expired', () => {
    const payload = decryptServerToken(apple.tokenFileText, apple.privateKeyPem, apple.certificatePem);
    const clock = new ManualClock('2026-11-26T00:00:00Z');
    expect(isServerTokenExpired(payload, clock.now())).toBe(true);
    clock.set('2026-01-17T11:02:20Z');
    expect(isServerTokenExpired(payload, clock.now())).toBe(false);
    clock.set('2026-01-17T11:02:21Z'); // expired from the expiry instant on
    expect(isServerTokenExpired(payload, clock.now())).toBe(true);
  });

  it.each<[string, (a: AppleFixture) => string | Buffer]>([
    ['the file bytes (Buffer)', (a) => a.tokenFileBytes],
    ['the file with CRLF line ends', (a) => a.tokenFileText.replace(/\r?\n/g, '\r\n')],
    ['base64 of the whole file', (a) => a.tokenFileBytes.toString('base64')],
    ['the bare base64 body', () => body()],
    ['the raw BER bytes', () => Buffer.from(body(), 'base64')],
  ])('decrypts from %s', (_, shape) => {
    const payload = decryptServerToken(shape(apple), apple.privateKeyPem, apple.certificatePem);
    expect(payload.accessTokenExpiry.toISOString()).toBe('2026-01-17T11:02:21.000Z');
  });

  it('decrypts without the certificate, and with the key as PKCS#8', () => {
    const pkcs8 = createPrivateKey(apple.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(decryptServerToken(apple.tokenFileText, pkcs8).consumerKey).toMatch(/^CK_/);
  });

  it('is refused as TOKEN_NOT_DECRYPTABLE for another key pair, naming the certificate it was made for', () => {
    const other = generateVendorKeyPair({ now: new Date('2026-11-26T00:00:00Z') });
    const error = expectRefusal(
      () => decryptServerToken(apple.tokenFileText, other.privateKeyPem, other.certificatePem),
      'TOKEN_NOT_DECRYPTABLE',
      /not encrypted for this key pair/,
    );
    expect(error.message).toContain('70feddc7d5afa393');
    expect(error.message).toContain('apple-mdm-client-tests');
    expect(error.message).toContain(other.serialNumber);
    expectRefusal(() => decryptServerToken(apple.tokenFileText, other.privateKeyPem), 'TOKEN_NOT_DECRYPTABLE');
  });
});

describe('generated server tokens', () => {
  const json = sampleTokenJson();
  const expected = {
    consumerKey: json.consumer_key,
    consumerSecret: json.consumer_secret,
    accessToken: json.access_token,
    accessSecret: json.access_secret,
    accessTokenExpiry: new Date('2027-03-04T05:06:07Z'),
  };
  const secrets = [json.consumer_key, json.consumer_secret, json.access_token, json.access_secret] as string[];
  let ours: VendorKeyPair;
  let other: VendorKeyPair;

  beforeAll(() => {
    const now = new Date('2026-11-26T00:00:00Z');
    ours = generateVendorKeyPair({ now });
    other = generateVendorKeyPair({ now });
  });

  describe('accepted variants', () => {
    it.each([
      ['aes128', false],
      ['aes256', false],
      ['3des', false],
      ['aes128', true],
      ['aes256', true],
      ['3des', true],
    ] as const)('content cipher %s (BER indefinite lengths: %s)', (cipher, ber) => {
      const file = buildTokenFile(ours.certificatePem, json, { cipher, ber });
      expect(decryptServerToken(file, ours.privateKeyPem, ours.certificatePem)).toEqual(expected);
    });

    it.each<[string, () => string | Buffer]>([
      ['application/pkcs7-mime', () => buildTokenFile(ours.certificatePem, json, { contentType: 'application/pkcs7-mime' })],
      ['application/x-pkcs7-mime', () => buildTokenFile(ours.certificatePem, json, { contentType: 'application/x-pkcs7-mime' })],
      ['LF line ends', () => buildTokenFile(ours.certificatePem, json, { lineEnding: '\n' })],
      ['CRLF line ends', () => buildTokenFile(ours.certificatePem, json, { lineEnding: '\r\n' })],
      ['an extra MIME-Version header', () => buildTokenFile(ours.certificatePem, json, { mimeVersion: true, lineEnding: '\r\n' })],
      ['a bare base64 body without headers', () => buildTokenFile(ours.certificatePem, json, { headers: false })],
      ['the raw DER bytes (Buffer)', () => envelope(ours.certificatePem, innerContent(json))],
      ['the raw BER bytes (Buffer)', () => envelope(ours.certificatePem, innerContent(json), { ber: true })],
      ['the file bytes (Buffer)', () => Buffer.from(buildTokenFile(ours.certificatePem, json))],
      ['the file bytes with a UTF-8 BOM', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(buildTokenFile(ours.certificatePem, json))])],
      ['base64 of the whole file', () => Buffer.from(buildTokenFile(ours.certificatePem, json)).toString('base64')],
      ['base64 of the whole CRLF file, wrapped', () =>
        (Buffer.from(buildTokenFile(ours.certificatePem, json, { lineEnding: '\r\n' })).toString('base64').match(/.{1,64}/g) ?? []).join('\n')],
      ['surrounding blank lines and a trailing space', () => `\n\n${buildTokenFile(ours.certificatePem, json)} \n\n`],
      ['a folded Content-Type header', () =>
        buildTokenFile(ours.certificatePem, json).replace('; name="smime.p7m";', ';\n\tname="smime.p7m";')],
      ['PEM armour (openssl -outform PEM)', () =>
        `-----BEGIN PKCS7-----\n${buildTokenFile(ours.certificatePem, json, { headers: false })}-----END PKCS7-----\n`],
    ])('%s', (_, make) => {
      expect(decryptServerToken(make(), ours.privateKeyPem, ours.certificatePem)).toEqual(expected);
    });

    it('decrypts without a certificate: the key decides', () => {
      expect(decryptServerToken(buildTokenFile(ours.certificatePem, json), ours.privateKeyPem)).toEqual(expected);
    });

    it('decrypts when the certificate given is not the recipient but the key is', () => {
      const file = buildTokenFile(ours.certificatePem, json);
      expect(decryptServerToken(file, ours.privateKeyPem, other.certificatePem)).toEqual(expected);
    });

    it('finds this key pair among several recipients, with or without the certificate', () => {
      const message = forge.pkcs7.createEnvelopedData();
      message.addRecipient(forge.pki.certificateFromPem(other.certificatePem));
      message.addRecipient(forge.pki.certificateFromPem(ours.certificatePem));
      message.content = forge.util.createBuffer(innerContent(json), 'utf8');
      message.encrypt(undefined, forge.pki.oids['aes128-CBC']);
      const der = Buffer.from(forge.asn1.toDer(message.toAsn1()).getBytes(), 'binary');
      expect(decryptServerToken(smimeText(der), ours.privateKeyPem, ours.certificatePem)).toEqual(expected);
      expect(decryptServerToken(smimeText(der), ours.privateKeyPem)).toEqual(expected);
    });

    it('accepts any string values and RFC 3339 expiries with offsets or fractions', () => {
      const file = buildTokenFile(ours.certificatePem, {
        ...json,
        consumer_key: `CK_${'0f'.repeat(16)}`,
        access_token_expiry: '2027-03-04T07:06:07.250+02:00',
      });
      const payload = decryptServerToken(file, ours.privateKeyPem, ours.certificatePem);
      expect(payload.consumerKey).toBe(`CK_${'0f'.repeat(16)}`);
      expect(payload.accessTokenExpiry.toISOString()).toBe('2027-03-04T05:06:07.250Z');
    });
  });

  describe('TOKEN_FILE_TOO_LARGE', () => {
    it('refuses more than the exported limit (1 MB), as text or bytes, before parsing anything', () => {
      expect(MAX_TOKEN_FILE_BYTES).toBe(1024 * 1024);
      expectRefusal(() => decryptServerToken('A'.repeat(MAX_TOKEN_FILE_BYTES + 1), ours.privateKeyPem), 'TOKEN_FILE_TOO_LARGE', /1048576 bytes/);
      expectRefusal(() => decryptServerToken(Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1, 0x30), ours.privateKeyPem), 'TOKEN_FILE_TOO_LARGE');
      // Multi-byte characters count as bytes.
      expectRefusal(() => decryptServerToken('é'.repeat(MAX_TOKEN_FILE_BYTES / 2 + 1), ours.privateKeyPem), 'TOKEN_FILE_TOO_LARGE');
    });

    it('lets exactly the limit through to the format checks', () => {
      expectRefusal(() => decryptServerToken('!'.repeat(MAX_TOKEN_FILE_BYTES), ours.privateKeyPem), 'TOKEN_FILE_UNREADABLE');
    });
  });

  describe('TOKEN_FILE_UNREADABLE', () => {
    const signedData = (): Buffer => {
      const message = forge.pkcs7.createSignedData();
      message.content = forge.util.createBuffer('hello', 'utf8');
      message.addCertificate(ours.certificatePem);
      message.addSigner({ key: ours.privateKeyPem, certificate: ours.certificatePem, digestAlgorithm: forge.pki.oids.sha256! });
      message.sign();
      return Buffer.from(forge.asn1.toDer(message.toAsn1()).getBytes(), 'binary');
    };
    const certificateDer = (): Buffer =>
      Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(ours.certificatePem))).getBytes(), 'binary');
    const goodBody = (): string => buildTokenFile(ours.certificatePem, json, { headers: false });

    it.each<[string, () => string | Buffer]>([
      ['an empty string', () => ''],
      ['whitespace', () => ' \r\n\t '],
      ['an empty Buffer', () => Buffer.alloc(0)],
      ['prose', () => 'Here is my token, thanks!'],
      ['random binary bytes', () => Buffer.from([0xff, 0x00, 0x13, 0x37, 0x80, 0x99])],
      ['bytes starting 0x30 that are not ASN.1', () => Buffer.from([0x30, 0x85, 0xff, 0x00, 0x01])],
      ['base64 of random bytes', () => Buffer.from('not asn.1 at all \x00\x01\x02\xff', 'binary').toString('base64')],
      ['base64 of plain text', () => Buffer.from('hello world').toString('base64')],
      ['a JSON upload', () => JSON.stringify(json)],
      ['MIME bytes with a non-ASCII header and a text/plain Content-Type', () =>
        Buffer.from(`Content-Type: text/plain; name="jeton-clé.txt"\n\n${goodBody()}`, 'utf8')],
      ['MIME with a text/plain Content-Type', () => goodBody().replace(/^/, 'Content-Type: text/plain\n\n')],
      ['MIME with a non-base64 transfer encoding', () =>
        `Content-Type: application/pkcs7-mime\nContent-Transfer-Encoding: quoted-printable\n\n${goodBody()}`],
      ['MIME headers without a body', () => 'Content-Type: application/pkcs7-mime\nContent-Transfer-Encoding: base64\n'],
      ['MIME with a body that is not base64', () => 'Content-Type: application/pkcs7-mime\n\n*** not base64 ***\n'],
      ['a truncated body', () => goodBody().slice(0, 400)],
      ['DER with trailing junk', () => Buffer.concat([envelope(ours.certificatePem, innerContent(json)), Buffer.from([0xde, 0xad])])],
      ['an X.509 certificate (ASN.1 but not CMS)', certificateDer],
      ['the certificate PEM pasted by mistake', () => ours.certificatePem],
      ['a PKCS#7 signed (not encrypted) message', signedData],
    ])('refuses %s', (_, make) => {
      const error = expectRefusal(() => decryptServerToken(make(), ours.privateKeyPem, ours.certificatePem), 'TOKEN_FILE_UNREADABLE');
      expectNothingSecretIn(error.message, secrets);
    });
  });

  describe('TOKEN_NOT_DECRYPTABLE', () => {
    it('refuses a token encrypted to another key pair, with or without the certificate', () => {
      const file = buildTokenFile(other.certificatePem, json);
      const error = expectRefusal(
        () => decryptServerToken(file, ours.privateKeyPem, ours.certificatePem),
        'TOKEN_NOT_DECRYPTABLE',
        /not encrypted for this key pair/,
      );
      expect(error.message).toContain(other.serialNumber);
      expectNothingSecretIn(error.message, secrets);
      expectRefusal(() => decryptServerToken(file, ours.privateKeyPem), 'TOKEN_NOT_DECRYPTABLE');
    });

    it('never turns a wrong key into garbage or a crash (many random content keys)', () => {
      for (let i = 0; i < 25; i += 1) {
        const file = buildTokenFile(other.certificatePem, json, { cipher: i % 2 ? 'aes256' : 'aes128' });
        expectRefusal(() => decryptServerToken(file, ours.privateKeyPem), 'TOKEN_NOT_DECRYPTABLE');
      }
    });

    /** An envelope to our certificate whose wrapped content key is replaced by `contentKey`. */
    const withWrappedKey = (contentKey: string): string => {
      const message = forge.pkcs7.createEnvelopedData();
      const cert = forge.pki.certificateFromPem(ours.certificatePem);
      message.addRecipient(cert);
      message.content = forge.util.createBuffer(innerContent(json), 'utf8');
      message.encrypt(undefined, forge.pki.oids['aes128-CBC']);
      const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
      message.recipients[0]!.encryptedContent.content = publicKey.encrypt(contentKey, 'RSAES-PKCS1-V1_5');
      return smimeText(Buffer.from(forge.asn1.toDer(message.toAsn1()).getBytes(), 'binary'));
    };

    it('refuses when the RSA layer opens but yields a content key of the wrong length', () => {
      expectRefusal(
        () => decryptServerToken(withWrappedKey(forge.random.getBytesSync(20)), ours.privateKeyPem, ours.certificatePem),
        'TOKEN_NOT_DECRYPTABLE',
        /addressed to this key pair's certificate but does not decrypt/,
      );
    });

    it('refuses when the content key is wrong (CBC padding / text check fails)', () => {
      for (let i = 0; i < 5; i += 1) {
        expectRefusal(
          () => decryptServerToken(withWrappedKey(forge.random.getBytesSync(16)), ours.privateKeyPem, ours.certificatePem),
          'TOKEN_NOT_DECRYPTABLE',
        );
      }
    });

    it('refuses a content cipher it does not support (RC2, labelled on an AES envelope)', () => {
      const message = forge.pkcs7.createEnvelopedData();
      message.addRecipient(forge.pki.certificateFromPem(ours.certificatePem));
      message.content = forge.util.createBuffer(innerContent(json), 'utf8');
      message.encrypt(undefined, forge.pki.oids['aes128-CBC']);
      (message as unknown as { encryptedContent: { algorithm: string } }).encryptedContent.algorithm = '1.2.840.113549.3.2';
      const file = smimeText(Buffer.from(forge.asn1.toDer(message.toAsn1()).getBytes(), 'binary'));
      expectRefusal(() => decryptServerToken(file, ours.privateKeyPem), 'TOKEN_NOT_DECRYPTABLE', /cipher this service does not support/);
    });

    it('refuses a key transport it does not support (RSA-OAEP label)', () => {
      const message = forge.pkcs7.createEnvelopedData();
      message.addRecipient(forge.pki.certificateFromPem(ours.certificatePem));
      message.content = forge.util.createBuffer(innerContent(json), 'utf8');
      message.encrypt(undefined, forge.pki.oids['aes128-CBC']);
      message.recipients[0]!.encryptedContent.algorithm = forge.pki.oids['RSAES-OAEP']!;
      const file = smimeText(Buffer.from(forge.asn1.toDer(message.toAsn1()).getBytes(), 'binary'));
      expectRefusal(() => decryptServerToken(file, ours.privateKeyPem), 'TOKEN_NOT_DECRYPTABLE', /RSA PKCS#1 v1\.5/);
    });
  });

  describe('TOKEN_PAYLOAD_MALFORMED', () => {
    const tokenWith = (content: string): string =>
      buildTokenFile(ours.certificatePem, content, { rawContent: true });
    const jsonToken = (value: Record<string, unknown> | string): string => buildTokenFile(ours.certificatePem, value);

    it.each<[string, () => string, RegExp]>([
      ['no MESSAGE block', () => tokenWith('Content-Type: text/plain\r\n\r\n' + JSON.stringify(json)), /no -----BEGIN MESSAGE-----/],
      ['BEGIN without END', () => tokenWith(`-----BEGIN MESSAGE-----\n${JSON.stringify(json)}\n`), /no -----BEGIN MESSAGE-----/],
      ['bad JSON', () => jsonToken(JSON.stringify(json).slice(0, -5)), /not valid JSON/],
      ['a JSON array', () => jsonToken(JSON.stringify([json])), /not a JSON object/],
      ['JSON null', () => jsonToken('null'), /not a JSON object/],
      ['a missing field', () => jsonToken(sampleTokenJson({ consumer_secret: undefined })), /fields: consumer_secret\.$/],
      ['an empty field', () => jsonToken(sampleTokenJson({ access_token: '' })), /fields: access_token\.$/],
      ['a blank field', () => jsonToken(sampleTokenJson({ access_secret: '   ' })), /fields: access_secret\.$/],
      ['a non-string field', () => jsonToken(sampleTokenJson({ consumer_key: 12345 })), /fields: consumer_key\.$/],
      ['a null expiry', () => jsonToken(sampleTokenJson({ access_token_expiry: null })), /fields: access_token_expiry\.$/],
      ['several missing fields', () => jsonToken({ consumer_key: json.consumer_key }), /consumer_secret, access_token, access_secret, access_token_expiry/],
      ['an unparseable expiry', () => jsonToken(sampleTokenJson({ access_token_expiry: 'next year' })), /access_token_expiry .*RFC 3339/],
      ['an impossible date', () => jsonToken(sampleTokenJson({ access_token_expiry: '2027-02-29T00:00:00Z' })), /RFC 3339/],
      ['an expiry without a time zone', () => jsonToken(sampleTokenJson({ access_token_expiry: '2027-03-04T05:06:07' })), /RFC 3339/],
      ['an expiry that is a date only', () => jsonToken(sampleTokenJson({ access_token_expiry: '2027-03-04' })), /RFC 3339/],
    ])('refuses %s, quoting no value', (_, make, message) => {
      const error = expectRefusal(() => decryptServerToken(make(), ours.privateKeyPem, ours.certificatePem), 'TOKEN_PAYLOAD_MALFORMED', message);
      expectNothingSecretIn(error.message, secrets);
    });
  });

  it('reports a bad stored private key as a server fault, not a token error, without echoing it', () => {
    const file = buildTokenFile(ours.certificatePem, json);
    // Garble the first base64 line whatever the generated key holds (a pattern that needs ten
    // letters at a line's end finds none in about one key in thirty, and the test then passed a good key).
    const lines = ours.privateKeyPem.split('\n');
    lines[1] = '!'.repeat(lines[1].length);
    const garbledKey = lines.join('\n');
    expect(garbledKey).not.toBe(ours.privateKeyPem);
    let error: unknown;
    try {
      decryptServerToken(file, garbledKey);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TokenFileError);
    expect((error as Error).message).toMatch(/private key is not a readable/);
    expect((error as Error).message).not.toContain(ours.privateKeyPem.split('\n')[1]);
  });
});

describe('parseServerTokenPayload (expiry formats)', () => {
  const payloadWith = (expiry: string): string => innerContent(sampleTokenJson({ access_token_expiry: expiry }));

  it.each([
    ['2026-01-17T11:02:21Z', '2026-01-17T11:02:21.000Z'],
    ['2026-01-17t11:02:21z', '2026-01-17T11:02:21.000Z'],
    ['2026-01-17 11:02:21Z', '2026-01-17T11:02:21.000Z'],
    ['2026-01-17T11:02:21.5Z', '2026-01-17T11:02:21.500Z'],
    ['2026-01-17T11:02:21.123456Z', '2026-01-17T11:02:21.123Z'],
    ['2026-01-17T12:02:21+01:00', '2026-01-17T11:02:21.000Z'],
    ['2026-01-16T23:32:21-11:30', '2026-01-17T11:02:21.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseServerTokenPayload(payloadWith(text)).accessTokenExpiry.toISOString()).toBe(iso);
  });

  it.each(['2026-13-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-17T24:00:00Z', '2026-01-17T11:60:00Z',
    '2026-01-17T11:02:60Z', '2026-01-17T11:02:21+24:00', '17/01/2026', '1737111741', ' '])('refuses %s', (text) => {
    expectRefusal(() => parseServerTokenPayload(payloadWith(text)), 'TOKEN_PAYLOAD_MALFORMED');
  });
});
