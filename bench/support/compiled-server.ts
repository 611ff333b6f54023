/**
 * The bench's servers compiled to JavaScript, as the image runs depgate (`node dist/main.js`, no
 * ts-node): under ts-node a server process also holds the TypeScript compiler and every transpiled
 * file with its source map, about 150 MB of RSS before it serves anything, which a release never
 * carries. A section that measures a server's RSS forks this build (support/target-process.ts).
 *
 * Built once per bench run, with the release's compiler options (tsconfig.bench-server.json: the
 * release's files plus the target entry point), into node_modules/.cache so that the build finds
 * the packages the way dist/ does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'depgate-bench-server');

let built: string | undefined;

/** The build's folder (`<dir>/bench/support/query-target.js` is the target entry point). */
export function compiledServerDir(): string {
  if (built) return built;
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.bench-server.json'), '--outDir', OUT_DIR], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  built = OUT_DIR;
  return built;
}
