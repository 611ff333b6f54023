/**
 * Apple's OAuth 2 token endpoint for the School and Business APIs (client credentials with an
 * ES256 client assertion). Accepts `/auth/oauth2/token` and `/auth/oauth2/v2/token`, fields in the
 * query string or a form body (spec §1); refuses with RFC 6749 bodies.
 */
import { Router, type Request, type Response } from 'express';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TTL_S, type ApiScope, type BusinessSimulatorState } from './business.state';

export const ASSERTION_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';
const MAX_ASSERTION_LIFETIME_S = 180 * 86_400;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function fields(req: Request): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) if (typeof value === 'string') params.set(key, value);
  if (Buffer.isBuffer(req.body) && req.body.length > 0 && req.body.length < 64_000) {
    for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

function refuse(res: Response, error: string, description?: string): void {
  res.status(400).json(description ? { error, error_description: description } : { error });
}

export function oauthRoutes(state: BusinessSimulatorState): Router {
  const router = Router();
  router.post(['/auth/oauth2/token', '/auth/oauth2/v2/token'], async (req, res) => {
    const p = fields(req);
    if (p.get('grant_type') !== 'client_credentials') return refuse(res, 'unsupported_grant_type');
    if (p.get('client_assertion_type') !== JWT_BEARER) return refuse(res, 'invalid_request', 'client_assertion_type');
    const clientId = p.get('client_id') ?? '';
    const assertion = p.get('client_assertion') ?? '';
    const scope = p.get('scope') ?? '';
    if (!clientId || !assertion || !scope) return refuse(res, 'invalid_request');
    const client = state.getClient(clientId);
    if (!client || client.disabled) return refuse(res, 'invalid_client');
    try {
      const header = decodeProtectedHeader(assertion);
      if (header.kid !== client.keyId) return refuse(res, 'invalid_client');
      const now = state.now();
      const { payload } = await jwtVerify(assertion, client.publicKey, {
        algorithms: ['ES256'],
        audience: ASSERTION_AUDIENCE,
        subject: clientId,
        currentDate: now,
        requiredClaims: ['exp', 'iat'],
      });
      if (payload.iss !== undefined && payload.iss !== clientId) return refuse(res, 'invalid_client');
      if (payload.exp! - payload.iat! > MAX_ASSERTION_LIFETIME_S) return refuse(res, 'invalid_client');
    } catch {
      return refuse(res, 'invalid_client');
    }
    // Apple states no rule; the simulator refuses a scope the account was not made for.
    if (scope !== client.scope) return refuse(res, 'invalid_scope');
    res.json({ access_token: state.issueAccessToken(client), token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: scope as ApiScope });
  });
  return router;
}
