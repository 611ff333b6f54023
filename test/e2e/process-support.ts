/**
 * Runs depgate's entry points as real child processes (`node -r ts-node/register/transpile-only`),
 * the way `npm start` and `npm run apikey` do, with an environment built from scratch so the test
 * runner's own variables (DATABASE_URL, PORT, ...) never leak in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Every variable src/config.ts reads (found in its source, so new ones are covered too). */
export const CONFIG_VARIABLES: readonly string[] = [
  ...new Set(fs.readFileSync(path.join(REPO_ROOT, 'src', 'config.ts'), 'utf8').match(/(?<=\(env, ')[A-Z][A-Z0-9_]*(?=')/g) ?? []),
];

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...CONFIG_VARIABLES, 'TEST_DATABASE_URL']) delete base[name];
  // jest sets NODE_ENV=test; the real process runs without it.
  delete base.NODE_ENV;
  return { ...base, ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** The exit, or a rejection naming what the process printed after `ms`. */
  waitForExit(ms: number): Promise<Exit>;
  /** SIGKILL if still running (cleanup after a failed test). */
  kill(): void;
}

export function runScript(script: string, args: string[], env: Record<string, string>): RunningProcess {
  return runNode(['-r', 'ts-node/register/transpile-only', script, ...args], env, { label: script });
}

/** `node <nodeArgs>` in `cwd` (default: the repository), e.g. a built `dist/main.js` without ts-node. */
export function runNode(nodeArgs: string[], env: Record<string, string>, options: { cwd?: string; label?: string } = {}): RunningProcess {
  const { cwd = REPO_ROOT, label: script = nodeArgs.join(' ') } = options;
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exitOnly = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const streamsClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // 'exit' can come before the pipes are drained; a grandchild holding them open must not hang us.
  const exited = exitOnly.then((exit) =>
    Promise.race([streamsClosed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]).then(() => exit),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForExit(ms) {
      return new Promise<Exit>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${script} did not exit within ${ms} ms\nstdout:\n${out}\nstderr:\n${err}`)),
          ms,
        );
        void exited.then((exit) => {
          clearTimeout(timer);
          resolve(exit);
        });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `url` until it answers 200; fails early, with the output, when the process exits first. */
export async function waitForReady(proc: RunningProcess, url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let exited: Exit | undefined;
  void proc.exited.then((exit) => (exited = exit));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`the process exited (${JSON.stringify(exited)}) before ${url} was ready\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = String((error as Error).message);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${ms} ms (last: ${last})\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`);
}

/** Every non-empty line of `text`, parsed as JSON; throws naming the first line that is not. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        return parsed as Record<string, unknown>;
      } catch {
        throw new Error(`log line is not a JSON object: ${line}`);
      }
    });
}

export async function graphql(url: string, query: string, key?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}
