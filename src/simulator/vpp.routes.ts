/**
 * Apple's Apps and Books API v2 endpoints the simulator serves (mounted at `/mdm/v2`, the path of
 * Apple's base URL, so `APPLE_VPP_API_URL=<simulator>/mdm/v2`): `GET client/config` and
 * `GET assets`, with Apple's bearer authentication and JSON `{errorNumber, errorMessage}` errors.
 */
import { Router, type Request, type Response } from 'express';
import { SimulatorError } from './simulator.state';
import { assetWire, type SimVppLocation, type VppSimulatorState } from './vpp.state';
import { formatAppleVppDate } from '../apple/vpp-client';

export const VPP_ASSETS_PAGE_SIZE = 100;

const MESSAGES: Record<number, string> = {
  9601: 'Login required.',
  9602: 'Invalid argument.',
  9604: 'Result not found.',
  9621: 'The token has expired. Generate a new token.',
  9622: 'Invalid authentication token.',
  9625: 'The sToken has been revoked.',
};

function vppError(res: Response, status: number, errorNumber: number): void {
  res.locals.errorNumber = errorNumber;
  res.status(status).json({ errorNumber, errorMessage: MESSAGES[errorNumber] ?? 'Error.' });
}

function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return m ? m[1].trim() : undefined;
}

export function vppRoutes(state: VppSimulatorState): Router {
  const router = Router();

  router.use((req, res, next) => {
    res.on('finish', () =>
      state.log({
        at: state.now().toISOString(),
        method: req.method,
        path: req.path,
        status: res.statusCode,
        hasAuthorization: req.get('authorization') !== undefined,
        errorNumber: res.locals.errorNumber as number | undefined,
      }),
    );
    const fault = state.nextFault();
    if (fault) {
      if (fault.errorNumber !== undefined) vppError(res, fault.status, fault.errorNumber);
      else res.status(fault.status).type('text/plain').send('Service Unavailable');
      return;
    }
    const sToken = bearer(req);
    if (!sToken) return vppError(res, 401, 9601);
    const found = state.lookup(sToken);
    if (!found) return vppError(res, 401, 9622);
    if (found.revoked) return vppError(res, 401, 9625);
    if (found.location.expiresAt.getTime() <= state.now().getTime()) return vppError(res, 401, 9621);
    res.locals.location = found.location;
    next();
  });

  router.get('/client/config', (_req, res) => {
    const location = res.locals.location as SimVppLocation;
    res.json({
      countryISO2ACode: location.countryISO2ACode,
      defaultPlatform: 'enterprisestore',
      locationName: location.locationName,
      subscribedNotificationTypes: [],
      tokenExpirationDate: formatAppleVppDate(location.expiresAt),
      uId: location.uId,
      websiteURL: 'https://business.apple.com',
    });
  });

  router.get('/assets', (req, res) => {
    const location = res.locals.location as SimVppLocation;
    const q = req.query;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const pageIndex = q.pageIndex === undefined ? 0 : Number(q.pageIndex);
    if (!Number.isInteger(pageIndex) || pageIndex < 0) return vppError(res, 400, 9602);
    let assets = [...location.assets.values()];
    const adamId = str(q.adamId);
    const pricingParam = str(q.pricingParam);
    const productType = str(q.productType);
    if (adamId) assets = assets.filter((a) => a.adamId === adamId);
    if (pricingParam) assets = assets.filter((a) => a.pricingParam === pricingParam);
    if (productType) assets = assets.filter((a) => a.productType === productType);
    const totalPages = Math.max(1, Math.ceil(assets.length / VPP_ASSETS_PAGE_SIZE));
    const page = assets.slice(pageIndex * VPP_ASSETS_PAGE_SIZE, (pageIndex + 1) * VPP_ASSETS_PAGE_SIZE);
    res.json({
      assets: page.map(assetWire),
      currentPageIndex: pageIndex,
      size: page.length,
      totalPages,
      versionId: `v${location.assets.size}`,
    });
  });

  router.use((_req, res) => vppError(res, 404, 9604));
  return router;
}

