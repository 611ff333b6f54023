import { Field, ObjectType } from 'type-graphql';
import { ProfilePlatform } from './profile-platform';
import type { PlatformVersions } from './setup-pane-catalogue';
import { factsOf, panePlatforms, platformVersionList, SETUP_PANE_DESCRIPTIONS, SetupPane } from './setup-pane';

@ObjectType({ description: 'An OS version on one platform' })
export class PlatformVersion {
  @Field(() => ProfilePlatform)
  platform: ProfilePlatform;

  @Field(() => String, { nullable: true, description: "e.g. \"17.1\"; null when Apple's documentation gives none" })
  version: string | null;
}

@ObjectType({ description: "A Setup Assistant pane of Apple's skip-key catalogue: where it exists and since when" })
export class SetupPaneInfo {
  @Field(() => SetupPane)
  pane: SetupPane;

  @Field({ description: "Apple's skip_setup_items key" })
  appleKey: string;

  @Field(() => [ProfilePlatform], { description: 'The platforms the pane exists on; profiles of other platforms do not send it' })
  platforms: ProfilePlatform[];

  @Field(() => [PlatformVersion], { description: 'Per platform, the version that introduced the key' })
  introducedIn: PlatformVersion[];

  @Field(() => [PlatformVersion], { description: 'Per platform, the version that deprecated the key (newer devices may ignore it)' })
  deprecatedIn: PlatformVersion[];

  @Field(() => [PlatformVersion], { description: 'Per platform, the version from which the pane no longer exists' })
  removedIn: PlatformVersion[];

  @Field({ description: 'False when the pane can appear before the device has its profile, so Apple cannot always skip it' })
  alwaysSkippable: boolean;

  @Field()
  description: string;

  static from(pane: SetupPane): SetupPaneInfo {
    const facts = factsOf(pane);
    return Object.assign(new SetupPaneInfo(), {
      pane,
      appleKey: facts.appleKey,
      platforms: panePlatforms(pane),
      introducedIn: versionList(facts.introducedIn),
      deprecatedIn: versionList(facts.deprecatedIn),
      removedIn: versionList(facts.removedIn),
      alwaysSkippable: facts.alwaysSkippable !== false,
      description: SETUP_PANE_DESCRIPTIONS[pane],
    });
  }
}

function versionList(versions: PlatformVersions | undefined): PlatformVersion[] {
  return platformVersionList(versions).map((entry) => Object.assign(new PlatformVersion(), entry));
}
