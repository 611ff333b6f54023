/**
 * `/_sim` control API (JSON in, JSON out): set up servers, tokens, devices, outcomes, faults and the
 * clock, and read back what the Apple side saw. Documented in README.md next to this file.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { DepDevice } from '../apple/dep.types';
import { validateFaultSpec, type FaultSpec } from './faults';
import { isStringArray, readJsonBody } from './http-helpers';
import { MUTABLE_DEVICE_FIELDS, type AssignmentOverride, type DeviceChanges, type MdmServer } from './mdm-server';
import { SimulatorError, type SimulatorState } from './simulator.state';

const MAX_GENERATED_DEVICES = 1_000_000;
const OVERRIDES: ReadonlySet<string> = new Set(['FAILED', 'THROTTLED', 'NOT_ACCESSIBLE']);

function bad(message: string): SimulatorError {
  return new SimulatorError(400, message);
}

function jsonObject(req: Request): Record<string, unknown> {
  const body = readJsonBody(req);
  if (!body.ok) throw bad('body must be JSON');
  if (body.value === undefined) return {};
  if (!body.value || typeof body.value !== 'object' || Array.isArray(body.value)) throw bad('body must be a JSON object');
  return body.value as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${key} must be a string`);
  return value;
}

function serverSummary(server: MdmServer) {
  return {
    serverUuid: server.uuid,
    consumerKey: server.consumerKey,
    serverName: server.serverName,
    orgName: server.orgName,
    orgType: server.orgType,
    termsSigned: server.termsSigned,
    accessDenied: server.accessDenied,
    accessTokenExpiry: server.accessTokenExpiry.toISOString(),
    deviceCount: server.deviceCount,
  };
}

/** The plaintext credentials, only when a test asks for them explicitly. */
function credentialsOf(server: MdmServer) {
  return {
    consumerKey: server.consumerKey,
    consumerSecret: server.consumerSecret,
    accessToken: server.accessToken,
    accessSecret: server.accessSecret,
    accessTokenExpiry: server.accessTokenExpiry.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function controlRoutes(state: SimulatorState): Router {
  const router = Router();
  const server = (req: Request) => state.requireServer(String(req.params.uuid));

  router.get('/servers', (_req, res) => {
    res.json({ servers: state.listServers().map(serverSummary) });
  });

  router.post('/servers', (req, res) => {
    const body = jsonObject(req);
    const orgType = optionalString(body, 'orgType');
    if (orgType !== undefined && orgType !== 'org' && orgType !== 'edu') throw bad("orgType must be 'org' or 'edu'");
    if (body.termsSigned !== undefined && typeof body.termsSigned !== 'boolean') throw bad('termsSigned must be a boolean');
    const issued = state.createServer({
      certificatePem: body.certificatePem as string,
      orgName: optionalString(body, 'orgName'),
      serverName: optionalString(body, 'serverName'),
      orgType,
      accessTokenExpiry: optionalString(body, 'accessTokenExpiry'),
      termsSigned: body.termsSigned as boolean | undefined,
    });
    res.status(201).json({
      ...serverSummary(issued.server),
      tokenFile: issued.tokenFile,
      ...(body.revealCredentials === true ? { credentials: credentialsOf(issued.server) } : {}),
    });
  });

  router.get('/servers/:uuid', (req, res) => {
    res.json(serverSummary(server(req)));
  });

  router.post('/servers/:uuid/renew', (req, res) => {
    const body = jsonObject(req);
    const issued = state.renewServer(String(req.params.uuid), {
      certificatePem: optionalString(body, 'certificatePem'),
      accessTokenExpiry: optionalString(body, 'accessTokenExpiry'),
    });
    res.json({
      ...serverSummary(issued.server),
      tokenFile: issued.tokenFile,
      ...(body.revealCredentials === true ? { credentials: credentialsOf(issued.server) } : {}),
    });
  });

  router.post('/servers/:uuid/terms', (req, res) => {
    const body = jsonObject(req);
    if (typeof body.signed !== 'boolean') throw bad('signed must be a boolean');
    const s = server(req);
    s.termsSigned = body.signed;
    res.json(serverSummary(s));
  });

  router.post('/servers/:uuid/access', (req, res) => {
    const body = jsonObject(req);
    if (typeof body.denied !== 'boolean') throw bad('denied must be a boolean');
    const s = server(req);
    s.accessDenied = body.denied;
    res.json(serverSummary(s));
  });

  // ---- devices -------------------------------------------------------------------------------

  router.get('/servers/:uuid/devices', (req, res) => {
    const s = server(req);
    const full = req.query.full === 'true' || req.query.full === '1';
    const devices: unknown[] = [];
    for (const d of s.devices()) {
      devices.push(
        full ? d : { serial_number: d.serial_number, profile_uuid: d.profile_uuid, profile_status: d.profile_status },
      );
    }
    res.json({ count: devices.length, devices });
  });

  router.post('/servers/:uuid/devices', (req, res) => {
    const s = server(req);
    const body = jsonObject(req);
    let serials: string[];
    if (body.devices !== undefined) {
      if (!Array.isArray(body.devices)) throw bad('devices must be an array');
      // `unchecked: true` serves records as a faulty Apple might: any non-empty serial string
      // (5,000 characters, punctuation, control characters), for tests of depgate's robustness.
      const unchecked = body.unchecked === true;
      const partials = body.devices.map((d: unknown, i: number) => {
        if (!d || typeof d !== 'object') throw bad(`devices[${i}] must be an object`);
        const serial = (d as Record<string, unknown>).serial_number;
        if (unchecked ? typeof serial !== 'string' || serial === '' : typeof serial !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(serial)) {
          throw bad(`devices[${i}].serial_number must be 1-64 letters or digits`);
        }
        return d as Partial<DepDevice> & { serial_number: string };
      });
      serials = state.addDeviceRecords(s, partials);
    } else {
      const count = body.count;
      if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_GENERATED_DEVICES) {
        throw bad(`count must be an integer between 1 and ${MAX_GENERATED_DEVICES}, or give devices`);
      }
      const serialPrefix = optionalString(body, 'serialPrefix');
      if (serialPrefix !== undefined && !/^[A-Z0-9]{0,8}$/.test(serialPrefix)) {
        throw bad('serialPrefix must be up to 8 upper-case letters or digits');
      }
      serials = state.generateDevices(s, count as number, {
        serialPrefix,
        model: optionalString(body, 'model'),
        os: optionalString(body, 'os'),
        deviceFamily: optionalString(body, 'deviceFamily'),
      });
    }
    res.status(201).json({ created: serials.length, total: s.deviceCount, serials });
  });

  router.patch('/servers/:uuid/devices', (req, res) => {
    const s = server(req);
    const body = jsonObject(req);
    if (!isStringArray(body.serials)) throw bad('serials must be an array of strings');
    const changes = body.changes;
    if (!changes || typeof changes !== 'object' || Array.isArray(changes)) throw bad('changes must be an object');
    for (const [key, value] of Object.entries(changes)) {
      if (!(MUTABLE_DEVICE_FIELDS as readonly string[]).includes(key)) throw bad(`changes.${key} cannot be changed`);
      if (value !== null && typeof value !== 'string') throw bad(`changes.${key} must be a string or null`);
    }
    const modified: string[] = [];
    const notFound: string[] = [];
    for (const serial of body.serials) {
      if (s.modifyDevice(serial, changes as DeviceChanges, state.now())) modified.push(serial);
      else notFound.push(serial);
    }
    res.json({ modified, notFound });
  });

  router.post('/servers/:uuid/devices/move', (req, res) => {
    const s = server(req);
    const body = jsonObject(req);
    if (!isStringArray(body.serials)) throw bad('serials must be an array of strings');
    const to = state.requireServer(String(optionalString(body, 'toServerUuid') ?? ''));
    const moved = state.moveDevices(s, to, body.serials);
    res.json({ moved, notFound: body.serials.filter((serial) => !moved.includes(serial)) });
  });

  router.delete('/servers/:uuid/devices', (req, res) => {
    const s = server(req);
    const body = jsonObject(req);
    if (!isStringArray(body.serials)) throw bad('serials must be an array of strings');
    const deleted: string[] = [];
    const notFound: string[] = [];
    for (const serial of body.serials) (state.removeDevice(s, serial) ? deleted : notFound).push(serial);
    res.json({ deleted, notFound });
  });

  router.post('/servers/:uuid/assignment-outcomes', (req, res) => {
    const s = server(req);
    const body = jsonObject(req);
    for (const [serial, outcome] of Object.entries(body)) {
      if (outcome === null || outcome === 'SUCCESS') s.assignmentOutcomes.delete(serial);
      else if (typeof outcome === 'string' && OVERRIDES.has(outcome)) {
        s.assignmentOutcomes.set(serial, outcome as AssignmentOverride);
      } else throw bad(`outcome for ${serial} must be FAILED, THROTTLED, NOT_ACCESSIBLE, SUCCESS or null`);
    }
    res.json({ outcomes: Object.fromEntries(s.assignmentOutcomes) });
  });

  router.get('/servers/:uuid/profiles', (req, res) => {
    const profiles = [...server(req).profiles.values()].map((p) => ({
      profileUuid: p.profileUuid,
      definedAt: p.definedAt,
      profile: p.received,
    }));
    res.json({ profiles });
  });

  // ---- observation, faults, sessions, clock --------------------------------------------------

  router.get('/requests', (req, res) => {
    const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw bad('limit must be a non-negative integer');
    const path = typeof req.query.path === 'string' ? req.query.path : undefined;
    res.json({ requests: state.log.list({ limit, path }) });
  });

  router.delete('/requests', (_req, res) => {
    state.log.clear();
    res.json({ ok: true });
  });

  router.get('/faults', (_req, res) => {
    res.json({ faults: state.faults.list() });
  });

  router.post('/faults', (req, res) => {
    const body = jsonObject(req);
    const problem = validateFaultSpec(body);
    if (problem) throw bad(problem);
    res.status(201).json({ fault: state.faults.add(body as unknown as FaultSpec) });
  });

  router.delete('/faults', (_req, res) => {
    state.faults.clear();
    res.json({ ok: true });
  });

  router.post('/sessions/rotate', (_req, res) => {
    state.rotateNextSession = true;
    res.json({ rotateNext: true });
  });

  router.post('/sessions/expire', (_req, res) => {
    res.json({ expired: state.expireSessions() });
  });

  router.get('/clock', (_req, res) => {
    res.json({ now: state.now().toISOString(), controllable: state.controllableClock !== null });
  });

  router.post('/clock', (req, res) => {
    const body = jsonObject(req);
    const clock = state.controllableClock;
    if (!clock) throw new SimulatorError(409, 'the simulator was given a clock it does not control');
    if (body.now !== undefined) {
      const to = new Date(body.now as string);
      if (typeof body.now !== 'string' || Number.isNaN(to.getTime())) throw bad('now must be an ISO date');
      clock.set(to);
    } else if (body.advanceMs !== undefined) {
      if (typeof body.advanceMs !== 'number' || !Number.isFinite(body.advanceMs)) throw bad('advanceMs must be a number');
      clock.advance(body.advanceMs);
    } else throw bad('give now or advanceMs');
    res.json({ now: state.now().toISOString() });
  });

  router.post('/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such control endpoint' });
  });

  // Express 5 passes thrown errors (sync or async) here.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof SimulatorError) res.status(error.status).json({ error: error.message });
    else res.status(500).json({ error: 'simulator error' });
  });
  return router;
}
