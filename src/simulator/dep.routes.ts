/**
 * Apple's device-assignment endpoints (spec §2–§6), strictly: OAuth 1.0a on `GET /session`, a valid
 * `X-ADM-Auth-Session` everywhere else, required headers, terms, Apple's error codes.
 */
import { STATUS_CODES } from 'node:http';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AssignmentStatus, DepDevice, DepDevicePage } from '../apple/dep.types';
import type { CursorPayload } from './cursor';
import { bodyBytes, delayUnlessClosed, isStringArray, readJsonBody, sendAppleError } from './http-helpers';
import type { MdmServer } from './mdm-server';
import { verifyOAuthRequest } from './oauth1-verifier';
import { validateProfile } from './profile-validation';
import type { RequestLogEntry } from './request-log';
import {
  OAUTH_TIMESTAMP_WINDOW_MS,
  SYNC_CURSOR_MAX_AGE_MS,
  THROTTLE_RETRY_AFTER_SECONDS,
  type SimulatorState,
} from './simulator.state';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const MAX_SERIALS_PER_ASSIGNMENT = 1000;
/** Protocol versions that know the THROTTLED status and `retry_after_seconds` (spec §2). */
const THROTTLED_SINCE_VERSION = 9;
const RETRY_AFTER_SINCE_VERSION = 10;

interface AppleLocals {
  logEntry: RequestLogEntry;
  protocolVersion: number;
  server: MdmServer;
  body: unknown;
}

function locals(res: Response): AppleLocals {
  return res.locals as AppleLocals;
}

