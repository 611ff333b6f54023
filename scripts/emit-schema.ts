/**
 * `npm run schema`: writes the sorted SDL built from the resolvers to schema/schema.graphql, the
 * committed contract with front-end teams.
 * `npm run schema -- --check`: writes nothing; exits 1 when the committed file differs from the code
 * or when the code breaks the previous committed schema without the change being accepted
 * (see schema-compat.ts).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildDepgateSchema, printSortedSchema } from '../src/schema';
import { checkBreakingChanges, describeUnaccepted } from './schema-compat';

export const SCHEMA_FILE = path.resolve(__dirname, '..', 'schema', 'schema.graphql');

/** The first differing line, for a hint that points somewhere useful. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  committed: ${b[i] ?? '(end of file)'}\n  from code: ${a[i] ?? '(end of file)'}`;
    }
  }
  return '(no line differs)';
}

function main(argv: string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length) {
    process.stderr.write(`Unknown argument(s): ${unknown.join(' ')}\nUsage: npm run schema [-- --check]\n`);
    return 2;
  }
  const sdl = printSortedSchema(buildDepgateSchema());
  const relative = path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE;

  if (argv.includes('--check')) {
    const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
    let status = 0;
    if (committed === sdl) {
      process.stdout.write(`${relative} is up to date\n`);
    } else {
      status = 1;
      process.stderr.write(
        `${relative} differs from the schema the code builds. Run \`npm run schema\` and commit the result.\n` +
          `First difference at ${firstDifference(sdl, committed)}\n` +
          `See everything with: npm run schema && git diff -- schema/schema.graphql\n`,
      );
    }
    const report = checkBreakingChanges(sdl);
    if (report.unaccepted.length) {
      status = 1;
      process.stderr.write(`${describeUnaccepted(report)}\n`);
    } else if (report.baseline) {
      const accepted = report.breaking.length ? ` (${report.breaking.length} accepted)` : '';
      process.stdout.write(`no unaccepted breaking changes since ${report.baseline.commit.slice(0, 12)}${accepted}\n`);
    }
    return status;
  }

  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  const previous = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : undefined;
  if (previous === sdl) {
    process.stdout.write(`${relative} is up to date\n`);
  } else {
    fs.writeFileSync(SCHEMA_FILE, sdl);
    process.stdout.write(`wrote ${relative}\n`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