/** `/_sim/vpp` control endpoints (JSON). Documented in README.md. */
export function vppControlRoutes(state: VppSimulatorState): Router {
  const router = Router();
  const body = (req: Request): Record<string, unknown> => {
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
    try {
      const value = JSON.parse(raw.toString('utf8')) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new SimulatorError(400, 'body must be a JSON object');
  };
  const optionalString = (b: Record<string, unknown>, key: string): string | undefined => {
    const v = b[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new SimulatorError(400, `${key} must be a string`);
    return v;
  };
  const summary = (location: SimVppLocation, withFile: boolean) => ({
    uId: location.uId,
    locationName: location.locationName,
    orgName: location.orgName,
    expiresAt: location.expiresAt.toISOString(),
    assets: [...location.assets.values()].map(assetWire),
    ...(withFile ? { tokenFile: location.sToken } : {}),
  });

  router.get('/locations', (_req, res) => {
    res.json({ locations: state.list().map((l) => summary(l, false)) });
  });

  router.post('/locations', (req, res) => {
    const b = body(req);
    const cp = b.companyPortal;
    if (cp !== undefined && cp !== null && (typeof cp !== 'object' || Array.isArray(cp))) {
      throw new SimulatorError(400, 'companyPortal must be {totalCount, assignedCount?} or null');
    }
    const location = state.create({
      locationName: optionalString(b, 'locationName'),
      orgName: optionalString(b, 'orgName'),
      countryISO2ACode: optionalString(b, 'countryISO2ACode'),
      expiresAt: optionalString(b, 'expiresAt'),
      companyPortal: cp as { totalCount: number; assignedCount?: number } | null | undefined,
    });
    res.status(201).json(summary(location, true));
  });

  router.get('/locations/:uId', (req, res) => {
    res.json(summary(state.require(String(req.params.uId)), false));
  });

  router.post('/locations/:uId/renew', (req, res) => {
    const b = body(req);
    res.json(summary(state.renew(String(req.params.uId), optionalString(b, 'expiresAt')), true));
  });

  router.post('/locations/:uId/expiry', (req, res) => {
    const b = body(req);
    const at = new Date(String(b.expiresAt));
    if (typeof b.expiresAt !== 'string' || Number.isNaN(at.getTime())) throw new SimulatorError(400, 'expiresAt must be an ISO date');
    const location = state.require(String(req.params.uId));
    location.expiresAt = at;
    res.json(summary(location, false));
  });

  router.post('/locations/:uId/revoke', (req, res) => {
    res.json(summary(state.revoke(String(req.params.uId)), false));
  });

  router.put('/locations/:uId/assets/:adamId', (req, res) => {
    const b = body(req);
    const location = state.require(String(req.params.uId));
    const asset = state.setAsset(location, String(req.params.adamId), {
      totalCount: b.totalCount as number | undefined,
      assignedCount: b.assignedCount as number | undefined,
      pricingParam: optionalString(b, 'pricingParam'),
    });
    res.json(assetWire(asset));
  });

  router.delete('/locations/:uId/assets/:adamId', (req, res) => {
    const location = state.require(String(req.params.uId));
    res.json({ deleted: location.assets.delete(String(req.params.adamId)) });
  });

  router.post('/faults', (req, res) => {
    const b = body(req);
    const status = b.status;
    const count = b.count ?? 1;
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) throw new SimulatorError(400, 'status must be 400-599');
    if (!Number.isInteger(count) || (count as number) < 1) throw new SimulatorError(400, 'count must be a positive integer');
    if (b.errorNumber !== undefined && !Number.isInteger(b.errorNumber)) throw new SimulatorError(400, 'errorNumber must be an integer');
    state.faults.push({ status: status as number, count: count as number, errorNumber: b.errorNumber as number | undefined });
    res.status(201).json({ faults: state.faults });
  });

  router.delete('/faults', (_req, res) => {
    state.faults = [];
    res.json({ ok: true });
  });

  router.get('/requests', (_req, res) => {
    res.json({ requests: state.requests });
  });

  router.delete('/requests', (_req, res) => {
    state.requests = [];
    res.json({ ok: true });
  });

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such VPP control endpoint' });
  });
  router.use((error: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    if (error instanceof SimulatorError) res.status(error.status).json({ error: error.message });
    else res.status(500).json({ error: 'simulator error' });
  });
  return router;
}
