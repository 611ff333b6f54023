/**
 * Webhook URLs and SSRF: depgate sends requests where an admin says, so a URL that resolves to
 * loopback, link-local (cloud metadata at 169.254.169.254), private, CGNAT or any other non-public
 * range is refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true. The check runs when the webhook is
 * saved (a typed error) and again at every connection, inside the socket's DNS lookup, so a name
 * that later resolves elsewhere (DNS rebinding) is refused too. ipaddr.js classifies the ranges
 * (IPv4, IPv6, IPv4-mapped IPv6), rather than hand-written prefix lists.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const WEBHOOK_URL_MAX_LENGTH = 2000;

export type WebhookUrlProblem = 'INVALID' | 'INSECURE' | 'PRIVATE_ADDRESS' | 'UNRESOLVABLE';

export class WebhookUrlError extends Error {
  constructor(
    readonly problem: WebhookUrlProblem,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/** Only ordinary public unicast addresses. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL's shape: absolute, https (http only when private networks are allowed), no credentials. */
export function parseWebhookUrl(value: string, allowPrivateNetworks: boolean): URL {
  const trimmed = value.trim();
  if (trimmed.length > WEBHOOK_URL_MAX_LENGTH) throw new WebhookUrlError('INVALID', `url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new WebhookUrlError('INVALID', 'url must be an absolute https URL');
  }
  if (url.protocol !== 'https:' && !(allowPrivateNetworks && url.protocol === 'http:')) {
    throw new WebhookUrlError('INSECURE', allowPrivateNetworks ? 'url must use https or http' : 'url must use https (http only with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true)');
  }
  if (url.username || url.password) throw new WebhookUrlError('INVALID', 'url must not carry credentials: the signature authenticates depgate');
  if (!url.hostname) throw new WebhookUrlError('INVALID', 'url must name a host');
  url.hash = '';
  return url;
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** Resolves the host and refuses it when any address is not public (unless allowed). */
export async function checkWebhookHost(url: URL, allowPrivateNetworks: boolean): Promise<void> {
  const host = unbracket(url.hostname);
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new WebhookUrlError('UNRESOLVABLE', `The host ${host.slice(0, 200)} does not resolve`);
  }
  if (!allowPrivateNetworks && addresses.some((a) => !isPublicAddress(a))) {
    throw new WebhookUrlError(
      'PRIVATE_ADDRESS',
      'url resolves to a loopback, link-local or private address: refused (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true on a closed network)',
    );
  }
}

/** A socket lookup that refuses non-public addresses at connection time (DNS rebinding). */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const allowed = allowPrivateNetworks ? list : list.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error('the webhook host resolves to a non-public address'), { code: 'EADDRNOTPUBLIC' });
        return callback(refused, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
