/**
 * The console build is redone exactly when its sources change (web/build.cjs --if-stale, run by
 * npm start and the browser tests): the hash covers web/'s sources, the page list it shares with the
 * server, the schema the operations are checked against and the lock file, and not the build's own
 * outputs. On a copy of the tree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require('../../../web/build.cjs') as { isStale(root?: string): boolean; sourceHash(root?: string): string };

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-console-build-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('web/index.html', '<div id="root"></div>');
  write('web/src/main.tsx', 'export {};');
  write('src/http/console-pages.ts', "export const CONSOLE_PAGES = [{ path: '/' }];");
  write('schema/schema.graphql', 'type Query { a: Int }');
  write('package-lock.json', '{}');
  write('web/dist/index.html', 'built');
  write('web/dist/.source-hash', build.sourceHash(root));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

it('is current right after a build, and stays so when only outputs change', () => {
  expect(build.isStale(root)).toBe(false);
  fs.writeFileSync(path.join(root, 'web/dist/assets.js'), 'x');
  fs.mkdirSync(path.join(root, 'web/src/gql'));
  fs.writeFileSync(path.join(root, 'web/src/gql/graphql.ts'), 'generated');
  expect(build.isStale(root)).toBe(false);
});

it.each([
  ['an edited source', 'web/src/main.tsx', 'export const x = 1;'],
  ['a new source', 'web/src/pages/New.tsx', 'export {};'],
  ['a changed schema', 'schema/schema.graphql', 'type Query { b: Int }'],
  ['a changed page list (shared with the server)', 'src/http/console-pages.ts', 'export const CONSOLE_PAGES = [];'],
  ['a changed lock file', 'package-lock.json', '{"v":2}'],
])('is stale after %s', (_what, file, text) => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
  expect(build.isStale(root)).toBe(true);
});

it('is stale without a build or without its hash', () => {
  fs.rmSync(path.join(root, 'web/dist/.source-hash'));
  expect(build.isStale(root)).toBe(true);
  fs.rmSync(path.join(root, 'web/dist'), { recursive: true });
  expect(build.isStale(root)).toBe(true);
});
