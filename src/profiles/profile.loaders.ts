import DataLoader from 'dataloader';
import type { AccessScope } from '../auth/access-scope';
import { ascending, type ConnectionResult } from '../graphql/connection';
import { byIds } from '../graphql/loader-batch';
import { connectionArgsFromKey, countNested, loaderPerKey, paginateNested } from '../graphql/nested-connection';
import type { Services } from '../services';
import type { ConfiguratorCertificateEntity } from './configurator-certificate.entity';
import type { EnrollmentProfileEntity } from './profile.entity';
import type { DefaultProfileIds } from './profile-platform';
import type { CompanyPortalVppTokenState } from './profile.service';

export interface ProfileLoaders {
  /** Visible profiles by row id (null when absent or not visible). */
  profileById: DataLoader<string, EnrollmentProfileEntity | null>;
  /** A token's default profile, by token row id (one query joining tokens and profiles). */
  defaultProfileByToken: DataLoader<string, EnrollmentProfileEntity | null>;
  /** A token's default profile ids by platform, by token row id (isDefault, DepToken.defaultProfiles). */
  defaultProfileIdByToken: DataLoader<string, DefaultProfileIds>;
  /** Pages of a token's profiles, one loader per connection arguments (`connectionArgsKey`). */
  profilesByToken: (argsKey: string) => DataLoader<string, ConnectionResult<EnrollmentProfileEntity>>;
  certificatesByProfile: DataLoader<string, ConfiguratorCertificateEntity[]>;
  certificateById: DataLoader<string, ConfiguratorCertificateEntity | null>;
  vppTokenState: DataLoader<string, CompanyPortalVppTokenState | null>;
}

/** A token's profiles, oldest first. */
const profileKey = (alias: string) => [
  { sql: `${alias}.created_at`, value: (p: EnrollmentProfileEntity) => p.createdAt.toISOString(), cast: 'timestamptz' as const },
  { sql: `${alias}.id`, value: (p: EnrollmentProfileEntity) => p.id, cast: 'uuid' as const },
];

export function createProfileLoaders(services: Services, scope: AccessScope): ProfileLoaders {
  const profiles = services.profiles;
  const profileCounts = new DataLoader<string, number>(async (tokenIds) =>
    countNested((alias) => profiles.listQuery(null, alias), 'token_id', tokenIds),
  );
  return {
    profileById: new DataLoader(async (ids) => byIds(ids, await profiles.findVisibleByIds(ids, scope))),
    defaultProfileByToken: new DataLoader(async (tokenIds) => {
      const { raw, entities } = await profiles
        .listQuery(scope)
        .innerJoin('dep_tokens', 'dt', 'dt.default_profile_id = p.id')
        .addSelect('dt.id', 'dt_token_id')
        .andWhere('dt.id = ANY(CAST(:tokenIds AS uuid[]))', { tokenIds: [...tokenIds] })
        .getRawAndEntities();
      const byId = new Map(entities.map((p) => [p.id, p]));
      const rows = byIds(tokenIds, raw as { p_id: string; dt_token_id: string }[], (r) => r.dt_token_id);
      return rows.map((r) => (r ? (byId.get(r.p_id) ?? null) : null));
    }),
    defaultProfileIdByToken: new DataLoader(async (tokenIds) => {
      const map = await services.profiles.defaultProfileIds(tokenIds);
      return tokenIds.map((id) => map.get(id) ?? {});
    }),
    profilesByToken: loaderPerKey((key) => {
      const args = connectionArgsFromKey(key);
      return new DataLoader((tokenIds) =>
        paginateNested(
          { repository: profiles.profiles, base: (alias) => profiles.listQuery(null, alias), parentColumn: 'token_id', order: (alias) => ascending(profileKey(alias)), args },
          tokenIds,
          profileCounts,
        ),
      );
    }),
    certificatesByProfile: new DataLoader(async (profileIds) => {
      const map = await services.configuratorCertificates.byProfiles(profileIds);
      return profileIds.map((id) => map.get(id) ?? []);
    }),
    certificateById: new DataLoader(async (ids) => byIds(ids, await services.configuratorCertificates.findByIds(ids))),
    vppTokenState: new DataLoader(async (ids) => {
      const states = await profiles.vppTokenStates(ids, scope);
      return ids.map((id) => states.get(id) ?? null);
    }),
  };
}
