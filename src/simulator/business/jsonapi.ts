/** JSON:API envelopes, errors[] bodies, paging and sparse fieldsets as the Business API uses them. */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source?: { parameter?: string; pointer?: string },
  ) {
    super(detail);
  }
}

export function sendErrors(res: Response, error: ApiError): void {
  res.status(error.status).json({
    errors: [{ id: randomUUID(), status: String(error.status), code: error.code, title: error.title, detail: error.detail, ...(error.source ? { source: error.source } : {}) }],
  });
}

export const notFound = (type: string, id: string) =>
  new ApiError(404, 'NOT_FOUND', "The specified resource doesn't exist", `There is no resource of type '${type}' with id '${id}'`);

export const parameterError = (parameter: string, detail: string) =>
  new ApiError(400, 'PARAMETER_ERROR.INVALID', 'A parameter has an invalid value', detail, { parameter });

export const entityError = (status: 409 | 422, pointer: string, detail: string) =>
  new ApiError(status, 'ENTITY_ERROR.ATTRIBUTE.INVALID', status === 409 ? 'Request entity error(s)' : 'Unprocessable request entity error(s)', detail, { pointer });

function query(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw parameterError(name, `${name} must be given once`);
  return value;
}

export function readLimit(req: Request): number {
  const raw = query(req, 'limit');
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw parameterError('limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

/** Cursors are opaque base64 of an offset. */
export function readCursor(req: Request): number {
  const raw = query(req, 'cursor');
  if (raw === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(raw, 'base64').toString('utf8'));
  if (!match) throw parameterError('cursor', 'cursor is not valid');
  return Number(match[1]);
}

export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64');
}

/** `fields[type]=a,b`: null when absent; unknown names are a 400. */
export function readFields(req: Request, type: string, allowed: readonly string[]): Set<string> | null {
  const fields = (req.query as Record<string, unknown>).fields;
  const raw = fields && typeof fields === 'object' ? (fields as Record<string, unknown>)[type] : (req.query as Record<string, unknown>)[`fields[${type}]`];
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw parameterError(`fields[${type}]`, 'fields must be given once');
  const names = raw.split(',').filter(Boolean);
  const unknown = names.filter((n) => !allowed.includes(n));
  if (unknown.length > 0) throw parameterError(`fields[${type}]`, `unknown fields: ${unknown.join(', ')}`);
  return new Set(names);
}

export function project<T extends Record<string, unknown>>(attributes: T, fields: Set<string> | null): Partial<T> {
  if (!fields) return attributes;
  const out: Partial<T> = {};
  for (const key of Object.keys(attributes)) if (fields.has(key)) (out as Record<string, unknown>)[key] = attributes[key];
  return out;
}

export function selfUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.originalUrl}`;
}

export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

export function listEnvelope(req: Request, data: unknown[], limit: number, next: number | null, total: number) {
  const links: Record<string, string> = { self: selfUrl(req) };
  const paging: Record<string, unknown> = { limit, total };
  if (next !== null) {
    const url = new URL(selfUrl(req));
    url.searchParams.set('cursor', encodeCursor(next));
    links.next = url.toString();
    paging.nextCursor = encodeCursor(next);
  }
  return { data, links, meta: { paging } };
}
