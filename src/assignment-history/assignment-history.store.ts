/**
 * Writing and pruning assignment attempts. A chunk of Apple's answers is recorded in ONE statement
 * (joined to the devices by serial: a serial lives under one token), right after the statement that
 * stored the answers on the devices.
 */
import type { DataSource } from 'typeorm';
import type { SqlRunner } from '../database/sql-runner';
import type { AssignmentRequester } from './assignment-attempt.entity';

export interface AttemptOrigin {
  /** One requester for the chunk, or one per serial (automatic assignment mixes both rules). */
  requester: AssignmentRequester | ((serial: string) => AssignmentRequester);
  apiKeyId?: string | null;
  apiKeyName?: string | null;
}

export interface RecordedAnswer {
  serialNumber: string;
  status: string;
  message?: string;
  retryAfterSeconds?: number;
}

const PRUNE_BATCH = 5000;
/** Messages are depgate's own and short; bounded all the same. */
const MAX_MESSAGE = 500;

export async function recordAttempts(
  db: SqlRunner,
  profile: { id: string; appleProfileUuid: string | null },
  answers: readonly RecordedAnswer[],
  origin: AttemptOrigin,
  at: Date,
): Promise<void> {
  if (answers.length === 0) return;
  const requester = origin.requester;
  await db.query(
    `INSERT INTO assignment_attempts (id, device_id, serial_number, profile_id, apple_profile_uuid, result, message, retry_after_seconds,
                                      requested_by, api_key_id, api_key_name, attempted_at)
     SELECT gen_random_uuid(), d.id, a.serial, $1, $2, a.result, a.message, a.retry_after, a.requested_by, $3, $4, $5
       FROM unnest($6::text[], $7::text[], $8::text[], $9::int[], $10::text[]) AS a(serial, result, message, retry_after, requested_by)
       JOIN devices d ON d.serial_number = a.serial`,
    [
      profile.id,
      profile.appleProfileUuid,
      origin.apiKeyId ?? null,
      origin.apiKeyName ?? null,
      at,
      answers.map((a) => a.serialNumber),
      answers.map((a) => a.status),
      answers.map((a) => a.message?.slice(0, MAX_MESSAGE) ?? null),
      answers.map((a) => a.retryAfterSeconds ?? null),
      answers.map((a) => (typeof requester === 'function' ? requester(a.serialNumber) : requester)),
    ],
  );
}

/** Deletes attempts older than `before`, in batches (a huge backlog never holds one long lock). */
export async function pruneAttempts(dataSource: DataSource, before: Date, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) break;
    const [, affected] = await dataSource.query(
      `DELETE FROM assignment_attempts WHERE id IN (SELECT id FROM assignment_attempts WHERE attempted_at < $1 ORDER BY attempted_at LIMIT $2)`,
      [before, PRUNE_BATCH],
    );
    total += Number(affected ?? 0);
    if (Number(affected ?? 0) < PRUNE_BATCH) break;
  }
  return total;
}
