/**
 * Breaking-change check for schema/schema.graphql, shared by `npm run schema -- --check` and the
 * schema test.
 *
 * The baseline is the most recent committed version of the file whose content differs from the
 * current one: while you edit, that is HEAD's version; once the change is committed (or in a fresh
 * clone in CI) it is the version before the last commit that changed the file. Breaking changes
 * (graphql-js `findBreakingChanges`) fail unless each description is listed, one per line, in
 * schema/accepted-breaking-changes.txt (deliberate changes, reviewed like code).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, type BreakingChange } from 'graphql';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const SCHEMA_PATH = 'schema/schema.graphql';
export const ACCEPTED_PATH = 'schema/accepted-breaking-changes.txt';

export interface SchemaBaseline {
  /** The commit the baseline SDL comes from. */
  commit: string;
  sdl: string;
}

export type BaselineLookup = { baseline: SchemaBaseline } | { baseline: null; reason: string };

function git(repoRoot: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** The most recent committed version of `file` that differs from `currentSdl`, or why there is none. */
export function findSchemaBaseline(currentSdl: string, repoRoot = REPO_ROOT, file = SCHEMA_PATH): BaselineLookup {
  let commits: string[];
  try {
    git(repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    commits = git(repoRoot, ['log', '--format=%H', '--', file]).split('\n').filter(Boolean);
  } catch {
    return { baseline: null, reason: 'not a git checkout with commits (or git is not installed)' };
  }
  if (commits.length === 0) return { baseline: null, reason: `${file} has never been committed` };
  for (const commit of commits) {
    // The file as of this commit, and as of its parent (absent before the file was added).
    for (const rev of [commit, `${commit}^`]) {
      let sdl: string;
      try {
        sdl = git(repoRoot, ['show', `${rev}:${file}`]);
      } catch {
        continue;
      }
      if (sdl !== currentSdl) return { baseline: { commit: git(repoRoot, ['rev-parse', rev]).trim(), sdl } };
    }
  }
  const shallow = fs.existsSync(path.join(repoRoot, '.git', 'shallow'));
  return {
    baseline: null,
    reason: shallow ? 'the clone is shallow: no earlier version of the schema is available' : 'no earlier version of the schema differs from it',
  };
}

/** Descriptions listed in the accepted file: one per line; blank lines and `#` comments ignored. */
export function readAcceptedBreakingChanges(repoRoot = REPO_ROOT): Set<string> {
  const file = path.join(repoRoot, ACCEPTED_PATH);
  if (!fs.existsSync(file)) return new Set();
  return new Set(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
}

export interface CompatReport {
  baseline: SchemaBaseline | null;
  /** Why nothing was compared, when baseline is null. */
  reason?: string;
  breaking: BreakingChange[];
  /** Breaking changes not listed in the accepted file: these fail the check. */
  unaccepted: BreakingChange[];
}

export function checkBreakingChanges(currentSdl: string, repoRoot = REPO_ROOT): CompatReport {
  const lookup = findSchemaBaseline(currentSdl, repoRoot);
  if (!lookup.baseline) return { baseline: null, reason: lookup.reason, breaking: [], unaccepted: [] };
  const breaking = findBreakingChanges(buildSchema(lookup.baseline.sdl), buildSchema(currentSdl));
  const accepted = readAcceptedBreakingChanges(repoRoot);
  return { baseline: lookup.baseline, breaking, unaccepted: breaking.filter((c) => !accepted.has(c.description)) };
}

export function describeUnaccepted(report: CompatReport): string {
  const where = report.baseline ? ` compared with ${SCHEMA_PATH} at ${report.baseline.commit.slice(0, 12)}` : '';
  return (
    `Breaking schema changes${where}:\n` +
    report.unaccepted.map((c) => `  ${c.description}   [${c.type}]`).join('\n') +
    `\nFront ends depend on this contract. Restore compatibility, or, if the change is deliberate, ` +
    `add each line above (without the [TYPE]) to ${ACCEPTED_PATH} and commit it with the change.`
  );
}