export function depRoutes(state: SimulatorState): Router {
  const router = Router();

  // 1. Log every Apple request (facts only, no secrets), then complete the entry at the end.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const entry = state.log.add({
      at: state.now().toISOString(),
      method: req.method,
      path: req.path,
      userAgent: req.get('user-agent'),
      protocolVersion: req.get('x-server-protocol-version'),
      contentType: req.get('content-type'),
      hasSessionHeader: req.get('x-adm-auth-session') !== undefined,
      session: req.path === '/session' ? 'not-required' : 'missing',
      hasAuthorizationHeader: req.get('authorization') !== undefined,
      bodyBytes: bodyBytes(req),
      fault: false,
      sessionRotated: false,
      aborted: false,
    });
    locals(res).logEntry = entry;
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    next();
  });

  // 2. Injected faults come first: they model Apple (or the network in front of it) misbehaving.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const fault = state.faults.take(req.method, req.path);
    if (!fault) return next();
    locals(res).logEntry.fault = true;
    if (fault.delayMs) {
      const gone = await delayUnlessClosed(fault.delayMs, res);
      if (gone) return;
    }
    if (fault.status === undefined) return next();
    if (fault.retryAfter !== undefined) res.set('Retry-After', String(fault.retryAfter));
    const body = fault.body ?? STATUS_CODES[fault.status] ?? '';
    if (typeof body === 'string') res.status(fault.status).type('text/plain').send(body);
    else res.status(fault.status).json(body);
  });

  // 3. Headers Apple requires on every request.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const userAgent = req.get('user-agent');
    if (userAgent === undefined || userAgent.trim() === '') return sendAppleError(res, 400, 'USER_AGENT_MISSING');
    const version = req.get('x-server-protocol-version');
    if (version === undefined || version.trim() === '') {
      return sendAppleError(res, 400, 'PROTOCOL_VERSION_MISSING');
    }
    if (!/^\d{1,3}$/.test(version.trim()) || Number(version) < 1) {
      return sendAppleError(res, 400, 'PROTOCOL_VERSION_INVALID');
    }
    locals(res).protocolVersion = Number(version);
    if (bodyBytes(req) > 0) {
      if (!req.is('application/json')) return sendAppleError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const body = readJsonBody(req);
      if (!body.ok) return sendAppleError(res, 400, 'MALFORMED_REQUEST_BODY');
      locals(res).body = body.value;
      const devices = (body.value as { devices?: unknown } | null)?.devices;
      if (Array.isArray(devices)) locals(res).logEntry.deviceCount = devices.length;
    }
    next();
  });

  router.get('/session', (req, res) => openSession(state, req, res));

  // 4. Everything else needs a live session for a server whose terms are signed.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const entry = locals(res).logEntry;
    const lookup = state.lookupSession(req.get('x-adm-auth-session'));
    if (!lookup.ok) {
      entry.session = lookup.reason;
      return sendAppleError(res, 401, 'UNAUTHORIZED');
    }
    entry.session = 'valid';
    if (state.rotateNextSession) {
      state.rotateNextSession = false;
      res.set('X-ADM-Auth-Session', state.rotateSession(lookup.token, lookup.server));
      entry.sessionRotated = true;
    }
    if (lookup.server.accessDenied) return sendAppleError(res, 403, 'ACCESS_DENIED');
    if (!lookup.server.termsSigned) return sendAppleError(res, 403, 'T_C_NOT_SIGNED');
    locals(res).server = lookup.server;
    next();
  });

  router.get('/account', (_req, res) => {
    res.json(locals(res).server.account());
  });

  router.post('/server/devices', (_req, res) => fetchDevices(state, res));
  router.post('/devices/sync', (_req, res) => syncDevices(state, res));

  router.post('/devices', (_req, res) => {
    const { server, body, protocolVersion } = locals(res);
    const serials = deviceList(body);
    if (!serials) return sendAppleError(res, 400, 'DEVICE_ID_REQUIRED');
    const devices: Record<string, Partial<DepDevice> & { response_status: string }> = {};
    for (const serial of serials) {
      const device = server.getDevice(serial);
      // Details are device records too: the same fields per protocol version as fetch and sync.
      devices[serial] = device ? { ...withProtocolFields([device], protocolVersion)[0]!, response_status: 'SUCCESS' } : { response_status: 'NOT_ACCESSIBLE' };
    }
    res.json({ devices });
  });

  router.post('/devices/disown', (_req, res) => {
    const { server, body } = locals(res);
    const serials = deviceList(body);
    if (!serials) return sendAppleError(res, 400, 'DEVICE_ID_REQUIRED');
    const devices: Record<string, string> = {};
    for (const serial of new Set(serials)) {
      devices[serial] = state.removeDevice(server, serial) ? 'SUCCESS' : 'NOT_ACCESSIBLE';
    }
    res.json({ devices });
  });

  router.post('/profile', (_req, res) => {
    const { server, body, protocolVersion } = locals(res);
    const problem = validateProfile(body);
    if (problem) return sendAppleError(res, 400, problem);
    const received = body as Record<string, unknown>;
    const serials = (received.devices as string[] | undefined) ?? [];
    if (serials.length > MAX_SERIALS_PER_ASSIGNMENT) return sendAppleError(res, 400, 'DEVICE_LIMIT_EXCEEDED');
    const profile = server.defineProfile(received, state.now());
    const statuses = server.assign(profile.profileUuid, serials, state.now());
    res.json({ profile_uuid: profile.profileUuid, devices: forVersion(statuses, protocolVersion).devices });
  });

  router.get('/profile', (req, res) => {
    const uuid = req.query.profile_uuid;
    if (typeof uuid !== 'string' || uuid === '') return sendAppleError(res, 400, 'PROFILE_UUID_REQUIRED');
    const profile = locals(res).server.profiles.get(uuid);
    if (!profile) return sendAppleError(res, 404, 'PROFILE_NOT_FOUND');
    const { devices: _assignedAtDefinition, ...fields } = profile.received;
    res.json({ ...fields, profile_uuid: profile.profileUuid });
  });

  const assign = (_req: Request, res: Response) => {
    const { server, body, protocolVersion } = locals(res);
    const request = (body ?? {}) as Record<string, unknown>;
    const uuid = request.profile_uuid;
    if (typeof uuid !== 'string' || uuid === '') return sendAppleError(res, 400, 'PROFILE_UUID_REQUIRED');
    const serials = deviceList(body);
    if (!serials) return sendAppleError(res, 400, 'DEVICE_ID_REQUIRED');
    if (serials.length > MAX_SERIALS_PER_ASSIGNMENT) return sendAppleError(res, 400, 'DEVICE_LIMIT_EXCEEDED');
    if (!server.profiles.has(uuid)) return sendAppleError(res, 404, 'PROFILE_NOT_FOUND');
    const result = forVersion(server.assign(uuid, serials, state.now()), protocolVersion);
    res.json({ profile_uuid: uuid, ...result });
  };
  router.post('/profile/devices', assign);
  router.put('/profile/devices', assign);

  router.delete('/profile/devices', (_req, res) => {
    const { server, body } = locals(res);
    const serials = deviceList(body);
    if (!serials) return sendAppleError(res, 400, 'DEVICE_ID_REQUIRED');
    const uuid = (body as Record<string, unknown>).profile_uuid;
    if (uuid !== undefined && typeof uuid !== 'string') return sendAppleError(res, 400, 'MALFORMED_REQUEST_BODY');
    res.json({ devices: server.removeProfile(serials, uuid, state.now()) });
  });

  router.use((_req: Request, res: Response) => sendAppleError(res, 404, 'NOT_FOUND'));
  return router;
}

