/**
 * A simulator on a random loopback port, one MDM server whose credentials come from decrypting the
 * issued token file, and DepClients wired to a shared ManualClock and a sleep that records instead
 * of waiting. No fetch mocks: every call crosses real HTTP.
 */
import { ManualClock } from '../../../src/clock';
import { DepClient, type DepClientOptions } from '../../../src/apple/dep-client';
import type { DepOAuthCredentials } from '../../../src/apple/dep-credentials';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import {
  SimControl,
  credentialsFromToken,
  decryptTokenFile,
  makeVendorIdentity,
  type VendorIdentity,
} from '../../support/sim-support';

export interface ClientHarness {
  sim: RunningSimulator;
  control: SimControl;
  clock: ManualClock;
  vendor: VendorIdentity;
  serverUuid: string;
  credentials: DepOAuthCredentials;
  sleeps: number[];
  client(overrides?: Partial<DepClientOptions>): DepClient;
  /** Requests the simulator saw for one path (Apple side only). */
  requests(path?: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

let vendorCache: VendorIdentity | undefined;

export async function startHarness(serverOptions: Record<string, unknown> = {}): Promise<ClientHarness> {
  const clock = new ManualClock('2025-06-01T08:00:00Z');
  const sim = await startSimulator({ clock });
  const control = new SimControl(sim.url);
  vendorCache ??= makeVendorIdentity();
  const vendor = vendorCache;
  const created = await control.createServer(vendor.certificatePem, serverOptions);
  const credentials = credentialsFromToken(decryptTokenFile(created.tokenFile, vendor.privateKey));
  const sleeps: number[] = [];
  return {
    sim,
    control,
    clock,
    vendor,
    serverUuid: created.serverUuid,
    credentials,
    sleeps,
    client: (overrides = {}) =>
      new DepClient({
        baseUrl: sim.url,
        credentials,
        clock,
        userAgent: 'depgate-test/1.0',
        timeoutMs: 5000,
        retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
        random: () => 0.5,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...overrides,
      }),
    requests: async (path) => (await control.requests(path)).requests,
    close: () => sim.close(),
  };
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
