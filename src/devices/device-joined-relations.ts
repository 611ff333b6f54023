/**
 * A device page's token and profiles read by the page's own statement (LEFT JOINs), when the
 * operation selects only their plain fields: `token { name }`, `profile { id name }`,
 * `enrollmentProfileName`, what a device list shows.
 *
 * Why: read through their loaders (device-prefetch.ts), they were two more statements a page. In
 * the bench's page (`... profile { name } token { name }`, first 100) those two cost the server
 * 1.3 to 1.6 ms of CPU of its 3.4 to 3.7 ms a request (measured by dropping them from the query),
 * and PostgreSQL two more plans and round trips (issue #15): each statement is a pool checkout, a
 * protocol exchange, a parse of its rows, while the joined columns are two short values a row.
 *
 * Access: every join carries the token rule in its ON (AccessScope.tokenJoinCondition). A page
 * holds devices of tokens the key may see, so for the token join it only restates the page's WHERE;
 * a device's profile may belong to another token (nothing ties the two), so a profile the key may
 * not see joins as nulls and the device answers null, as profileById answers.
 *
 * Objects: a DepToken or EnrollmentProfile made here holds the fields the tables below name (and
 * its ids), one object per token or profile across the page. A selection under `token`, `profile`
 * or `requestedProfile` naming any other field (`status`, a field resolver) leaves that relation to
 * the loaders, which read whole rows. device-joined-relations.test.ts asks each field of the tables
 * through both paths, scoped and not, and fails if the tables name a field the schema lacks.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '../context';
import type { PageExtension } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { fieldsSelectedAt } from '../graphql/selection';
import { EnrollmentProfileEntity } from '../profiles/profile.entity';
import { EnrollmentProfile } from '../profiles/profile.types';
import { DepTokenEntity } from '../tokens/token.entity';
import { DepToken } from '../tokens/token.types';
import type { DeviceEntity } from './device.entity';
import type { DeviceRelations } from './device-prefetch';

/** DepToken fields a join may answer: each copies the entity property of its name (DepToken.from). */
export const TOKEN_JOINED_FIELDS: ReadonlySet<string> = new Set([
  'name', 'orgName', 'expiresAt', 'renewedAt', 'createdAt', 'updatedAt', 'appleId', 'orgEmail', 'orgId',
  'serverName', 'serverUuid', 'enrollmentUrl', 'tokenType', 'lastSyncTriggeredAt', 'lastSuccessfulSyncAt',
]);

/** EnrollmentProfile fields a join may answer: each copies the entity property of its name (EnrollmentProfile.from). */
export const PROFILE_JOINED_FIELDS: ReadonlySet<string> = new Set([
  'name', 'description', 'platform', 'userAffinity', 'supervised', 'lockedEnrollment', 'departmentName', 'departmentPhone',
  'language', 'region', 'supportEmailAddress', 'appleProfileUuid', 'appleDefinedAt', 'createdAt', 'updatedAt',
]);

/** Fields every object answers from its ids. */
const ID_FIELDS = new Set(['__typename', 'id']);

/** The fields selected at `path`, or null when one of them is not a joined field (or none is selected). */
function joinedFieldsAt(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[], allowed: ReadonlySet<string>): Set<string> | null {
  const fields = fieldsSelectedAt(info, path);
  if (fields.size === 0) return null;
  const joined = new Set<string>();
  for (const field of fields) {
    if (ID_FIELDS.has(field)) continue;
    if (!allowed.has(field)) return null;
    joined.add(field);
  }
  return joined;
}

interface ProfileJoin {
  alias: string;
  /** The device's property holding the profile's id, and its column. */
  via: 'profileId' | 'requestedProfileId';
  column: string;
}

const PROFILE_JOIN: ProfileJoin = { alias: 'jp', via: 'profileId', column: 'profile_id' };
const REQUESTED_PROFILE_JOIN: ProfileJoin = { alias: 'jr', via: 'requestedProfileId', column: 'requested_profile_id' };

/** What the page joins and what it found; `covers` says which relations the prefetch may skip. */
export interface JoinedDeviceRelations {
  extension: PageExtension<DeviceEntity>;
  relations: DeviceRelations;
  covers: { tokens: boolean; profiles: boolean };
}

/**
 * The joins for the relations the operation selects at `nodePath` with joined fields only; null
 * when there is none (nothing selected, or each relation needs its loader).
 */
