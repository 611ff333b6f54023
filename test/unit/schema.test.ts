/**
 * The schema contract: the committed SDL matches the code, changes against the previous committed
 * schema are not breaking unless accepted, and every root field goes through the role guard.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isObjectType, type GraphQLSchema } from 'graphql';
import { requiredRoleOf } from '../../src/auth/guard';
import { Role } from '../../src/auth/role';
import { buildDepgateSchema, printSortedSchema } from '../../src/schema';
import {
  ACCEPTED_PATH,
  REPO_ROOT,
  SCHEMA_PATH,
  checkBreakingChanges,
  describeUnaccepted,
  findSchemaBaseline,
} from '../../scripts/schema-compat';

let schema: GraphQLSchema;
let sdl: string;
beforeAll(() => {
  schema = buildDepgateSchema();
  sdl = printSortedSchema(schema);
});

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds', () => {
    const file = path.join(REPO_ROOT, SCHEMA_PATH);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed !== sdl) {
      throw new Error(
        `${SCHEMA_PATH} is out of date with the resolvers. Run \`npm run schema\` and commit the file ` +
          `(review the diff: it is the contract front ends build on).`,
      );
    }
  });

  it('has no unaccepted breaking change against the previous committed schema', () => {
    const report = checkBreakingChanges(sdl);
    if (report.unaccepted.length) throw new Error(describeUnaccepted(report));
  });
});

describe('the role guard', () => {
  it('covers every Query, Mutation and Subscription field', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const fields = roots.flatMap((root) => (root ? Object.values(root.getFields()).map((field) => ({ root: root.name, field })) : []));
    expect(fields.length).toBeGreaterThan(0);
    const unguarded = fields
      .filter(({ field }) => !Object.values(Role).includes(requiredRoleOf(field) as Role))
      .map(({ root, field }) => `${root}.${field.name}`);
    expect(unguarded).toEqual([]); // add @RequireRole(Role.X) to these resolvers
  });

  it('is not declared on non-root fields, where it would never be checked', () => {
    const rootNames = new Set(['Query', 'Mutation', 'Subscription']);
    const misplaced = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__') && !rootNames.has(type.name))
      .flatMap((type) => (isObjectType(type) ? Object.values(type.getFields()).map((f) => ({ type: type.name, field: f })) : []))
      .filter(({ field }) => requiredRoleOf(field) !== undefined)
      .map(({ type, field }) => `${type}.${field.name}`);
    expect(misplaced).toEqual([]);
  });
});

describe('the breaking-change baseline', () => {
  // A scratch repository: the baseline is the last committed version that differs from the file now.
  const v1 = 'type Query {\n  a: String\n  b: String\n}\n';
  const v2 = 'type Query {\n  a: String\n}\n';
  const v3 = 'type Query {\n  a: String\n  c: Int\n}\n';
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  const commitSchema = (content: string) => {
    fs.writeFileSync(path.join(dir, SCHEMA_PATH), content);
    git('add', SCHEMA_PATH);
    git('commit', '-q', '-m', 'schema');
    return git('rev-parse', 'HEAD').trim();
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depgate-schema-'));
    fs.mkdirSync(path.join(dir, 'schema'));
    git('init', '-q');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is absent before the schema was ever committed', () => {
    git('commit', '-q', '--allow-empty', '-m', 'empty');
    expect(findSchemaBaseline(v1, dir)).toMatchObject({ baseline: null });
    expect(checkBreakingChanges(v1, dir).unaccepted).toEqual([]);
  });

  it('is the previous version once the change is committed (a fresh clone in CI)', () => {
    const first = commitSchema(v1);
    commitSchema(v2);
    expect(findSchemaBaseline(v2, dir)).toEqual({ baseline: { commit: first, sdl: v1 } });
    const report = checkBreakingChanges(v2, dir);
    expect(report.unaccepted.map((c) => c.description)).toEqual(['Query.b was removed.']);
  });

  it("is HEAD's version while the file is being edited", () => {
    commitSchema(v1);
    const second = commitSchema(v2);
    expect(findSchemaBaseline(v3, dir)).toEqual({ baseline: { commit: second, sdl: v2 } });
    expect(checkBreakingChanges(v3, dir).breaking).toEqual([]); // adding a field is not breaking
  });

  it('lets a breaking change through when it is listed as accepted', () => {
    commitSchema(v1);
    fs.writeFileSync(path.join(dir, ACCEPTED_PATH), '# deliberate\n\nQuery.b was removed.\n');
    const report = checkBreakingChanges(v2, dir);
    expect(report.breaking).toHaveLength(1);
    expect(report.unaccepted).toEqual([]);
  });

  it('names the baseline commit and the accepted file in the failure message', () => {
    const first = commitSchema(v1);
    const message = describeUnaccepted(checkBreakingChanges(v2, dir));
    expect(message).toContain('Query.b was removed.');
    expect(message).toContain(first.slice(0, 12));
    expect(message).toContain(ACCEPTED_PATH);
  });
});
