export { createSimulator, startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator.app';
export { SimulatorState, SESSION_TTL_MS, SYNC_CURSOR_MAX_AGE_MS } from './simulator.state';
export {
  issueServerTokenFile,
  serverTokenInnerText,
  type IssueServerTokenOptions,
  type ServerTokenPayload,
} from './server-token-issuer';
export type { FaultSpec } from './faults';
export type { RequestLogEntry } from './request-log';
export { VppSimulatorState, SIM_COMPANY_PORTAL_ADAM_ID, type SimVppLocation, type SimVppAsset } from './vpp.state';
