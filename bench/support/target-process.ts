/**
 * The parent's handle on a `queries` target forked into its own process (support/query-target.ts):
 * its URL, and measure() around a load run, which returns what the server process spent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledPathOf } from './compiled-sources';
import type { Measured, TargetKind } from './query-target';

/**
 * The V8 flags every target runs with: those `npm start` gives depgate (package.json), so the
 * comparison is like for like. BENCH_NODE_FLAGS (space-separated) replaces them, to try others.
 */
export const TARGET_NODE_FLAGS = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : ['--max-semi-space-size=64'];

export interface TargetProcess {
  url: string;
  /** `label` names the window's CPU profile when BENCH_CPU_PROF_DIR is set (support/query-target.ts). */
  measure<T>(work: () => Promise<T>, label?: string): Promise<{ result: T; server: Omit<Measured, 'measured'> }>;
  stop(): Promise<void>;
}

function nextMessage<T>(child: ChildProcess, accept: (m: any) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: any) => {
      if (!accept(m)) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`query target exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startTargetProcess(kind: TargetKind, env: Record<string, string>): Promise<TargetProcess> {
  // Compiled JavaScript, as production runs it (compiled-sources.ts says why not ts-node).
  const child = fork(compiledPathOf(path.join(__dirname, 'query-target.ts')), [kind], {
    execArgv: [...TARGET_NODE_FLAGS],
    // NODE_ENV comes with process.env: production unless set (support/production-env.ts).
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await nextMessage<{ url: string }>(child, (m) => m?.ready === true);
  return {
    url,
    async measure(work, label) {
      const started = nextMessage(child, (m) => m?.started === true);
      child.send({ measure: 'start' });
      await started;
      const result = await work();
      const answer = nextMessage<Measured>(child, (m) => m?.measured === true);
      child.send({ measure: 'stop', label });
      const { measured: _measured, ...server } = await answer;
      return { result, server };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
