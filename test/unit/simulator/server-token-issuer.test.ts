import forge from 'node-forge';
import { issueServerTokenFile, serverTokenInnerText } from '../../../src/simulator/server-token-issuer';
import { loadAppleFixture } from '../../support/token-files';
import { decryptTokenFile, makeVendorIdentity } from '../../support/sim-support';

const payload = {
  consumer_key: `CK_${'ab'.repeat(48)}`,
  consumer_secret: 'CS_0123456789abcdef0123456789abcdef01234567',
  access_token: 'AT_O1234567890abcdef',
  access_secret: 'AS_fedcba9876543210fedcba9876543210fedcba98',
  access_token_expiry: '2026-06-01T08:00:00Z',
};

describe('issueServerTokenFile', () => {
  const vendor = makeVendorIdentity();

  it("has Apple's four MIME headers, LF line ends and base64 at 76 columns, like Apple's sample", () => {
    const file = issueServerTokenFile(vendor.certificatePem, payload);
    const lines = file.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      'Content-Description: S/MIME Encrypted Message',
      '',
    ]);
    // Same header block, byte for byte, as the real Apple-issued file.
    const apple = loadAppleFixture().tokenFileText;
    expect(file.slice(0, file.indexOf('\n\n'))).toBe(apple.slice(0, apple.indexOf('\n\n')));
    const body = lines.slice(5).filter((l) => l !== '');
    expect(body.length).toBeGreaterThan(5);
    expect(body.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(body[body.length - 1].length).toBeLessThanOrEqual(76);
    expect(file).not.toContain('\r');
    expect(file.endsWith('\n')).toBe(true);
  });

  it("inner payload has the layout of Apple's decrypted sample (CRLF headers, LF message lines)", () => {
    const apple = loadAppleFixture();
    const fixture = decryptTokenFile(apple.tokenFileText, forge.pki.privateKeyFromPem(apple.privateKeyPem));
    const ours = serverTokenInnerText(payload);
    const shape = (text: string) => text.replace(/\{.*\}/, '{JSON}');
    expect(shape(ours)).toBe(shape(fixture.innerText));
    expect(Object.keys(JSON.parse(/\{.*\}/.exec(ours)![0]) as object)).toEqual(Object.keys(fixture.json));
  });

  it('decrypts with the vendor private key (node-forge) to the payload, AES-128-CBC', () => {
    const token = decryptTokenFile(issueServerTokenFile(vendor.certificatePem, payload), vendor.privateKey);
    expect(token.json).toEqual(payload);
    expect(token.cipherOid).toBe(forge.pki.oids['aes128-CBC']);
    expect(token.innerText).toBe(serverTokenInnerText(payload));
    expect(token.innerText.startsWith('Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n')).toBe(true);
    const jsonLine = token.innerText.split('\r\n')[3].split('\n')[1];
    expect(JSON.parse(jsonLine)).toEqual(payload); // one-line JSON between the markers
  });

  it('addresses the envelope to the certificate (issuer + serial) and cannot be read with another key', () => {
    const file = issueServerTokenFile(vendor.certificatePem, payload);
    const other = makeVendorIdentity('someone else');
    expect(() => decryptTokenFile(file, other.privateKey)).toThrow();
  });

  it.each([
    [{ cipher: 'aes256' as const }, 'aes256-CBC'],
    [{ cipher: '3des' as const }, 'des-EDE3-CBC'],
  ])('supports cipher variant %j', (options, oidName) => {
    const token = decryptTokenFile(issueServerTokenFile(vendor.certificatePem, payload, options), vendor.privateKey);
    expect(token.cipherOid).toBe(forge.pki.oids[oidName]);
    expect(token.json).toEqual(payload);
  });

  it('supports x-pkcs7-mime, CRLF line ends and a bare body', () => {
    const x = issueServerTokenFile(vendor.certificatePem, payload, { contentType: 'application/x-pkcs7-mime', lineEnding: '\r\n' });
    expect(x.startsWith('Content-Type: application/x-pkcs7-mime; name="smime.p7m"')).toBe(true);
    expect(x.replace(/\r\n/g, '')).not.toContain('\n');
    expect(decryptTokenFile(x, vendor.privateKey).json).toEqual(payload);

    const bare = issueServerTokenFile(vendor.certificatePem, payload, { headers: false });
    expect(bare).not.toContain('Content-');
    expect(bare.split('\n')[0]).toHaveLength(76);
    expect(decryptTokenFile(bare, vendor.privateKey).json).toEqual(payload);
  });

  it('refuses something that is not a certificate', () => {
    expect(() => issueServerTokenFile('not a pem', payload)).toThrow();
  });
});
