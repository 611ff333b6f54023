import { backoffMs } from '../../../src/webhooks/webhook.jobs';
import { generateWebhookSecret, signWebhookBody, verifyWebhookSignature } from '../../../src/webhooks/webhook-signature';
import { isPublicAddress, parseWebhookUrl } from '../../../src/webhooks/webhook-url';

it.each([
  ['8.8.8.8', true],
  ['2606:4700:4700::1111', true],
  ['127.0.0.1', false],
  ['::1', false],
  ['169.254.169.254', false],
  ['10.0.0.1', false],
  ['172.16.5.4', false],
  ['192.168.1.1', false],
  ['100.64.0.1', false],
  ['fe80::1', false],
  ['fc00::1', false],
  ['::ffff:10.0.0.1', false],
  ['0.0.0.0', false],
  ['224.0.0.1', false],
  ['not an address', false],
])('isPublicAddress(%s) is %s', (address, expected) => {
  expect(isPublicAddress(address)).toBe(expected);
});

it('takes https only, http too when private networks are allowed, never credentials', () => {
  expect(parseWebhookUrl('https://hooks.example.com/x#frag', false).toString()).toBe('https://hooks.example.com/x');
  expect(() => parseWebhookUrl('http://hooks.example.com/x', false)).toThrow(/https/);
  expect(parseWebhookUrl('http://hooks.example.com/x', true).protocol).toBe('http:');
  expect(() => parseWebhookUrl('https://a:b@hooks.example.com/', true)).toThrow(/credentials/);
  expect(() => parseWebhookUrl('hooks.example.com', true)).toThrow(/absolute/);
});

it('backs off 1 s, 2 s, 4 s ... capped', () => {
  const options = { retryBaseMs: 1000, retryMaxMs: 600_000 };
  expect([1, 2, 3, 4, 10, 11, 50].map((n) => backoffMs(n, options))).toEqual([1000, 2000, 4000, 8000, 512_000, 600_000, 600_000]);
});

it('signs sha256=<hex HMAC of "<timestamp>.<body>">', () => {
  // openssl dgst -sha256 -hmac secret-0123456789ab <<< -n '1700000000.{"a":1}'
  const signature = signWebhookBody('secret-0123456789ab', 1700000000, '{"a":1}');
  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature('secret-0123456789ab', '1700000000', '{"a":1}', signature)).toBe(true);
  expect(verifyWebhookSignature('secret-0123456789ab', '1700000001', '{"a":1}', signature)).toBe(false);
  expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
});
