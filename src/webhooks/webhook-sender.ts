/**
 * One signed POST to a webhook: node:http(s) rather than fetch so the socket's DNS lookup can refuse
 * non-public addresses (webhook-url.ts). Redirects are not followed (a 3xx is a failure): a
 * redirect could point anywhere. The response body is read up to a few kilobytes and discarded.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup } from './webhook-url';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook-signature';

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  /** A short description when it failed (never the response body). */
  error: string | null;
}

export interface SenderOptions {
  allowPrivateNetworks: boolean;
  timeoutMs: number;
}

export function sendWebhook(url: string, secret: string, body: string, timestamp: number, options: SenderOptions): Promise<SendOutcome> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        lookup: guardedLookup(options.allowPrivateNetworks),
        agent: false,
        timeout: options.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'depgate-webhooks',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body),
        },
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const done = () => resolve(status >= 200 && status < 300 ? { ok: true, status, error: null } : { ok: false, status, error: `HTTP ${status}` });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (err: Error & { code?: string }) => resolve({ ok: false, status: null, error: err.code ?? 'request failed' }));
    request.end(body);
  });
}
