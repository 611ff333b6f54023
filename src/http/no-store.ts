/**
 * `Cache-Control: no-store` on every GraphQL answer: the data are per API key, so no shared or
 * browser cache may keep them. Apollo's cache-control plugin used to set it; that plugin is
 * disabled (it wraps every field resolution for hints this API never gives), so it is set here.
 */
import type { RequestHandler } from 'express';

export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};