// ---- GET /session ----------------------------------------------------------------------------

function oauthProblem(res: Response, problem: string): void {
  res.status(401).set('WWW-Authenticate', 'OAuth realm="ADM"').type('text/plain').send(`oauth_problem=${problem}`);
}

function openSession(state: SimulatorState, req: Request, res: Response): void {
  const now = state.now().getTime();
  // No form body to sign: step 3 already refused every body that is not JSON.
  const url = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
  const verified = verifyOAuthRequest(
    { method: req.method, url, authorization: req.get('authorization') },
    {
      nowMs: now,
      timestampWindowMs: OAUTH_TIMESTAMP_WINDOW_MS,
      findClient: (consumerKey) => state.serverByConsumerKey(consumerKey),
      useNonce: (consumerKey, nonce) => state.useNonce(consumerKey, nonce),
    },
  );
  if (!verified.ok) return oauthProblem(res, verified.problem);
  const server = verified.client;
  if (now >= server.accessTokenExpiry.getTime()) return oauthProblem(res, 'token_expired');
  res.json({ auth_session_token: state.openSession(server) });
}

// ---- fetch and sync --------------------------------------------------------------------------

/** `limit`: default 100, capped at 1000; a non-number is a malformed request. */
function pageSize(body: Record<string, unknown>): number | null {
  const limit = body.limit;
  if (limit === undefined || limit === null) return DEFAULT_PAGE_SIZE;
  if (typeof limit !== 'number' || !Number.isFinite(limit)) return null;
  if (limit < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.floor(limit), MAX_PAGE_SIZE);
}

