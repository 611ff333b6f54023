// The console's bundle: React without a framework plugin (Vite's own oxc transform compiles the
// TSX; no fast refresh is needed for a console built once and served by depgate).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
});
