/**
 * The simulator's OAuth 1.0a verifier against published vectors (RFC 5849 §1.2 and §3.4.1, Twitter's
 * "Creating a signature" guide), against what the real DEP client signs, and against bad requests.
 * Pure: no servers.
 */
import { buildAuthorizationHeader } from '../../../src/apple/oauth1';
import {
  baseStringUri,
  decodeFormParams,
  hmacSha1,
  normalizeParams,
  parseOAuthHeader,
  rfc5849Encode,
  signatureBaseString,
  verifyOAuthRequest,
  type OAuthClientRecord,
  type OAuthParam,
  type VerifyOptions,
} from '../../../src/simulator/oauth1-verifier';

const TEN_MINUTES = 10 * 60_000;

/** A verifier context with one client and a real replay memory. */
function context(consumerKey: string, client: OAuthClientRecord, nowMs: number): VerifyOptions<OAuthClientRecord> {
  const seen = new Set<string>();
  return {
    nowMs,
    timestampWindowMs: TEN_MINUTES,
    findClient: (key) => (key === consumerKey ? client : undefined),
    useNonce: (key, nonce) => {
      const id = `${key} ${nonce}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
  };
}

describe('rfc5849Encode (RFC 5849 §3.6)', () => {
  it('keeps only ALPHA, DIGIT and "-._~"; everything else is %XX of the UTF-8 bytes, upper-case hex', () => {
    expect(rfc5849Encode('AZaz09-._~')).toBe('AZaz09-._~');
    expect(rfc5849Encode("!'()*")).toBe('%21%27%28%29%2A');
    expect(rfc5849Encode(' +/=&%')).toBe('%20%2B%2F%3D%26%25');
    expect(rfc5849Encode('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
  });
});

describe('RFC 5849 §3.4.1 example (POST with query, form body and header parameters)', () => {
  const url = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
  const authorization =
    'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ' +
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ' +
    'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"';
  const formBody = 'c2&a3=2+q';

  it('parses the header into decoded parameters, realm included', () => {
    expect(parseOAuthHeader(authorization)).toEqual([
      ['realm', 'Example'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw='],
    ]);
  });

  it('normalizes the decoded parameter table as §3.4.1.3.2 prints it', () => {
    const table: OAuthParam[] = [
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['c2', ''],
      ['a3', '2 q'],
    ];
    expect(normalizeParams(table)).toBe(
      'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2' +
        '&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201' +
        '&oauth_token=kkk9d7dh3k39sjv7',
    );
  });

  it('builds the base string of §3.4.1.1 from the raw request (query, "+" in the body, realm dropped)', () => {
    expect(signatureBaseString({ method: 'post', url, headerParams: parseOAuthHeader(authorization)!, formBody })).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da' +
        '%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2' +
        '%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1' +
        '%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('decodes the query and body as application/x-www-form-urlencoded (§3.4.1.3.1), refusing broken escapes', () => {
    expect(decodeFormParams(formBody)).toEqual([
      ['c2', ''],
      ['a3', '2 q'],
    ]);
    expect(decodeFormParams('b5=%3D%253D&&c%40=')).toEqual([
      ['b5', '=%3D'],
      ['c@', ''],
    ]);
    expect(decodeFormParams('a=%E0%A4%A')).toBeNull();
    expect(decodeFormParams('%ZZ=1')).toBeNull();
  });

  it('derives the base string URI as §3.4.1.2 does', () => {
    expect(baseStringUri(new URL('HTTP://EXAMPLE.COM:80/r%20v/X?id=123'))).toBe('http://example.com/r%20v/X');
    expect(baseStringUri(new URL('https://www.example.net:8080/?q=1'))).toBe('https://www.example.net:8080/');
    expect(baseStringUri(new URL('https://mdmenrollment.apple.com:443/session'))).toBe(
      'https://mdmenrollment.apple.com/session',
    );
  });
});

describe('RFC 5849 §1.2 example (GET photos, full signature)', () => {
  const url = 'http://photos.example.net/photos?file=vacation.jpg&size=original';
  const authorization =
    'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ' +
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", ' +
    'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"';
  const client = { accessToken: 'nnch734d00sl2jdk', consumerSecret: 'kd94hf93k423kf44', accessSecret: 'pfkkdhi9sl3r4s00' };

  it('has the RFC base string and signature', () => {
    const base = signatureBaseString({ method: 'GET', url, headerParams: parseOAuthHeader(authorization)! });
    expect(base).toBe(
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key' +
        '%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1' +
        '%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal',
    );
    expect(hmacSha1(base!, client.consumerSecret, client.accessSecret)).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });

  it('accepts the request', () => {
    const result = verifyOAuthRequest(
      { method: 'GET', url, authorization },
      context('dpf43f3p2l4k3l03', client, 137131202_000),
    );
    expect(result).toEqual({ ok: true, client });
  });
});

describe("Twitter's signature example (POST, query + form body, reserved characters)", () => {
  const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true';
  const formBody = 'status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21';
  const client = {
    accessToken: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
    consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
    accessSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  };
  const authorization =
    'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", ' +
    'oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", ' +
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", ' +
    'oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"';

  it('has the published base string and signature', () => {
    const base = signatureBaseString({ method: 'POST', url, headerParams: parseOAuthHeader(authorization)!, formBody });
    expect(base).toBe(
      'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue' +
        '%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg' +
        '%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958' +
        '%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0' +
        '%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521',
    );
    expect(hmacSha1(base!, client.consumerSecret, client.accessSecret)).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('accepts the request, and refuses it without the body the signature covers', () => {
    const ctx = () => context('xvz1evFS4wEEPTGEFPHBog', client, 1318622958_000);
    expect(verifyOAuthRequest({ method: 'POST', url, authorization, formBody }, ctx()).ok).toBe(true);
    expect(verifyOAuthRequest({ method: 'POST', url, authorization }, ctx())).toEqual({
      ok: false,
      problem: 'signature_invalid',
    });
  });
});

describe('what the DEP client (src/apple/oauth1.ts) signs', () => {
  // The secrets and the nonce hold characters that a sloppy encoder gets wrong ("+", "/", "=", "!", "*", " ").
  const consumerKey = 'CK_48dd68d198350f51258e74e0e0ff4f6c';
  const client = {
    accessToken: 'AT_O8473841830L7dbd5b05a1e7e1e44c0d',
    consumerSecret: 'CS_9f1+e/2=',
    accessSecret: 'AS_7c0d~x!',
  };
  const timestamp = 1700000000;
  const sign = (url: string, nonce = 'n0nce!* x', credentials = client) =>
    buildAuthorizationHeader({ method: 'GET', url, credentials: { consumerKey, ...credentials }, timestamp, nonce });
  const verify = (url: string, authorization: string, at = timestamp * 1000) =>
    verifyOAuthRequest({ method: 'GET', url, authorization }, context(consumerKey, client, at));

  it('verifies Apple-style session requests, with a port and a query too', () => {
    for (const url of [
      'https://mdmenrollment.apple.com/session',
      'http://127.0.0.1:4010/session',
      'http://127.0.0.1:4010/session?x=a%20b&y=%2B!',
    ]) {
      expect(verify(url, sign(url))).toEqual({ ok: true, client });
    }
  });

  it('signs the base string this verifier derives (the openssl vector of test/unit/apple/oauth1.test.ts)', () => {
    const url = 'https://mdmenrollment.apple.com/session';
    const headerParams = parseOAuthHeader(sign(url))!;
    const base = signatureBaseString({ method: 'GET', url, headerParams })!;
    expect(hmacSha1(base, client.consumerSecret, client.accessSecret)).toBe('iHbfMbRHVa5jKpIgoKDXCkCzLuk=');
    expect(new Map(headerParams).get('oauth_signature')).toBe('iHbfMbRHVa5jKpIgoKDXCkCzLuk=');
  });

  describe('refusals', () => {
    const url = 'https://mdmenrollment.apple.com/session';
    const good = sign(url);
    /** The client's header with one parameter replaced (undefined drops it), signature left as it was. */
    const edit = (name: string, value: string | undefined) => {
      const params = parseOAuthHeader(good)!.filter(([n]) => n !== name);
      if (value !== undefined) params.push([name, value]);
      return 'OAuth ' + params.map(([n, v]) => `${n}="${rfc5849Encode(v)}"`).join(', ');
    };
    const problem = (authorization: string | undefined, requestUrl = url, at = timestamp * 1000) => {
      const result = verifyOAuthRequest({ method: 'GET', url: requestUrl, authorization }, context(consumerKey, client, at));
      return result.ok ? 'ok' : result.problem;
    };

    it('a tampered signature', () => {
      const signature = new Map(parseOAuthHeader(good)!).get('oauth_signature')!;
      const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
      expect(problem(edit('oauth_signature', flipped))).toBe('signature_invalid');
      expect(problem(edit('oauth_signature', signature + '='))).toBe('signature_invalid');
    });

    it('a wrong consumer secret or access secret', () => {
      expect(problem(sign(url, 'n1', { ...client, consumerSecret: 'CS_9f1+e/2' }))).toBe('signature_invalid');
      expect(problem(sign(url, 'n2', { ...client, accessSecret: 'AS_7c0d~x' }))).toBe('signature_invalid');
      // Swapping the two halves of the key is a different key.
      const swapped = { ...client, consumerSecret: client.accessSecret, accessSecret: client.consumerSecret };
      expect(problem(sign(url, 'n3', swapped))).toBe('signature_invalid');
    });

    it('a changed parameter, path, host or query', () => {
      expect(problem(edit('oauth_timestamp', String(timestamp + 1)))).toBe('signature_invalid');
      expect(problem(edit('oauth_nonce', 'other'))).toBe('signature_invalid');
      expect(problem(edit('oauth_version', undefined))).toBe('signature_invalid');
      expect(problem(good, 'https://mdmenrollment.apple.com/account')).toBe('signature_invalid');
      expect(problem(good, 'https://evil.example.com/session')).toBe('signature_invalid');
      expect(problem(good, `${url}?extra=1`)).toBe('signature_invalid');
      expect(problem(good, `${url}?x=%E0%A4%A`)).toBe('signature_invalid');
    });

    it('a replayed nonce, but only once the signature is good', () => {
      const ctx = context(consumerKey, client, timestamp * 1000);
      const forged = edit('oauth_signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      const run = (authorization: string) => verifyOAuthRequest({ method: 'GET', url, authorization }, ctx);
      expect(run(forged)).toEqual({ ok: false, problem: 'signature_invalid' });
      expect(run(good).ok).toBe(true);
      expect(run(good)).toEqual({ ok: false, problem: 'nonce_used' });
    });

    it('a missing or empty nonce, timestamp, signature, token or consumer key', () => {
      for (const name of ['oauth_nonce', 'oauth_timestamp', 'oauth_signature', 'oauth_token', 'oauth_consumer_key']) {
        expect([name, problem(edit(name, undefined))]).toEqual([name, 'parameter_absent']);
        expect([name, problem(edit(name, ''))]).toEqual([name, 'parameter_absent']);
      }
    });

    it('a timestamp outside ±10 minutes or not a number', () => {
      expect(problem(good, url, (timestamp + 601) * 1000)).toBe('timestamp_refused');
      expect(problem(good, url, (timestamp - 601) * 1000)).toBe('timestamp_refused');
      expect(problem(good, url, (timestamp + 600) * 1000)).toBe('ok');
      expect(problem(edit('oauth_timestamp', '1700000000.5'))).toBe('timestamp_refused');
      expect(problem(edit('oauth_timestamp', '-1'))).toBe('timestamp_refused');
    });

    it('an unknown consumer key, another token, another method or version', () => {
      expect(problem(edit('oauth_consumer_key', 'CK_other'))).toBe('consumer_key_unknown');
      expect(problem(edit('oauth_token', 'AT_other'))).toBe('token_rejected');
      expect(problem(edit('oauth_signature_method', 'HMAC-SHA256'))).toBe('signature_method_rejected');
      expect(problem(edit('oauth_signature_method', undefined))).toBe('signature_method_rejected');
      expect(problem(edit('oauth_version', '2.0'))).toBe('version_rejected');
    });

    it('a header that is not OAuth, malformed, or repeats a parameter', () => {
      expect(problem(undefined)).toBe('parameter_absent');
      expect(problem('Bearer abc')).toBe('parameter_absent');
      expect(problem(good.replace('oauth_nonce="', 'oauth_nonce='))).toBe('parameter_absent');
      expect(problem(`${good}, oauth_nonce="again"`)).toBe('parameter_absent');
      expect(problem(`${good},`)).toBe('parameter_absent');
      expect(problem(good.replace(', oauth_nonce=', ' oauth_nonce='))).toBe('parameter_absent');
      expect(problem(`${good} junk`)).toBe('parameter_absent');
      expect(problem(good.replace(/oauth_nonce="[^"]*"/, 'oauth_nonce="%E0%A4%A"'))).toBe('parameter_absent');
    });

    it('accepts the same header with other spacing and scheme case', () => {
      expect(problem(good.replace(/^OAuth /, 'oauth   ').replace(/, /g, ',\t'))).toBe('ok');
    });
  });
});
