/**
 * The schema stays generator-friendly: GraphQL Code Generator's client preset (what front-end teams
 * run, configured as in the README's codegen.ts) generates types for a set of realistic operations
 * (test/fixtures/operations/console.graphql) from the committed schema/schema.graphql, and the
 * generated code, with client code that uses it, type-checks under strict TypeScript. Fails when
 * generation fails (an operation no longer valid against the schema, a name the preset cannot
 * handle) or when the result does not compile.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');
const operations = join(root, 'test/fixtures/operations');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'depgate-codegen-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The README's codegen.ts, pointed at the committed schema and the fixture operations. */
function config(target: string) {
  return {
    schema: join(root, 'schema/schema.graphql'),
    documents: [join(operations, '*.graphql')],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      [`${target}/`]: {
        preset: 'client' as const,
        config: { scalars: { DateTimeISO: 'string' }, useTypeImports: true },
      },
    },
  };
}

/** `generate(config)` of @graphql-codegen/cli, in a Node process (test/support/run-codegen.js says why). */
function generate(options: object): Promise<string[]> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [join(root, 'test/support/run-codegen.js'), JSON.stringify(options)], { cwd: root }, (error, stdout, stderr) =>
      error ? fail(new Error(`codegen failed: ${stderr || error.message}`)) : done(JSON.parse(stdout)),
    );
  });
}

function typeCheck(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true,
    noUnusedLocals: false,
    typeRoots: [join(root, 'node_modules/@types')],
    types: [],
    baseUrl: dir,
    paths: { '*': [join(root, 'node_modules/*')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

it('generates typed documents for the operations, and they type-check with client code using them', async () => {
  const target = join(out, 'gql');
  const files = await generate(config(target));
  expect(files.map((f) => f.replace(`${target}/`, '')).sort()).toEqual(
    expect.arrayContaining(['gql.ts', 'graphql.ts', 'index.ts']),
  );
  const generated = readFileSync(join(target, 'graphql.ts'), 'utf8');
  if (process.env.CODEGEN_KEEP) cpSync(target, process.env.CODEGEN_KEEP, { recursive: true });
  // The scalar mapping of the README's config: DateTimeISO is a string on the wire.
  expect(generated).toMatch(/export type ApiKeyTableQuery = .*createdAt: string, lastUsedAt: string \| null/);
  for (const name of ['TokenTableDocument', 'DevicePageDocument', 'AssignProfileDocument', 'SyncProgressDocument', 'AlertsResolvedDocument', 'TokenChangedDocument', 'ApiKeyTableDocument']) {
    expect(generated).toContain(`export const ${name}`);
  }
  cpSync(join(operations, 'use-generated.ts'), join(target, 'use-generated.ts'));
  expect(typeCheck(target)).toEqual([]);
}, 120_000);

it('fails on an operation the schema does not have (so the test above can fail)', async () => {
  const bad = mkdtempSync(join(out, 'bad-'));
  cpSync(join(operations, 'console.graphql'), join(bad, 'console.graphql'));
  const broken = { ...config(join(bad, 'gql')), documents: [join(bad, '*.graphql'), join(bad, 'broken.graphql')] };
  writeFileSync(join(bad, 'broken.graphql'), 'query Broken { depTokens { edges { node { noSuchField } } } }\n');
  await expect(generate(broken)).rejects.toThrow(/noSuchField/);
}, 120_000);
