/**
 * The `queries` targets run compiled JavaScript, as `npm run start:prod` and the image do, not
 * under ts-node: ts-node keeps the TypeScript compiler and every compiled source in the server's
 * heap (about a hundred MB of the RSS the section reports, which no deployment carries).
 *
 * Each file of src/, migrations/ and bench/ is transpiled on its own (ts.transpileModule, what
 * ts-node's transpile-only mode does: the project sets isolatedModules, so nothing needs the type
 * checker) into node_modules/.cache/depgate-bench-build, where `require` finds the packages as it
 * does for the sources. Done once per bench run; a few seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
export const COMPILED_ROOT = path.join(ROOT, 'node_modules', '.cache', 'depgate-bench-build');
const FOLDERS = ['src', 'migrations', 'bench'];

let compiled = false;

function compilerOptions(): ts.CompilerOptions {
  const read = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson(read.config.compilerOptions, ROOT);
  if (errors.length) throw new Error(ts.flattenDiagnosticMessageText(errors[0].messageText, '\n'));
  // CommonJS as the package is (no "type": "module"); no source maps, no declaration files.
  return { ...options, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, sourceMap: false, declaration: false };
}

function sourcesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesOf(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Transpiles the sources into COMPILED_ROOT (once per process) and returns the compiled path of `source`. */
export function compiledPathOf(source: string): string {
  if (!compiled) {
    const options = compilerOptions();
    fs.rmSync(COMPILED_ROOT, { recursive: true, force: true });
    for (const folder of FOLDERS) {
      for (const file of sourcesOf(path.join(ROOT, folder))) {
        const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
        if (diagnostics?.length) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
        const out = path.join(COMPILED_ROOT, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, outputText);
      }
    }
    compiled = true;
  }
  const relative = path.relative(ROOT, source);
  if (relative.startsWith('..') || !FOLDERS.includes(relative.split(path.sep)[0])) throw new Error(`${source} is not in ${FOLDERS.join(', ')}`);
  return path.join(COMPILED_ROOT, relative).replace(/\.ts$/, '.js');
}
