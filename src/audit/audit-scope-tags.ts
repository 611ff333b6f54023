/**
 * The scope tags an event belongs to: those of the DEP and VPP tokens and Apple Business accounts it
 * touched, directly or through what hangs under them (profiles, devices, sync runs, alerts inherit
 * their tags), read when the event is written. Other targets (API keys, scope tags, key pairs, configurator
 * certificates) belong to no token: such events are read by unrestricted admins and their actor.
 */
import type { SqlRunner } from '../database/sql-runner';
import { parseGlobalId } from '../graphql/global-id';

const UNDER_DEP_TOKEN = ['EnrollmentProfile', 'Device', 'SyncRun', 'Alert'] as const;
/** An Apple Business account and what its changes at Apple name (MDM servers, activities). */
const UNDER_ACCOUNT = ['AppleBusinessAccount', 'MdmServer', 'OrgDeviceActivity'] as const;

function idsOf(parsed: { type: string; id: string }[], type: string): string[] {
  return parsed.filter((p) => p.type === type).map((p) => p.id);
}

/** One statement, on the caller's executor (a transaction sees the rows it just wrote). */
export async function scopeTagsOfTargets(db: SqlRunner, globalIds: readonly string[]): Promise<string[]> {
  const parsed = globalIds.map(parseGlobalId).filter((p): p is { type: string; id: string } => p !== null);
  const tokenRelated = parsed.some(
    (p) =>
      p.type === 'DepToken' ||
      p.type === 'VppToken' ||
      (UNDER_DEP_TOKEN as readonly string[]).includes(p.type) ||
      (UNDER_ACCOUNT as readonly string[]).includes(p.type),
  );
  if (!tokenRelated) return [];
  const rows: { tags: string[] | null }[] = await db.query(
    `WITH dep AS (
       SELECT unnest($1::uuid[]) AS id
       UNION SELECT token_id FROM enrollment_profiles WHERE id = ANY($2::uuid[])
       UNION SELECT token_id FROM devices WHERE id = ANY($3::uuid[])
       UNION SELECT token_id FROM sync_runs WHERE id = ANY($4::uuid[])
       UNION SELECT dep_token_id FROM alerts WHERE id = ANY($5::uuid[]) AND dep_token_id IS NOT NULL
     ), vpp AS (
       SELECT unnest($6::uuid[]) AS id
       UNION SELECT vpp_token_id FROM alerts WHERE id = ANY($5::uuid[]) AND vpp_token_id IS NOT NULL
     ), account AS (
       SELECT unnest($7::uuid[]) AS id
       UNION SELECT apple_business_account_id FROM alerts WHERE id = ANY($5::uuid[]) AND apple_business_account_id IS NOT NULL
       UNION SELECT account_id FROM apple_mdm_servers WHERE id = ANY($8::uuid[])
       UNION SELECT account_id FROM org_device_activities WHERE id = ANY($9::uuid[])
     )
     SELECT ARRAY(
       SELECT scope_tag_id FROM dep_token_scope_tags WHERE token_id IN (SELECT id FROM dep)
       UNION SELECT scope_tag_id FROM vpp_token_scope_tags WHERE vpp_token_id IN (SELECT id FROM vpp)
       UNION SELECT scope_tag_id FROM apple_business_account_scope_tags WHERE apple_business_account_id IN (SELECT id FROM account)
     )::text[] AS tags`,
    [
      idsOf(parsed, 'DepToken'),
      idsOf(parsed, 'EnrollmentProfile'),
      idsOf(parsed, 'Device'),
      idsOf(parsed, 'SyncRun'),
      idsOf(parsed, 'Alert'),
      idsOf(parsed, 'VppToken'),
      idsOf(parsed, 'AppleBusinessAccount'),
      idsOf(parsed, 'MdmServer'),
      idsOf(parsed, 'OrgDeviceActivity'),
    ],
  );
  return [...(rows[0]?.tags ?? [])].sort();
}
