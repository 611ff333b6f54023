import { Query, Resolver } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import { SETUP_PANES } from './setup-pane';
import { SetupPaneInfo } from './setup-pane.types';

@Resolver(() => SetupPaneInfo)
export class SetupPaneResolver {
  @Query(() => [SetupPaneInfo], { description: "Apple's skip-key catalogue: every pane a profile can hide, its platforms and versions (SetupPane order)" })
  @RequireRole(Role.READER)
  setupPanes(): SetupPaneInfo[] {
    return SETUP_PANES.map(SetupPaneInfo.from);
  }
}
