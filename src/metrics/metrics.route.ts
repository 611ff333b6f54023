/**
 * GET /metrics. With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`
 * (Prometheus: `authorization: { credentials: ... }`); anything else gets 401 and no metric.
 * The token is compared in constant time through its hash, like API keys.
 */
import type { RequestHandler } from 'express';
import { bearerSecret, hashApiKeySecret, secretMatches } from '../auth/api-key.secret';
import type { DepgateMetrics } from './metrics';

export function metricsRoute(metrics: DepgateMetrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : hashApiKeySecret(token);
  return async (req, res) => {
    if (expected) {
      const presented = bearerSecret(req.headers.authorization);
      if (!presented || !secretMatches(presented, expected)) {
        res.status(401).setHeader('www-authenticate', 'Bearer realm="metrics"');
        res.type('text/plain').send('/metrics requires Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
    }
    res.setHeader('content-type', metrics.contentType);
    res.send(await metrics.text());
  };
}
