/**
 * Which objects a mutation touched, as global ids: the input's `*Id` / `*Ids` fields and the
 * objects its payload returns (`token { id }`, `deletedDepTokenId`, `results [{ id }]`). Only
 * strings that parse as global ids are taken, so nothing else of the input (a token file, a secret,
 * a password) can ever reach the trail.
 */
import { parseGlobalId } from '../graphql/global-id';

/** Bounds a row: more than this many ids in one call are cut (the count is not the point). */
export const MAX_TARGET_IDS = 200;
/** How deep inputs are searched (`input.settings.vppTokenId`). */
const INPUT_DEPTH = 3;

const ID_KEY = /(^id|Id|Ids)$/;

function pushGlobalId(into: Set<string>, value: unknown): void {
  if (into.size < MAX_TARGET_IDS && typeof value === 'string' && parseGlobalId(value)) into.add(value);
}

function pushIds(into: Set<string>, value: unknown): void {
  if (Array.isArray(value)) for (const v of value) pushGlobalId(into, v);
  else pushGlobalId(into, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The global ids among a mutation's arguments (`*Id` / `*Ids` fields at any depth up to INPUT_DEPTH). */
export function inputTargetIds(args: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > INPUT_DEPTH) return;
    if (Array.isArray(value)) {
      for (const item of value) if (isRecord(item)) walk(item, depth + 1);
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, field] of Object.entries(value)) {
      if (ID_KEY.test(key)) pushIds(found, field);
      else walk(field, depth + 1);
    }
  };
  walk(args, 0);
  return [...found];
}

/**
 * The global ids a payload returns: its own `*Id` / `*Ids` fields and the `id` of each object
 * (or list of objects) directly under it. Deeper objects (a token's scope tags) are not targets.
 */
export function payloadTargetIds(payload: unknown): string[] {
  const found = new Set<string>();
  if (!isRecord(payload)) return [];
  for (const [key, field] of Object.entries(payload)) {
    if (ID_KEY.test(key)) pushIds(found, field);
    else if (isRecord(field)) pushGlobalId(found, field.id);
    else if (Array.isArray(field)) for (const item of field) if (isRecord(item)) pushGlobalId(found, item.id);
  }
  return [...found];
}
