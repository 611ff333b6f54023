/** Small request/response helpers shared by the Apple routes and the control routes. */
import type { Request, Response } from 'express';

/** Apple answers errors with the code as plain text (spec §6 says: match it by substring). */
export function sendAppleError(res: Response, status: number, code: string): void {
  res.status(status).type('text/plain').send(code);
}

export type JsonBody = { ok: true; value: unknown } | { ok: false };

/**
 * The raw body parsed as JSON. Bodies are read raw because Apple's clients send
 * `application/json;charset=UTF8`, a charset name body-parser's JSON parser refuses.
 */
export function readJsonBody(req: Request): JsonBody {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

export function bodyBytes(req: Request): number {
  return Buffer.isBuffer(req.body) ? req.body.length : 0;
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Resolves after `ms`, or as soon as the client has gone away; true if the client is gone. */
export function delayUnlessClosed(ms: number, res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed || res.writableEnded) {
      resolve(true);
      return;
    }
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}
