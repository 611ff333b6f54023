import {
  buildAuthorizationHeader,
  hmacSha1Signature,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  verifySignature,
} from '../../../src/apple/oauth1';

/*
 * Vector computed independently of this code, with the shell and openssl:
 *
 *   params='oauth_consumer_key=CK_48dd68d198350f51258e74e0e0ff4f6c&oauth_nonce=n0nce%21%2A%20x&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=AT_O8473841830L7dbd5b05a1e7e1e44c0d&oauth_version=1.0'
 *   enc=$(printf '%s' "$params" | sed -e 's/%/%25/g' -e 's/=/%3D/g' -e 's/&/%26/g')
 *   base="GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&$enc"
 *   key='CS_9f1%2Be%2F2%3D&AS_7c0d~x%21'
 *   printf '%s' "$base" | openssl dgst -sha1 -hmac "$key" -binary | base64
 *   -> iHbfMbRHVa5jKpIgoKDXCkCzLuk=
 *
 * The nonce and the secrets contain characters ("!", "*", " ", "+", "/", "=") that
 * encodeURIComponent alone would get wrong or that must be encoded in the key.
 */
const vector = {
  url: 'https://mdmenrollment.apple.com/session',
  credentials: {
    consumerKey: 'CK_48dd68d198350f51258e74e0e0ff4f6c',
    consumerSecret: 'CS_9f1+e/2=',
    accessToken: 'AT_O8473841830L7dbd5b05a1e7e1e44c0d',
    accessSecret: 'AS_7c0d~x!',
  },
  timestamp: 1700000000,
  nonce: 'n0nce!* x',
  baseString:
    'GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&oauth_consumer_key%3DCK_48dd68d198350f51258e74e0e0ff4f6c%26oauth_nonce%3Dn0nce%2521%252A%2520x%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3DAT_O8473841830L7dbd5b05a1e7e1e44c0d%26oauth_version%3D1.0',
  signature: 'iHbfMbRHVa5jKpIgoKDXCkCzLuk=',
};

const params = {
  oauth_consumer_key: vector.credentials.consumerKey,
  oauth_token: vector.credentials.accessToken,
  oauth_signature_method: 'HMAC-SHA1',
  oauth_timestamp: String(vector.timestamp),
  oauth_nonce: vector.nonce,
  oauth_version: '1.0',
};

describe('percentEncode (RFC 3986 unreserved set only)', () => {
  it('encodes the characters encodeURIComponent leaves alone', () => {
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
  });
  it('keeps unreserved characters and encodes space as %20, UTF-8 as bytes', () => {
    expect(percentEncode('aZ09-._~')).toBe('aZ09-._~');
    expect(percentEncode('a b+c/é')).toBe('a%20b%2Bc%2F%C3%A9');
  });
});

describe('signatureBaseString', () => {
  it('matches the independently computed base string', () => {
    expect(signatureBaseString('GET', vector.url, params)).toBe(vector.baseString);
  });
  it('ignores oauth_signature and realm, upper-cases the method and normalizes the URI', () => {
    const withExtras = { ...params, oauth_signature: 'x', realm: 'ADM' };
    expect(signatureBaseString('get', 'HTTPS://MDMEnrollment.apple.com:443/session', withExtras)).toBe(
      vector.baseString,
    );
  });
  it('includes query parameters in the sorted parameter string', () => {
    const base = signatureBaseString('GET', 'http://h:8080/p?b=2&a=1', { oauth_nonce: 'n' });
    expect(base).toBe('GET&http%3A%2F%2Fh%3A8080%2Fp&a%3D1%26b%3D2%26oauth_nonce%3Dn');
  });
});

describe('hmacSha1Signature', () => {
  it('matches openssl for the vector (key = pct(consumer secret)&pct(access secret))', () => {
    expect(
      hmacSha1Signature(vector.baseString, vector.credentials.consumerSecret, vector.credentials.accessSecret),
    ).toBe(vector.signature);
  });
  it('depends on the access secret (it is not empty in Apple\'s scheme)', () => {
    expect(hmacSha1Signature(vector.baseString, vector.credentials.consumerSecret, '')).not.toBe(vector.signature);
  });
});

describe('buildAuthorizationHeader / parseAuthorizationHeader / verifySignature', () => {
  const header = buildAuthorizationHeader({
    method: 'GET',
    url: vector.url,
    credentials: vector.credentials,
    timestamp: vector.timestamp,
    nonce: vector.nonce,
  });

  it('starts with the ADM realm and carries the percent-encoded signature', () => {
    expect(header.startsWith('OAuth realm="ADM", ')).toBe(true);
    expect(header).toContain(`oauth_signature="${percentEncode(vector.signature)}"`);
    expect(header).toContain('oauth_nonce="n0nce%21%2A%20x"');
    expect(header).toContain('oauth_signature_method="HMAC-SHA1"');
    expect(header).toContain('oauth_version="1.0"');
  });

  it('never contains the secrets', () => {
    expect(header).not.toContain(vector.credentials.consumerSecret);
    expect(header).not.toContain(vector.credentials.accessSecret);
  });

  it('parses back into the decoded parameters', () => {
    const parsed = parseAuthorizationHeader(header);
    expect(parsed).not.toBeNull();
    expect(parsed!.realm).toBe('ADM');
    expect(parsed!.params).toEqual({ ...params, oauth_signature: vector.signature });
  });

  it('verifies with the right secrets and URL, and rejects any change', () => {
    const parsed = parseAuthorizationHeader(header)!;
    const ok = { method: 'GET', url: vector.url, params: parsed.params, ...vector.credentials };
    expect(verifySignature(ok)).toBe(true);
    expect(verifySignature({ ...ok, accessSecret: 'AS_other' })).toBe(false);
    expect(verifySignature({ ...ok, consumerSecret: 'CS_other' })).toBe(false);
    expect(verifySignature({ ...ok, url: 'https://mdmenrollment.apple.com/account' })).toBe(false);
    expect(verifySignature({ ...ok, params: { ...parsed.params, oauth_timestamp: '1700000001' } })).toBe(false);
    const { oauth_signature: _dropped, ...unsigned } = parsed.params;
    expect(verifySignature({ ...ok, params: unsigned })).toBe(false);
  });

  it('rejects headers that are not OAuth or are malformed', () => {
    expect(parseAuthorizationHeader(undefined)).toBeNull();
    expect(parseAuthorizationHeader('Bearer abc')).toBeNull();
    expect(parseAuthorizationHeader('OAuth oauth_token=unquoted')).toBeNull();
    expect(parseAuthorizationHeader('OAuth a="1", a="2"')).toBeNull();
    expect(parseAuthorizationHeader('OAuth a="%E0%A4%A"')).toBeNull();
  });
});
