/**
 * The token and profiles a page of devices names, read before the page is returned when the
 * operation selects them (`edges { node { token profile enrollmentProfileName requestedProfile } }`).
 *
 * Why: each device's `token` and `profile` otherwise went through its loader and a promise. On a
 * 500-device page that is 1,000 promises, and graphql-js then waits for every device object's
 * promises (issue #15). Read once here, through the same loaders and so the same statements and
 * access rules, each is turned into its GraphQL object once, and the field resolvers return it as
 * it is. A device the prefetch did not cover (another list, a single node) still goes through its
 * loader.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../context';
import { selectsPath } from '../graphql/selection';
import { EnrollmentProfile } from '../profiles/profile.types';
import { toDepToken } from '../tokens/token.resolver';
import type { DepToken } from '../tokens/token.types';
import type { JoinedDeviceRelations } from './device-joined-relations';
import type { Device } from './device.types';

/** What one page's prefetch read, shared by its devices. A key is absent when it was not read. */
export interface DeviceRelations {
  tokens: Map<string, DepToken>;
  /** null: the profile is gone or not visible, as the loader answers. */
  profiles: Map<string, EnrollmentProfile | null>;
}

const PROFILE_FIELDS = ['profile', 'enrollmentProfileName', 'requestedProfile'] as const;

/**
 * Prefetches what `nodePath` (the path from the list field to its devices) selects, and attaches it.
 * `joined`: what the page's own statement already read (device-joined-relations.ts); the
 * relations it covers are not read again.
 */
export async function prefetchDeviceRelations(
  ctx: RequestContext,
  info: GraphQLResolveInfo,
  nodePath: readonly string[],
  devices: readonly Device[],
  joined?: JoinedDeviceRelations | null,
): Promise<void> {
  if (devices.length === 0) return;
  const wantsToken = !joined?.covers.tokens && selectsPath(info, [...nodePath, 'token']);
  const wantsProfiles = !joined?.covers.profiles && PROFILE_FIELDS.some((field) => selectsPath(info, [...nodePath, field]));
  const relations: DeviceRelations = joined?.relations ?? { tokens: new Map(), profiles: new Map() };
  if (!wantsToken && !wantsProfiles) {
    if (joined) for (const device of devices) device.relations = relations;
    return;
  }
  const tokenIds = wantsToken ? [...new Set(devices.map((d) => d.tokenRowId))] : [];
  const profileIds = wantsProfiles ? [...new Set(devices.flatMap((d) => [d.profileRowId, d.requestedProfileRowId].filter((id): id is string => id !== null)))] : [];
  const [tokens, profiles] = await Promise.all([ctx.loaders.tokenById.loadMany(tokenIds), ctx.loaders.profileById.loadMany(profileIds)]);
  // A failed read stays out: that device's field asks its loader, which gives the same error.
  tokens.forEach((token, i) => token && !(token instanceof Error) && relations.tokens.set(tokenIds[i]!, toDepToken(ctx, token)));
  profiles.forEach((profile, i) => !(profile instanceof Error) && relations.profiles.set(profileIds[i]!, profile ? EnrollmentProfile.from(profile) : null));
  for (const device of devices) device.relations = relations;
}
