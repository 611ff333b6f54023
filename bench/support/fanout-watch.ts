/**
 * The fan-out section's subscriber: one graphql-ws client on its own socket, on one token's
 * `syncRunProgress`, timing each event's receipt. Shared by bench/fanout.ts (clients in the bench's
 * process) and bench/support/fanout-clients.ts (clients in a process of their own).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { isFinalStatus, rowIdOf } from './depgate';

export const SUBSCRIPTION = `subscription ($tokenId: ID!) { syncRunProgress(tokenId: $tokenId) {
  id status pagesFetched devicesAdded devicesModified devicesDeleted token { name } } }`;

export interface Progress {
  id: string;
  status: string;
  pagesFetched: number;
  devicesAdded: number;
  devicesModified: number;
  devicesDeleted: number;
}

export const keyOf = (runId: string, e: Omit<Progress, 'id'>) =>
  [runId, e.status, e.pagesFetched, e.devicesAdded, e.devicesModified, e.devicesDeleted].join('|');

export interface Watcher {
  client: Client;
  /** performance.now() per event key, for every message received. */
  received: Map<string, number>;
  started: Promise<void>;
  done: (runId: string) => Promise<void>;
  stop(): void;
}

export function watch(url: string, key: string, tokenId: string): Watcher {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  const received = new Map<string, number>();
  let first: () => void;
  let failed: (error: Error) => void;
  const started = new Promise<void>((resolve, reject) => ((first = resolve), (failed = reject)));
  const finals = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  const finished = new Set<string>();
  const unsubscribe = client.subscribe<{ syncRunProgress: Progress }>(
    { query: SUBSCRIPTION, variables: { tokenId } },
    {
      next: ({ data }) => {
        const at = performance.now();
        const p = data!.syncRunProgress;
        const runId = rowIdOf(p.id);
        received.set(keyOf(runId, p), at);
        first();
        if (isFinalStatus(p.status)) {
          finished.add(runId);
          finals.get(runId)?.resolve();
        }
      },
      error: (error) => {
        // A CloseEvent or ErrorEvent stringifies to {}: its code and reason say what happened.
        const e = error as { code?: number; reason?: string; message?: string };
        failure = new Error(`fanout: a subscriber failed: ${e.code ?? ''} ${e.reason ?? e.message ?? JSON.stringify(error).slice(0, 200)}`);
        failed(failure);
        for (const f of finals.values()) f.reject(failure);
      },
      complete: () => undefined,
    },
  );
  return {
    client,
    received,
    started,
    done: (runId) =>
      finished.has(runId)
        ? Promise.resolve()
        : failure
          ? Promise.reject(failure)
          : new Promise<void>((resolve, reject) => finals.set(runId, { resolve, reject })),
    stop() {
      unsubscribe();
      void client.dispose();
    },
  };
}

/** Opens subscribers in batches (a loaded machine would miss graphql-ws's connection-init timeout). */
export async function connect(into: Watcher[], count: number, open: () => Watcher): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, open);
    into.push(...batch);
    await Promise.all(batch.map((w) => w.started));
  }
}
