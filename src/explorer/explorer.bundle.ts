/**
 * GraphiQL from npm, bundled with esbuild into one script and one stylesheet the server serves
 * itself: the explorer works offline and loads nothing from a CDN. Bundled in memory on the first
 * explorer request (about 1 to 3 s, measured; cached for the process's life): no build step for
 * `npm start` or the release, no writable folder (the image's app folder is read-only), and a server
 * whose explorer is off (production by default) never loads esbuild or React at all.
 */
import path from 'node:path';
import { EXPLORER_CLIENT_SOURCE } from './explorer.client';

export interface ExplorerAssets {
  js: string;
  css: string;
}

let assets: Promise<ExplorerAssets> | undefined;

export function explorerAssets(): Promise<ExplorerAssets> {
  assets ??= bundle().catch((error: unknown) => {
    assets = undefined; // a later request tries again
    throw error;
  });
  return assets;
}

async function bundle(): Promise<ExplorerAssets> {
  // Required here, not imported at the top: a server with the explorer off never loads esbuild.
  // (require, not import(): ts-node and jest's CommonJS runtime both handle it.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  // Resolve the browser packages from the folder that holds node_modules (checkout or release).
  const resolveDir = path.resolve(path.dirname(require.resolve('graphiql/package.json')), '..', '..');
  const result = await esbuild.build({
    stdin: { contents: EXPLORER_CLIENT_SOURCE, resolveDir, loader: 'js', sourcefile: 'explorer.client.js' },
    bundle: true,
    write: false,
    outdir: '/explorer',
    entryNames: 'graphiql',
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: file('.js'), css: file('.css') };
}
