/**
 * Builds and starts the Apple Business Manager simulator: Apple's endpoints at the root, the
 * control API under `/_sim`, all state in memory.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../clock';
import { mountBusinessApi, type BusinessSimulatorState } from './business';
import { controlRoutes } from './control.routes';
import { depRoutes } from './dep.routes';
import { SimulatorState } from './simulator.state';
import { vppControlRoutes, vppRoutes } from './vpp.routes';
import { VppSimulatorState } from './vpp.state';

export interface SimulatorOptions {
  /** Defaults to wall-clock time that `/_sim/clock` can shift; pass a ManualClock in tests. */
  clock?: Clock;
}

export function createSimulator(options: SimulatorOptions = {}): {
  app: express.Express;
  state: SimulatorState;
  vpp: VppSimulatorState;
  business: BusinessSimulatorState;
} {
  const state = new SimulatorState(options.clock);
  // Apps and Books (VPP) locations share the simulator's clock; /_sim/reset forgets them too.
  const vpp = new VppSimulatorState(state.clock);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Raw bodies for everything: see readJsonBody. 100 MB leaves room for bulk device uploads.
  app.use(express.raw({ type: () => true, limit: '100mb' }));
  app.post('/_sim/reset', (_req, _res, next) => {
    vpp.reset();
    next();
  });
  // The School and Business API: its own control routes, token endpoint and /business, /school hosts.
  const business = mountBusinessApi(app, state);
  app.use('/_sim/vpp', vppControlRoutes(vpp));
  app.use('/_sim', controlRoutes(state));
  app.use('/mdm/v2', vppRoutes(vpp));
  app.use(depRoutes(state));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === 413) res.status(413).type('text/plain').send('REQUEST_TOO_LARGE');
    else if (status === 400) res.status(400).type('text/plain').send('MALFORMED_REQUEST_BODY');
    else res.status(500).type('text/plain').send('INTERNAL_SERVER_ERROR');
  });
  return { app, state, vpp, business };
}

export interface RunningSimulator {
  url: string;
  port: number;
  state: SimulatorState;
  vpp: VppSimulatorState;
  business: BusinessSimulatorState;
  /** APPLE_VPP_API_URL for this simulator. */
  vppUrl: string;
  /** APPLE_BUSINESS_API_URL, APPLE_SCHOOL_API_URL and APPLE_OAUTH_TOKEN_URL for this simulator. */
  businessUrl: string;
  schoolUrl: string;
  oauthTokenUrl: string;
  close(): Promise<void>;
}

export async function startSimulator(
  options: SimulatorOptions & { port?: number; host?: string } = {},
): Promise<RunningSimulator> {
  const { app, state, vpp, business } = createSimulator(options);
  const host = options.host ?? '127.0.0.1';
  const server = app.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    state,
    vpp,
    business,
    vppUrl: `http://${urlHost}:${port}/mdm/v2`,
    businessUrl: `http://${urlHost}:${port}/business`,
    schoolUrl: `http://${urlHost}:${port}/school`,
    oauthTokenUrl: `http://${urlHost}:${port}/auth/oauth2/token`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Requests parked in a delay fault would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
