/**
 * Input rules both kinds of Apple token (DEP server tokens, VPP location tokens) apply to what an
 * admin types: the token's display name and the Apple ID recorded with it.
 */
import { badInput } from '../errors/domain-error';

/** An Apple ID is an email address: a local part of at most 64 characters, a dotted domain. */
const APPLE_ID = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const APPLE_ID_MAX_LENGTH = 254;

/**
 * The trimmed Apple ID, or BAD_USER_INPUT on `appleId`. `wanted` completes the message "appleId
 * must be ..." (a DEP renewal needs the very Apple ID that created the token).
 */
export function validAppleId(appleId: string, wanted = 'an Apple ID (an email address)'): string {
  const trimmed = (appleId ?? '').trim();
  if (trimmed.length > APPLE_ID_MAX_LENGTH || !APPLE_ID.test(trimmed)) throw badInput(`appleId must be ${wanted}`, 'appleId');
  return trimmed;
}

/** The trimmed display name, or BAD_USER_INPUT on `name`. */
export function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw badInput('name must be 1 to 100 characters', 'name');
  return trimmed;
}
