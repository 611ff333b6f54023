import 'reflect-metadata';
import { GraphQLEnumType } from 'graphql';
import { Query, Resolver, buildSchema } from 'type-graphql';
import * as settings from '../../../src/profiles/profile.settings';
import * as warnings from '../../../src/profiles/profile.warnings';
import { SETUP_PANES, SetupPane } from '../../../src/profiles/setup-pane';

describe('GraphQL enums of the profile feature', () => {
  it('registers SetupPane, UserAffinity, AuthenticationMethod, SyncWithComputers, RequiredLicense and ProfileWarningCode with value descriptions', async () => {
    @Resolver()
    class EnumProbe {
      @Query(() => [SetupPane]) panes() { return []; }
      @Query(() => settings.UserAffinity) affinity() { return settings.UserAffinity.WITH_USER; }
      @Query(() => settings.AuthenticationMethod) auth() { return settings.AuthenticationMethod.COMPANY_PORTAL; }
      @Query(() => settings.SyncWithComputers) sync() { return settings.SyncWithComputers.DENY_ALL; }
      @Query(() => settings.RequiredLicense) license() { return settings.RequiredLicense.USER; }
      @Query(() => warnings.ProfileWarningCode) warning() { return warnings.ProfileWarningCode.UNSUPERVISED_IGNORED; }
    }
    const schema = await buildSchema({ resolvers: [EnumProbe], validate: false });

    const pane = schema.getType('SetupPane') as GraphQLEnumType;
    expect(pane).toBeInstanceOf(GraphQLEnumType);
    expect(pane.getValues().map((v) => v.name)).toEqual([...SETUP_PANES]);
    expect(pane.getValue('EXPRESS_LANGUAGE')?.description).toContain('Apple key: Keyboard.');
    expect(pane.getValue('BIOMETRICS')?.description).toContain('Touch ID / Face ID');
    for (const value of pane.getValues()) expect(value.description).toBeTruthy();

    const names: Record<string, string[]> = {
      UserAffinity: ['WITH_USER', 'WITHOUT_USER'],
      AuthenticationMethod: ['COMPANY_PORTAL', 'SETUP_ASSISTANT'],
      SyncWithComputers: ['ALLOW_ALL', 'DENY_ALL', 'ALLOW_BY_CERTIFICATE'],
      RequiredLicense: ['USER', 'DEVICE'],
    };
    for (const [typeName, values] of Object.entries(names)) {
      const type = schema.getType(typeName) as GraphQLEnumType;
      expect(type.getValues().map((v) => v.name)).toEqual(values);
      for (const value of type.getValues()) expect(value.description).toBeTruthy();
    }
    const warningType = schema.getType('ProfileWarningCode') as GraphQLEnumType;
    expect(warningType.getValues().map((v) => v.name)).toEqual(Object.values(warnings.ProfileWarningCode));
    for (const value of warningType.getValues()) expect(value.description).toBeTruthy();
  });
});