function requestObject(body: unknown): Record<string, unknown> | null {
  if (body === undefined) return {};
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

function fetchDevices(state: SimulatorState, res: Response): void {
  const { server, body } = locals(res);
  const request = requestObject(body);
  const limit = request && pageSize(request);
  if (!request || limit === null) return sendAppleError(res, 400, 'MALFORMED_REQUEST_BODY');
  const now = state.now().getTime();
  let cursor: CursorPayload;
  if (request.cursor === undefined || request.cursor === null || request.cursor === '') {
    // A new fetch pages through a snapshot: the device slots and change log as they are now.
    cursor = { s: server.uuid, p: 0, n: server.slotCount, e: server.eventCount, t: now };
  } else {
    const decoded = typeof request.cursor === 'string' ? state.cursors.decode(request.cursor) : null;
    if (
      !decoded ||
      decoded.s !== server.uuid ||
      decoded.p === undefined ||
      decoded.n === undefined ||
      decoded.p > decoded.n ||
      decoded.n > server.slotCount ||
      decoded.e > server.eventCount
    ) {
      return sendAppleError(res, 400, 'INVALID_CURSOR');
    }
    if (decoded.p >= decoded.n) return sendAppleError(res, 400, 'EXHAUSTED_CURSOR');
    cursor = decoded;
  }
  const page = server.readSlots(cursor.p!, cursor.n!, limit);
  const next: CursorPayload = { ...cursor, p: page.next, t: now };
  const response: DepDevicePage = {
    devices: withProtocolFields(page.devices, locals(res).protocolVersion),
    cursor: state.cursors.encode(next),
    fetched_until: new Date(now).toISOString(),
    more_to_follow: page.next < cursor.n!,
  };
  res.json(response);
}

function syncDevices(state: SimulatorState, res: Response): void {
  const { server, body } = locals(res);
  const request = requestObject(body);
  const limit = request && pageSize(request);
  if (!request || limit === null) return sendAppleError(res, 400, 'MALFORMED_REQUEST_BODY');
  if (request.cursor === undefined || request.cursor === null || request.cursor === '') {
    return sendAppleError(res, 400, 'CURSOR_REQUIRED');
  }
  const decoded = typeof request.cursor === 'string' ? state.cursors.decode(request.cursor) : null;
  if (!decoded || decoded.s !== server.uuid || decoded.e > server.eventCount) {
    return sendAppleError(res, 400, 'INVALID_CURSOR');
  }
  const now = state.now().getTime();
  if (now - decoded.t > SYNC_CURSOR_MAX_AGE_MS) return sendAppleError(res, 400, 'EXPIRED_CURSOR');
  const page = server.readEvents(decoded.e, limit);
  const response: DepDevicePage = {
    devices: withProtocolFields(page.devices, locals(res).protocolVersion),
    cursor: state.cursors.encode({ s: server.uuid, e: page.next, t: now }),
    fetched_until: new Date(now).toISOString(),
    more_to_follow: page.next < server.eventCount,
  };
  res.json(response);
}

// ---- helpers ---------------------------------------------------------------------------------

/** `mdm_migration_deadline` exists in device records (fetch, sync, details) from protocol 8 (spec §8). */
const MIGRATION_DEADLINE_SINCE_VERSION = 8;

function withProtocolFields(devices: DepDevice[], protocolVersion: number): DepDevice[] {
  if (protocolVersion >= MIGRATION_DEADLINE_SINCE_VERSION) return devices;
  return devices.map(({ mdm_migration_deadline: _notYet, ...rest }) => rest);
}

/** `{devices: [serial, …]}` with at least one serial, or null. */
function deviceList(body: unknown): string[] | null {
  if (!body || typeof body !== 'object') return null;
  const devices = (body as Record<string, unknown>).devices;
  if (!isStringArray(devices) || devices.length === 0 || devices.some((s) => s === '')) return null;
  return devices;
}

/** Older protocol versions do not know THROTTLED (reported as FAILED) nor retry_after_seconds. */
function forVersion(
  statuses: Record<string, AssignmentStatus>,
  protocolVersion: number,
): { devices: Record<string, AssignmentStatus>; retry_after_seconds?: number } {
  const throttled = Object.values(statuses).includes('THROTTLED');
  if (protocolVersion < THROTTLED_SINCE_VERSION && throttled) {
    const devices = Object.fromEntries(
      Object.entries(statuses).map(([serial, status]) => [serial, status === 'THROTTLED' ? 'FAILED' : status]),
    ) as Record<string, AssignmentStatus>;
    return { devices };
  }
  if (throttled && protocolVersion >= RETRY_AFTER_SINCE_VERSION) {
    return { devices: statuses, retry_after_seconds: THROTTLE_RETRY_AFTER_SECONDS };
  }
  return { devices: statuses };
}
