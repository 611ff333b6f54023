/**
 * The browser tests' console build: `node web/build.cjs --if-stale` (codegen, typecheck, Vite) in
 * its own Node process (the build loads ESM-only packages jest cannot); a current build is kept,
 * and parallel test files wait for one build (the script locks).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export function ensureConsoleBuilt(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'web', 'build.cjs'), '--if-stale'], { cwd: ROOT, timeout: 5 * 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`console build failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}
