/** The simulator's Apple School and Business Manager API, wired into the app by mountBusinessApi. */
import type express from 'express';
import type { SimulatorState } from '../simulator.state';
import { businessControlRoutes } from './business-control.routes';
import { activityLogRoutes, businessRoutes } from './business.routes';
import { BusinessSimulatorState } from './business.state';
import { oauthRoutes } from './oauth.routes';

export { BusinessSimulatorState, businessServerId } from './business.state';
export { ASSERTION_AUDIENCE } from './oauth.routes';

/** Path prefixes of the two product hosts inside the one simulator origin. */
export const BUSINESS_API_PATH = '/business';
export const SCHOOL_API_PATH = '/school';
export const OAUTH_TOKEN_PATH = '/auth/oauth2/token';

export function mountBusinessApi(app: express.Express, dep: SimulatorState): BusinessSimulatorState {
  const state = new BusinessSimulatorState(dep);
  app.post('/_sim/reset', (_req, _res, next) => {
    state.reset();
    next();
  });
  app.use('/_sim/business', businessControlRoutes(state));
  app.use(oauthRoutes(state));
  app.use(activityLogRoutes(state));
  app.use(BUSINESS_API_PATH, businessRoutes(state, 'business.api'));
  app.use(SCHOOL_API_PATH, businessRoutes(state, 'school.api'));
  // A DEP sync right after an activity's delay sees its effect without anyone polling the activity.
  app.use((_req, _res, next) => {
    state.settle();
    next();
  });
  return state;
}
