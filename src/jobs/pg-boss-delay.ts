/**
 * pg-boss 10's `delay` (src/tools.js: every worker's, the manager's and the stop monitor's wait)
 * requires `node:timers/promises` each time it is called. Its loops can take one more turn after
 * `stop()` has resolved (offWork's wait for its workers, a worker finishing a fetch in flight);
 * under Jest that turn comes after the test file's environment is torn down, where `require`
 * answers undefined and sets a failing exit code, and the loop crashes the test process with an
 * unhandled rejection. Outside Jest the late require is harmless but still needless.
 *
 * This replaces `delay` before pg-boss's modules destructure it (imported ahead of pg-boss in
 * job-runner.ts) with the same function on a timer module loaded once, here. Same contract: the
 * promise resolves after `ms`, rejects with `error` when given, resolves early on `abort()`. Its
 * timer is unref'd: pg-boss only waits between polls with it, while the server and pools keep a
 * running process alive, and a loop turning after stop() must not keep a stopped one (or a Jest
 * run, which then never exits) alive.
 * If pg-boss's internals change shape this throws at load, so an upgrade cannot silently undo it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

type AbortablePromise = Promise<void> & { abort(): void };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools: { delay?: unknown } = require('pg-boss/src/tools');
if (typeof tools.delay !== 'function' || tools.delay.length !== 2) {
  throw new Error('pg-boss/src/tools no longer exports delay(ms, error): review src/jobs/pg-boss-delay.ts for this pg-boss version');
}

tools.delay = function delay(ms: number, error?: string): AbortablePromise {
  const controller = new AbortController();
  const promise = new Promise<void>((resolve, reject) => {
    sleep(ms, null, { signal: controller.signal, ref: false }).then(
      () => (error ? reject(new Error(error)) : resolve()),
      () => resolve(),
    );
  }) as AbortablePromise;
  promise.abort = () => {
    if (!controller.signal.aborted) controller.abort();
  };
  return promise;
};
