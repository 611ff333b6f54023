// Builds the console into web/dist: GraphQL Code Generator types the operations in web/src against
// the committed schema/schema.graphql (an operation the schema no longer accepts fails the build),
// tsc checks the code against those types, then Vite bundles it.
//
// `node web/build.cjs --if-stale` (npm start, the browser tests) builds only when the sources
// changed: a sha256 of every source file (web/ minus its outputs, the page list it shares with the
// server, the schema, the lock file) is kept in dist/.source-hash and compared, so a checkout, a
// pull or an edit rebuilds and nothing else does.
// Plain Node (not ts-node or jest): codegen and Vite load ESM-only packages.
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const WEB = __dirname;
const ROOT = path.resolve(WEB, '..');
const DIST = path.join(WEB, 'dist');
const GENERATED = path.join(WEB, 'src', 'gql');
const HASH_FILE = path.join(DIST, '.source-hash');
const LOCK = path.join(WEB, '.build-lock');
const SCHEMA = path.join(ROOT, 'schema', 'schema.graphql');

/** The files whose content decides the build, in a stable order (paths of one checkout). */
function sourceFiles(web = WEB, dir = web) {
  const skip = new Set(['dist', 'node_modules', '.build-lock'].map((name) => path.join(web, name)).concat(path.join(web, 'src', 'gql')));
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (skip.has(full)) return [];
      return entry.isDirectory() ? sourceFiles(web, full) : [full];
    });
}

/** The files outside web/ that the bundle imports: src/http/console-pages.ts (the server's too). */
const SHARED_SOURCES = [path.join('src', 'http', 'console-pages.ts')];

/** sha256 over web/'s sources, the shared ones, the schema the operations are checked against and the lock file. */
function sourceHash(root = ROOT) {
  const web = path.join(root, 'web');
  const hash = createHash('sha256');
  const others = [...SHARED_SOURCES, path.join('schema', 'schema.graphql'), 'package-lock.json'].map((file) => path.join(root, file));
  for (const file of [...sourceFiles(web), ...others]) {
    hash.update(path.relative(root, file)).update('\0').update(fs.existsSync(file) ? fs.readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex');
}

/** No build, or one made from other sources. */
function isStale(root = ROOT) {
  const dist = path.join(root, 'web', 'dist');
  const hashFile = path.join(dist, '.source-hash');
  return !fs.existsSync(path.join(dist, 'index.html')) || !fs.existsSync(hashFile) || fs.readFileSync(hashFile, 'utf8').trim() !== sourceHash(root);
}

async function codegen() {
  const { generate } = require('@graphql-codegen/cli');
  await generate(
    {
      schema: SCHEMA,
      documents: [path.join(WEB, 'src/**/*.{ts,tsx}'), `!${GENERATED}/**`],
      ignoreNoDocuments: false,
      silent: true,
      generates: {
        [`${GENERATED}/`]: {
          preset: 'client',
          presetConfig: { fragmentMasking: false },
          config: { scalars: { DateTimeISO: 'string' }, useTypeImports: true, enumsAsTypes: true },
        },
      },
    },
    true,
  );
}

async function build() {
  const started = Date.now();
  const hash = sourceHash(); // of what is built, even if a file changes meanwhile
  await codegen();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(WEB, 'tsconfig.json')], { stdio: 'inherit' });
  const vite = await import('vite');
  await vite.build({ configFile: path.join(WEB, 'vite.config.mts') });
  fs.writeFileSync(HASH_FILE, hash);
  process.stdout.write(`console built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** One build at a time across processes (test files start in parallel): a lock directory. */
async function withLock(fn) {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than five minutes is left over from a killed build.
      if (Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 5 * 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another console build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

async function main() {
  const ifStale = process.argv.includes('--if-stale');
  await withLock(async () => {
    if (ifStale && !isStale()) return;
    await build();
  });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`console build failed: ${(error && (error.details || error.stack || error.message)) || error}\n`);
    process.exit(1);
  });
}

module.exports = { isStale, sourceHash, DIST };
