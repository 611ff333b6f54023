/**
 * The Apple School and Business Manager API (`/v1/...`), mounted once per product host: bearer
 * tokens, orgDevices, mdmServers, orgDeviceActivities and the activity log download (a presigned
 * URL outside the API: no bearer token). Every failure is an `errors[]` body (spec §2).
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import forge from 'node-forge';
import { readJsonBody } from '../http-helpers';
import type { MdmServer } from '../mdm-server';
import { ACTIVITY_TYPES, activityStatus, businessServerId, type ActivityRecord, type ActivityType, type ApiScope, type BusinessSimulatorState, type OrgDeviceRecord } from './business.state';
import { ApiError, baseUrl, entityError, listEnvelope, notFound, parameterError, project, readCursor, readFields, readLimit, selfUrl, sendErrors } from './jsonapi';

const DEVICE_FIELDS = [
  'serialNumber', 'addedToOrgDateTime', 'releasedFromOrgDateTime', 'updatedDateTime', 'deviceModel', 'productFamily', 'productType',
  'deviceCapacity', 'partNumber', 'orderNumber', 'color', 'status', 'orderDateTime', 'imei', 'meid', 'eid', 'purchaseSourceId',
  'purchaseSourceType', 'wifiMacAddress', 'bluetoothMacAddress', 'ethernetMacAddress', 'isMdmMigrationCapable', 'mdmMigrationStatus',
  'mdmMigrationDeadlineDateTime', 'assignedServer', 'appleCareCoverage',
] as const;
const SERVER_FIELDS = [
  'serverName', 'serverType', 'createdDateTime', 'updatedDateTime', 'devices', 'enableMdmDisownFlag', 'defaultProductFamilies', 'status',
  'deviceCount', 'lastConnectedDateTime', 'lastConnectedIp',
] as const;
const APPLECARE_FIELDS = ['description', 'status', 'paymentType', 'startDateTime', 'endDateTime', 'isRenewable', 'isCanceled', 'contractCancelDateTime', 'agreementNumber'] as const;
const PRODUCT_FAMILIES = ['APPLE_TV', 'IPAD', 'IPHONE', 'IPOD', 'MAC', 'VISION', 'WATCH'];
const MAX_DEVICES_PER_ACTIVITY = 100_000;
const MAX_DEADLINE_AHEAD_MS = 90 * 86_400_000;

function jsonData(req: Request): Record<string, unknown> {
  const body = readJsonBody(req);
  if (!body.ok || !body.value || typeof body.value !== 'object') throw entityError(422, '/data', 'The request body must be a JSON object');
  const data = (body.value as { data?: unknown }).data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw entityError(422, '/data', 'data is required');
  return data as Record<string, unknown>;
}

export function businessRoutes(state: BusinessSimulatorState, scope: ApiScope): Router {
  const router = Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    state.settle();
    state.adoptDepDevices();
    if (state.rateLimit.remaining > 0) {
      state.rateLimit.remaining--;
      res.setHeader('Retry-After', String(state.rateLimit.retryAfterSeconds));
      return sendErrors(res, new ApiError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached', 'Too many requests; retry later'));
    }
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? state.lookupAccessToken(header.slice(7)) : undefined;
    if (!token) return sendErrors(res, new ApiError(401, 'NOT_AUTHORIZED', 'Authentication credentials are missing or invalid', 'Provide a valid access token'));
    if (token.scope !== scope) return sendErrors(res, new ApiError(403, 'FORBIDDEN_ERROR', 'This request is forbidden', `The access token's scope is not ${scope}`));
    if (state.getClient(token.clientId)?.forbidden) return sendErrors(res, new ApiError(403, 'FORBIDDEN_ERROR', 'This request is forbidden', 'The API account may not use this API'));
    next();
  });

  const deviceResource = (req: Request, device: OrgDeviceRecord, fields: Set<string> | null, single: boolean) => {
    const owner = state.ownerOf(device.serialNumber);
    const { appleCare: _care, releasedFromOrgDateTime, ...attrs } = device;
    const attributes = project(
      { ...attrs, ...(single ? { releasedFromOrgDateTime } : {}), status: owner ? 'ASSIGNED' : 'UNASSIGNED' } as Record<string, unknown>,
      fields,
    );
    const self = `${baseUrl(req)}/v1/orgDevices/${device.serialNumber}`;
    const relationships: Record<string, unknown> = {};
    if (!fields || fields.has('assignedServer')) relationships.assignedServer = { links: { self: `${self}/relationships/assignedServer`, related: `${self}/assignedServer` } };
    if (!fields || fields.has('appleCareCoverage')) relationships.appleCareCoverage = { links: { related: `${self}/appleCareCoverage` } };
    return { type: 'orgDevices', id: device.serialNumber, attributes, relationships, links: { self } };
  };

  const serverResource = (req: Request, server: MdmServer, fields: Set<string> | null) => {
    const extras = state.extrasOf(server);
    const id = businessServerId(server.uuid);
    const attributes = project(
      {
        serverName: server.serverName,
        serverType: extras.serverType,
        createdDateTime: extras.createdDateTime,
        updatedDateTime: extras.updatedDateTime,
        enableMdmDisownFlag: extras.enableMdmDisownFlag,
        defaultProductFamilies: extras.defaultProductFamilies,
        status: 'ACTIVE',
        deviceCount: server.deviceCount,
        lastConnectedDateTime: null,
        lastConnectedIp: null,
      } as Record<string, unknown>,
      fields,
    );
    const self = `${baseUrl(req)}/v1/mdmServers/${id}`;
    return { type: 'mdmServers', id, attributes, relationships: { devices: { links: { self: `${self}/relationships/devices` } } }, links: { self } };
  };

  router.get('/v1/orgDevices', (req, res) => {
    const limit = readLimit(req);
    const offset = readCursor(req);
    const fields = readFields(req, 'orgDevices', DEVICE_FIELDS);
    const page = state.listDevices(offset, limit);
    res.json(listEnvelope(req, page.devices.map((d) => deviceResource(req, d, fields, false)), limit, page.next, page.total));
  });

  const device = (req: Request) => {
    const serial = String(req.params.id);
    const record = state.device(serial);
    if (!record) throw notFound('orgDevices', serial);
    return record;
  };

  router.get('/v1/orgDevices/:id', (req, res) => {
    const fields = readFields(req, 'orgDevices', DEVICE_FIELDS);
    res.json({ data: deviceResource(req, device(req), fields, true), links: { self: selfUrl(req) } });
  });

  router.get('/v1/orgDevices/:id/relationships/assignedServer', (req, res) => {
    const owner = state.ownerOf(device(req).serialNumber);
    const self = selfUrl(req);
    res.json({ data: owner ? { type: 'mdmServers', id: businessServerId(owner.uuid) } : null, links: { self, related: self.replace('/relationships/', '/') } });
  });

  router.get('/v1/orgDevices/:id/assignedServer', (req, res) => {
    const record = device(req);
    const owner = state.ownerOf(record.serialNumber);
    if (!owner) throw notFound('mdmServers', `assignedServer of ${record.serialNumber}`);
    res.json({ data: serverResource(req, owner, readFields(req, 'mdmServers', SERVER_FIELDS)), links: { self: selfUrl(req) } });
  });

  router.get('/v1/orgDevices/:id/appleCareCoverage', (req, res) => {
    const limit = readLimit(req);
    const fields = readFields(req, 'appleCareCoverage', APPLECARE_FIELDS);
    const coverage = device(req).appleCare.slice(0, limit);
    res.json(listEnvelope(req, coverage.map(({ id, ...a }) => ({ type: 'appleCareCoverage', id, attributes: project(a as Record<string, unknown>, fields) })), limit, null, coverage.length));
  });

  router.get('/v1/mdmServers', (req, res) => {
    const limit = readLimit(req);
    const offset = readCursor(req);
    const fields = readFields(req, 'mdmServers', SERVER_FIELDS);
    const servers = state.servers();
    const slice = servers.slice(offset, offset + limit);
    const next = offset + limit < servers.length ? offset + limit : null;
    res.json(listEnvelope(req, slice.map((s) => serverResource(req, s, fields)), limit, next, servers.length));
  });

  const server = (req: Request) => {
    const id = String(req.params.id);
    const found = state.serverById(id);
    if (!found) throw notFound('mdmServers', id);
    return found;
  };

  router.get('/v1/mdmServers/:id', (req, res) => {
    res.json({ data: serverResource(req, server(req), readFields(req, 'mdmServers', SERVER_FIELDS)), links: { self: selfUrl(req) } });
  });

  router.get('/v1/mdmServers/:id/relationships/devices', (req, res) => {
    const found = server(req);
    const limit = readLimit(req);
    const offset = readCursor(req);
    const serials = [...found.devices()].map((d) => d.serial_number);
    const slice = serials.slice(offset, offset + limit);
    res.json(listEnvelope(req, slice.map((id) => ({ type: 'orgDevices', id })), limit, offset + limit < serials.length ? offset + limit : null, serials.length));
  });

  router.post('/v1/mdmServers', (req, res) => {
    if (scope !== 'business.api') throw new ApiError(403, 'FORBIDDEN_ERROR', 'This request is forbidden', 'Only Apple Business can create MDM servers');
    const data = jsonData(req);
    const attributes = (data.attributes ?? {}) as Record<string, unknown>;
    const serverName = attributes.serverName;
    if (typeof serverName !== 'string' || serverName.trim() === '' || serverName.length > 255) throw entityError(422, '/data/attributes/serverName', 'serverName is required');
    if (['unassigned', 'reassigned'].includes(serverName.trim().toLowerCase())) throw entityError(409, '/data/attributes/serverName', 'This name is reserved');
    if (state.servers().some((s) => s.serverName === serverName)) throw entityError(409, '/data/attributes/serverName', 'An MDM server with this name exists');
    const certificate = attributes.serverCertificate as { name?: unknown; data?: unknown } | undefined;
    if (!certificate || typeof certificate.data !== 'string') throw entityError(422, '/data/attributes/serverCertificate', 'serverCertificate is required');
    let pem: string;
    try {
      const der = forge.util.decode64(certificate.data);
      pem = forge.pki.certificateToPem(forge.pki.certificateFromAsn1(forge.asn1.fromDer(der)));
    } catch {
      throw entityError(422, '/data/attributes/serverCertificate/data', 'serverCertificate.data must be a base64 X.509 certificate');
    }
    const orgName = state.dep.listServers()[0]?.orgName ?? 'Simulated Org';
    const issued = state.dep.createServer({ certificatePem: pem, serverName, orgName });
    const extras = state.extrasOf(issued.server);
    extras.enableMdmDisownFlag = attributes.enableMdmDisownFlag === true;
    res.status(201).json({ data: serverResource(req, issued.server, null), links: { self: `${baseUrl(req)}/v1/mdmServers` } });
  });

  router.patch('/v1/mdmServers/:id', (req, res) => {
    const found = server(req);
    const data = jsonData(req);
    const attributes = (data.attributes ?? {}) as Record<string, unknown>;
    const extras = state.extrasOf(found);
    if (attributes.defaultProductFamilies !== undefined) {
      const families = attributes.defaultProductFamilies;
      if (!Array.isArray(families) || families.some((f) => typeof f !== 'string' || !PRODUCT_FAMILIES.includes(f))) {
        throw entityError(422, '/data/attributes/defaultProductFamilies', `defaultProductFamilies must be a list of ${PRODUCT_FAMILIES.join(', ')}`);
      }
      const taken = state.servers().find((s) => s !== found && state.extrasOf(s).defaultProductFamilies.some((f) => families.includes(f)));
      if (taken) throw entityError(409, '/data/attributes/defaultProductFamilies', `A product family is the default of ${taken.serverName}`);
      extras.defaultProductFamilies = [...new Set(families as string[])];
    }
    if (typeof attributes.enableMdmDisownFlag === 'boolean') extras.enableMdmDisownFlag = attributes.enableMdmDisownFlag;
    extras.updatedDateTime = state.now().toISOString();
    res.json({ data: serverResource(req, found, null), links: { self: selfUrl(req) } });
  });

  router.delete('/v1/mdmServers/:id', (req, res) => {
    const found = server(req);
    if (found.deviceCount > 0) throw entityError(409, '/data/id', "An MDM server with assigned devices can't be deleted. Unassign all devices before deleting");
    state.extrasOf(found).deleted = true;
    res.status(204).end();
  });

  router.post('/v1/orgDeviceActivities', (req, res) => {
    const data = jsonData(req);
    if (data.type !== 'orgDeviceActivities') throw entityError(409, '/data/type', "type must be 'orgDeviceActivities'");
    const attributes = (data.attributes ?? {}) as Record<string, unknown>;
    const relationships = (data.relationships ?? {}) as Record<string, { data?: unknown }>;
    const type = attributes.activityType as ActivityType;
    if (!ACTIVITY_TYPES.includes(type)) throw entityError(409, '/data/attributes/activityType', 'activityType is not valid');
    if (type === 'RELEASE_DEVICES' && scope !== 'business.api') throw entityError(409, '/data/attributes/activityType', 'RELEASE_DEVICES is Apple Business only');
    const devices = relationships.devices?.data;
    if (!Array.isArray(devices) || devices.length === 0 || devices.length > MAX_DEVICES_PER_ACTIVITY) throw entityError(409, '/data/relationships/devices', 'devices is required');
    const serials = devices.map((d) => (d as { id?: unknown }).id);
    if (serials.some((s) => typeof s !== 'string')) throw entityError(409, '/data/relationships/devices', 'each device needs an id');
    const unknown = (serials as string[]).find((s) => !state.device(s));
    if (unknown) throw entityError(409, '/data/relationships/devices', `There is no device with serial number '${unknown}'`);
    const needsServer = type === 'ASSIGN_DEVICES' || type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE';
    const serverId = (relationships.mdmServer?.data as { id?: unknown } | undefined)?.id;
    let serverUuid: string | null = null;
    if (serverId !== undefined) {
      const found = typeof serverId === 'string' ? state.serverById(serverId) : undefined;
      if (!found) throw entityError(409, '/data/relationships/mdmServer', 'The MDM server id is not valid');
      serverUuid = found.uuid;
    } else if (needsServer) throw entityError(409, '/data/relationships/mdmServer', 'mdmServer is required');
    let deadline: string | null = null;
    if (type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE' || type === 'UPDATE_MDM_MIGRATION_DEADLINE') {
      const raw = (attributes.activityTypeMetadata as { mdmMigrationDeadlineDateTime?: unknown } | undefined)?.mdmMigrationDeadlineDateTime;
      const at = typeof raw === 'string' ? Date.parse(raw) : NaN;
      if (Number.isNaN(at)) throw entityError(409, '/data/attributes/activityTypeMetadata/mdmMigrationDeadlineDateTime', 'mdmMigrationDeadlineDateTime is required');
      if (type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE' && (at <= state.now().getTime() || at > state.now().getTime() + MAX_DEADLINE_AHEAD_MS)) {
        throw entityError(409, '/data/attributes/activityTypeMetadata/mdmMigrationDeadlineDateTime', 'The deadline must be in the next 90 days');
      }
      deadline = new Date(at).toISOString();
    }
    const activity = state.createActivity({ type, serverUuid, serials: [...new Set(serials as string[])], deadline });
    res.status(201).json({ data: activityResource(req, activity, null), links: { self: `${baseUrl(req)}/v1/orgDeviceActivities` } });
  });

  router.get('/v1/orgDeviceActivities/:id', (req, res) => {
    const id = String(req.params.id);
    const activity = state.activity(id);
    if (!activity) throw notFound('orgDeviceActivities', id);
    const fields = readFields(req, 'orgDeviceActivities', ['status', 'subStatus', 'createdDateTime', 'completedDateTime', 'downloadUrl']);
    res.json({ data: activityResource(req, activity, fields), links: { self: selfUrl(req) } });
  });

  router.use((req: Request, _res: Response) => {
    throw new ApiError(404, 'NOT_FOUND', "The specified resource doesn't exist", `No endpoint ${req.method} ${req.path}`);
  });
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof ApiError) sendErrors(res, error);
    else next(error);
  });
  return router;
}

function activityResource(req: Request, activity: ActivityRecord, fields: Set<string> | null) {
  // completedDateTime and downloadUrl only when COMPLETED (spec §4.3): not for FAILED or STOPPED.
  const status = activityStatus(activity);
  const done = status === 'COMPLETED';
  const origin = `${req.protocol}://${req.get('host')}`;
  const attributes = project(
    {
      status,
      subStatus: activity.subStatus,
      createdDateTime: new Date(activity.createdAt).toISOString(),
      ...(done
        ? {
            completedDateTime: new Date(activity.completedAt!).toISOString(),
            downloadUrl: `${origin}/_blobstore/activity-logs/${activity.id}.csv?Signature=${activity.logToken}`,
          }
        : {}),
    } as Record<string, unknown>,
    fields,
  );
  return { type: 'orgDeviceActivities', id: activity.id, attributes, links: { self: `${baseUrl(req)}/v1/orgDeviceActivities/${activity.id}` } };
}

/** The presigned activity log (no bearer token): preamble rows, then one row per serial. */
export function activityLogRoutes(state: BusinessSimulatorState): Router {
  const router = Router();
  router.get('/_blobstore/activity-logs/:file', (req, res) => {
    const id = String(req.params.file).replace(/\.csv$/, '');
    const activity = state.activityByLogToken(id, String(req.query.Signature ?? ''));
    if (!activity) return res.status(403).type('text/plain').send('AccessDenied');
    const rows = [
      `Activity ID,${activity.id}`,
      `Activity Type,${activity.type}`,
      `Completed,${new Date(activity.completedAt!).toISOString()}`,
      '',
      'serial_number,operation_status,operation_substatus',
      ...activity.outcomes.map((o) => o.join(',')),
    ];
    res.type('text/csv').send(`${rows.join('\n')}\n`);
  });
  return router;
}