export function joinedDeviceRelations(ctx: RequestContext, info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, nodePath: readonly string[]): JoinedDeviceRelations | null {
  const tokenFields = joinedFieldsAt(info, [...nodePath, 'token'], TOKEN_JOINED_FIELDS);
  const selected = fieldsSelectedAt(info, nodePath);
  const joins: ProfileJoin[] = [];
  let profileFields: Set<string> | null = null;
  // One profile may be a device's profile and another's requested one: both joins read the same
  // fields, so the one object kept for it answers either selection.
  const wantsProfile = selected.has('profile') || selected.has('enrollmentProfileName');
  const wantsRequested = selected.has('requestedProfile');
  if (wantsProfile || wantsRequested) {
    const parts = [
      selected.has('profile') ? joinedFieldsAt(info, [...nodePath, 'profile'], PROFILE_JOINED_FIELDS) : new Set<string>(),
      wantsRequested ? joinedFieldsAt(info, [...nodePath, 'requestedProfile'], PROFILE_JOINED_FIELDS) : new Set<string>(),
      selected.has('enrollmentProfileName') ? new Set(['name']) : new Set<string>(),
    ];
    if (parts.every((part) => part !== null)) {
      profileFields = new Set(parts.flatMap((part) => [...part!]));
      if (wantsProfile) joins.push(PROFILE_JOIN);
      if (wantsRequested) joins.push(REQUESTED_PROFILE_JOIN);
    }
  }
  if (!tokenFields && !profileFields) return null;

  const relations: DeviceRelations = { tokens: new Map(), profiles: new Map() };
  const extension: PageExtension<DeviceEntity> = {
    extend(page: SelectQueryBuilder<DeviceEntity>) {
      const a = page.alias;
      if (tokenFields) {
        // The page's devices are already those of visible tokens; the rule in the ON as well keeps
        // the join right for a list whose query did not apply it.
        page.leftJoin(DepTokenEntity, 'jt', `jt.id = ${a}.token_id AND ${ctx.scope.tokenJoinCondition(page, 'jt.id')}`);
        selectColumns(page, DepTokenEntity, 'jt', ['id', ...tokenFields]);
      }
      // `joins` is empty unless profileFields is set.
      for (const { alias, column } of joins) {
        page.leftJoin(EnrollmentProfileEntity, alias, `${alias}.id = ${a}.${column} AND ${ctx.scope.tokenJoinCondition(page, `${alias}.token_id`)}`);
        selectColumns(page, EnrollmentProfileEntity, alias, ['id', 'tokenId', ...profileFields!]);
      }
    },
    read(entities, rows) {
      entities.forEach((device, i) => {
        const row = rows[i]!;
        // A token that joined as nulls stays out: its devices' field asks the loader.
        if (tokenFields && row.jt_id !== null && !relations.tokens.has(device.tokenId)) relations.tokens.set(device.tokenId, joinedToken(row, tokenFields));
        for (const { alias, via } of joins) {
          const profileId = device[via];
          if (profileId === null || relations.profiles.has(profileId)) continue;
          relations.profiles.set(profileId, row[`${alias}_id`] === null ? null : joinedProfile(row, alias, profileFields!));
        }
      });
    },
  };
  return { extension, relations, covers: { tokens: tokenFields !== null, profiles: profileFields !== null } };
}

/** Selects each property of the joined alias under the name `<alias>_<property>`. */
function selectColumns(page: SelectQueryBuilder<DeviceEntity>, entity: typeof DepTokenEntity | typeof EnrollmentProfileEntity, alias: string, properties: readonly string[]): void {
  const metadata = page.connection.getMetadata(entity);
  for (const property of properties) {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`device-joined-relations: ${metadata.name} has no column ${property}`);
    // Quoted, so typeorm neither rewrites it nor takes it for a selection of the joined entity.
    page.addSelect(`"${alias}"."${column.databaseName}"`, `${alias}_${property}`);
  }
}

function joinedToken(row: Record<string, unknown>, fields: ReadonlySet<string>): DepToken {
  const rowId = row.jt_id as string;
  const token = Object.assign(new DepToken(), { id: toGlobalId('DepToken', rowId), rowId });
  for (const field of fields) (token as unknown as Record<string, unknown>)[field] = row[`jt_${field}`];
  return token;
}

function joinedProfile(row: Record<string, unknown>, alias: string, fields: ReadonlySet<string>): EnrollmentProfile {
  const rowId = row[`${alias}_id`] as string;
  const profile = Object.assign(new EnrollmentProfile(), { id: toGlobalId('EnrollmentProfile', rowId), rowId, tokenRowId: row[`${alias}_tokenId`] as string });
  for (const field of fields) (profile as unknown as Record<string, unknown>)[field] = row[`${alias}_${field}`];
  return profile;
}
