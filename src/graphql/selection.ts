/**
 * Look-ahead for resolvers: whether the operation selects a path below the field being resolved,
 * e.g. `edges.node.token` under `devices`, and which fields it selects at a path. A list resolver
 * then reads what its rows' nested fields need in one batch before it returns, and those fields
 * answer without a promise per row, or reads only the columns its rows' fields need (issue #15).
 *
 * The answer errs towards "selected": type conditions and `@skip`/`@include` are not evaluated, so
 * a fragment on another type or a skipped field counts. That costs at most a batch read or a
 * column nobody uses; a field the operation does select is never missed. Names are schema field
 * names, not aliases.
 */
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Whether the operation selects `path` (field names) below the field `info` resolves. */
export function selectsPath(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  if (path.length === 0) throw new Error('selectsPath: the path names at least one field');
  return fieldsSelectedAt(info, path.slice(0, -1)).has(path[path.length - 1]!);
}

function collectAt(
  selectionSet: SelectionSetNode | undefined,
  path: readonly string[],
  depth: number,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
  into: Set<string>,
): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (depth === path.length) into.add(selection.name.value);
      else if (selection.name.value === path[depth]) collectAt(selection.selectionSet, path, depth + 1, fragments, seen, into);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectAt(selection.selectionSet, path, depth, fragments, seen, into);
    } else {
      // A spread is looked into once per depth: every field that leads there has the path's names,
      // so a second look would add the same fields (and cycles are a validation error).
      const key = `${depth}:${selection.name.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      collectAt(fragments[selection.name.value]?.selectionSet, path, depth, fragments, seen, into);
    }
  }
}

/**
 * The schema field names the operation selects at `path` below the field `info` resolves (an
 * empty path: its own selection set), through fragments, inline fragments and aliases, with
 * `__typename`. Empty when nothing is selected there.
 */
export function fieldsSelectedAt(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): Set<string> {
  const into = new Set<string>();
  const seen = new Set<string>();
  for (const node of info.fieldNodes) collectAt(node.selectionSet, path, 0, info.fragments, seen, into);
  return into;
}
