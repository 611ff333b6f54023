/**
 * Test support for the simulator and the DEP client: a vendor key pair + certificate like the one
 * the service hands to the admin, a token-file decrypter (node-forge, independent of src/crypto),
 * and a tiny JSON client for the `/_sim` control API.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import type { DepOAuthCredentials } from '../../src/apple/dep-credentials';
import { buildAuthorizationHeader } from '../../src/apple/oauth1';

export interface VendorIdentity {
  certificatePem: string;
  privateKey: forge.pki.rsa.PrivateKey;
}

/** RSA 2048 generated natively (forge's pure-JS keygen is slow), certificate built with forge. */
export function makeVendorIdentity(commonName = 'depgate test vendor'): VendorIdentity {
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'keyUsage', keyEncipherment: true, digitalSignature: true }]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKey };
}

export interface DecryptedToken {
  headers: string[];
  innerText: string;
  json: Record<string, string>;
  cipherOid: string;
}

/** Strips the MIME headers (if any), decrypts the envelope with the vendor key, reads the JSON. */
export function decryptTokenFile(tokenFile: string, privateKey: forge.pki.rsa.PrivateKey): DecryptedToken {
  const normalized = tokenFile.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const hasHeaders = /^Content-Type:/i.test(normalized);
  const headers = hasHeaders ? normalized.slice(0, split).split('\n') : [];
  const base64 = (hasHeaders ? normalized.slice(split + 2) : normalized).replace(/\s+/g, '');
  const der = forge.util.decode64(base64);
  const message = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(der)) as unknown as {
    recipients: unknown[];
    encryptedContent: { algorithm: string };
    decrypt(recipient: unknown, key: forge.pki.rsa.PrivateKey): void;
    content: forge.util.ByteStringBuffer;
  };
  message.decrypt(message.recipients[0], privateKey);
  const innerText = forge.util.decodeUtf8(message.content.getBytes());
  const match = /-----BEGIN MESSAGE-----\r?\n(.*)\r?\n-----END MESSAGE-----/s.exec(innerText);
  if (!match) throw new Error('no MESSAGE block in the token');
  return {
    headers,
    innerText,
    json: JSON.parse(match[1]) as Record<string, string>,
    cipherOid: message.encryptedContent.algorithm,
  };
}

export function credentialsFromToken(token: DecryptedToken): DepOAuthCredentials {
  return {
    consumerKey: token.json.consumer_key,
    consumerSecret: token.json.consumer_secret,
    accessToken: token.json.access_token,
    accessSecret: token.json.access_secret,
    accessTokenExpiry: token.json.access_token_expiry,
  };
}

/** JSON client for the control API; throws with the status when the response is not 2xx. */
export class SimControl {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_sim${path} -> ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Creates an MDM server for the vendor certificate; returns its uuid, token file and credentials. */
  async createServer(
    certificatePem: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ serverUuid: string; consumerKey: string; tokenFile: string; credentials: DepOAuthCredentials }> {
    return this.call('POST', '/servers', { certificatePem, revealCredentials: true, ...extra });
  }

  requests(path?: string): Promise<{ requests: Array<Record<string, unknown>> }> {
    return this.call('GET', `/requests${path ? `?path=${encodeURIComponent(path)}` : ''}`);
  }

  fault(spec: Record<string, unknown>): Promise<unknown> {
    return this.call('POST', '/faults', spec);
  }
}

/** Apple headers for raw requests to the simulator. */
export function appleHeaders(session?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'user-agent': 'raw-test/1.0',
    'x-server-protocol-version': '10',
    'content-type': 'application/json;charset=UTF8',
    ...(session ? { 'x-adm-auth-session': session } : {}),
    ...extra,
  };
}

let nonceCounter = 0;

/** GET /session signed the way Apple wants, without the client; returns the raw response. */
export async function rawSessionResponse(
  baseUrl: string,
  credentials: Pick<DepOAuthCredentials, 'consumerKey' | 'consumerSecret' | 'accessToken' | 'accessSecret'>,
  nowMs: number,
  overrides: { nonce?: string; timestamp?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = `${baseUrl}/session`;
  const authorization = buildAuthorizationHeader({
    method: 'GET',
    url,
    credentials,
    timestamp: overrides.timestamp ?? Math.floor(nowMs / 1000),
    nonce: overrides.nonce ?? `nonce-${process.pid}-${++nonceCounter}`,
  });
  return fetch(url, { headers: { ...appleHeaders(), authorization, ...overrides.headers } });
}

export async function rawSession(
  baseUrl: string,
  credentials: Pick<DepOAuthCredentials, 'consumerKey' | 'consumerSecret' | 'accessToken' | 'accessSecret'>,
  nowMs: number,
): Promise<string> {
  const response = await rawSessionResponse(baseUrl, credentials, nowMs);
  if (response.status !== 200) throw new Error(`GET /session -> ${response.status} ${await response.text()}`);
  return ((await response.json()) as { auth_session_token: string }).auth_session_token;
}
