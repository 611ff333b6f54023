/**
 * `/_sim/business` control API: make API accounts (the portal's "Generate Private Key"), revoke a
 * key by generating a new one, disable an account or withdraw its rights, put devices into the
 * organisation, inject 429s, set the activity delay, make activities fail, list the activities,
 * expire access tokens, and download a server token the way an admin does in the portal (the one
 * step with no API).
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { readJsonBody } from '../http-helpers';
import { SimulatorError } from '../simulator.state';
import { activityStatus, businessServerId, type AppleCareRecord, type BusinessSimulatorState, type OrgDeviceRecord } from './business.state';

const MAX_DEVICES = 200_000;

function body(req: Request): Record<string, unknown> {
  const parsed = readJsonBody(req);
  if (!parsed.ok) throw new SimulatorError(400, 'body must be JSON');
  return (parsed.value ?? {}) as Record<string, unknown>;
}

export function businessControlRoutes(state: BusinessSimulatorState): Router {
  const router = Router();

  router.post('/clients', (req, res) => {
    const scope = body(req).scope === 'school' ? 'school.api' : 'business.api';
    res.status(201).json(state.createClient(scope));
  });

  router.post('/clients/:clientId/disable', (req, res) => {
    const client = state.getClient(String(req.params.clientId));
    if (!client) throw new SimulatorError(404, 'no such client');
    client.disabled = body(req).disabled !== false;
    res.json({ clientId: client.clientId, disabled: client.disabled });
  });

  router.post('/clients/:clientId/keys', (req, res) => {
    const client = state.getClient(String(req.params.clientId));
    if (!client) throw new SimulatorError(404, 'no such client');
    res.status(201).json(state.rotateKey(client));
  });

  router.post('/clients/:clientId/forbid', (req, res) => {
    const client = state.getClient(String(req.params.clientId));
    if (!client) throw new SimulatorError(404, 'no such client');
    client.forbidden = body(req).forbidden !== false;
    res.json({ clientId: client.clientId, forbidden: client.forbidden });
  });

  router.post('/devices', (req, res) => {
    const b = body(req);
    const count = b.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_DEVICES) throw new SimulatorError(400, `count must be 1..${MAX_DEVICES}`);
    const template: Partial<OrgDeviceRecord> & { serialPrefix?: string } = {};
    for (const key of ['serialPrefix', 'productFamily', 'orderNumber', 'orderDateTime', 'color', 'deviceModel', 'purchaseSourceType', 'purchaseSourceId', 'eid'] as const) {
      if (typeof b[key] === 'string') (template as Record<string, unknown>)[key] = b[key];
    }
    if (Array.isArray(b.imei)) template.imei = b.imei as string[];
    if (Array.isArray(b.appleCare)) template.appleCare = b.appleCare as AppleCareRecord[];
    res.status(201).json({ serialNumbers: state.addDevices(count, template) });
  });

  router.get('/devices/:serial', (req, res) => {
    state.settle();
    const record = state.device(String(req.params.serial));
    if (!record) throw new SimulatorError(404, 'no such device');
    const owner = state.ownerOf(record.serialNumber);
    res.json({ ...record, assignedServerId: owner ? businessServerId(owner.uuid) : null });
  });

  router.post('/rate-limit', (req, res) => {
    const b = body(req);
    state.rateLimit = { remaining: Number(b.count ?? 1), retryAfterSeconds: Number(b.retryAfterSeconds ?? 1) };
    res.json(state.rateLimit);
  });

  router.post('/activity-delay', (req, res) => {
    const ms = body(req).ms;
    if (typeof ms !== 'number' || ms < 0) throw new SimulatorError(400, 'ms must be a number >= 0');
    state.activityDelayMs = ms;
    res.json({ ms });
  });

  router.post('/activity-failure', (req, res) => {
    const b = body(req);
    const status = b.status ?? 'FAILED';
    if (status !== 'FAILED' && status !== 'STOPPED') throw new SimulatorError(400, 'status must be FAILED or STOPPED');
    const count = b.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new SimulatorError(400, 'count must be an integer >= 0');
    const subStatus = typeof b.subStatus === 'string' ? b.subStatus : status === 'FAILED' ? 'COMPLETED_WITH_ERROR' : 'STOPPING';
    state.activityFailure = { remaining: count, status, subStatus };
    res.json(state.activityFailure);
  });

  router.get('/activities', (_req, res) => {
    state.settle();
    res.json({
      activities: state.listActivities().map((a) => ({
        id: a.id,
        type: a.type,
        serverId: a.serverUuid ? businessServerId(a.serverUuid) : null,
        serialNumbers: a.serials,
        status: activityStatus(a),
        subStatus: a.subStatus,
        outcomes: a.outcomes.map(([serialNumber, status, subStatus]) => ({ serialNumber, status, subStatus })),
      })),
    });
  });

  router.post('/access-tokens/expire', (_req, res) => {
    res.json({ expired: state.expireAccessTokens() });
  });

  router.get('/mdmServers/:id/token', (req, res) => {
    const server = state.serverById(String(req.params.id));
    if (!server) throw new SimulatorError(404, 'no such MDM server');
    res.json({ serverUuid: server.uuid, tokenFile: state.dep.tokenFileFor(server) });
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof SimulatorError) res.status(error.status).json({ error: error.message });
    else next(error);
  });
  return router;
}
