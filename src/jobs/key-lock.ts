/**
 * "At most one at a time per key, across every instance", on PostgreSQL session advisory locks.
 *
 * Skip, don't wait: `tryAcquireKeyLock` answers at once whether the key is free (Zentral-style),
 * so a worker never sits blocked behind another instance's long sync.
 *
 * Why a session lock on a held connection rather than a lock row: if the instance dies, PostgreSQL
 * ends the session and the lock goes with it, at once; nothing waits for a lease to run out.
 * The cost is one connection per running exclusive job.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger';

/**
 * The 64-bit lock id for (scope, key). Hashing in Node (not `hashtext`, 32 bits) makes a collision
 * between two tokens, which would make one skip the other's sync, practically impossible.
 */
export function advisoryLockId(scope: string, key: string): string {
  return createHash('sha256').update(scope).update('\0').update(key).digest().readBigInt64BE(0).toString();
}

export interface HeldKeyLock {
  /** Unlocks and returns the connection; never throws. */
  release(): Promise<void>;
}

/**
 * Takes the lock on a connection of its own from `pool`, or returns null when another session
 * holds it. `onLost` runs if that connection breaks while the lock is held: the lock is gone then,
 * and whoever holds it must stop.
 */
export async function tryAcquireKeyLock(
  pool: Pool,
  scope: string,
  key: string,
  logger: Logger,
  onLost: (err: Error) => void,
): Promise<HeldKeyLock | null> {
  const lockId = advisoryLockId(scope, key);
  const client: PoolClient = await pool.connect();
  let held = false;
  let lost = false;
  // A checked-out pg client has no error listener of the pool's: without this one, a dropped
  // connection would be an uncaught 'error' event.
  const onError = (err: Error) => {
    lost = true;
    if (!held) return; // the pending query rejects; the caller sees that
    logger.warn({ scope, err: { message: err.message } }, 'connection holding a job key lock broke; the lock is released');
    onLost(err);
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockId]);
    if (!rows[0]?.locked) {
      client.off('error', onError);
      client.release();
      return null;
    }
    held = true;
  } catch (err) {
    client.off('error', onError);
    client.release(err as Error);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      held = false; // from here a broken connection concerns nobody: the session end drops the lock
      try {
        if (lost) throw new Error('connection lost');
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockId]);
        client.off('error', onError);
        client.release();
      } catch (err) {
        // Destroying the connection ends the session, which drops the lock anyway.
        client.off('error', onError);
        client.release(err instanceof Error ? err : true);
      }
    },
  };
}
