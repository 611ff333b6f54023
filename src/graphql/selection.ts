/**
 * Look-ahead for resolvers: whether the operation selects a path below the field being resolved,
 * e.g. `edges.node.token` under `devices`. A list resolver then reads what its rows' nested fields
 * need in one batch before it returns, and those fields answer without a promise per row
 * (issue #15).
 *
 * The answer errs towards "selected": type conditions and `@skip`/`@include` are not evaluated, so
 * a fragment on another type or a skipped field counts. That costs at most a batch read nobody
 * uses; a field the operation does select is never missed. Names are schema field names, not
 * aliases.
 */
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

function selectsIn(
  selectionSet: SelectionSetNode | undefined,
  path: readonly string[],
  depth: number,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): boolean {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== path[depth]) continue;
      if (depth === path.length - 1 || selectsIn(selection.selectionSet, path, depth + 1, fragments, seen)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selectsIn(selection.selectionSet, path, depth, fragments, seen)) return true;
    } else {
      // A fragment spread twice at one depth is looked into once (cycles are a validation error).
      const key = `${depth}:${selection.name.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (selectsIn(fragments[selection.name.value]?.selectionSet, path, depth, fragments, seen)) return true;
    }
  }
  return false;
}

/** Whether the operation selects `path` (field names) below the field `info` resolves. */
export function selectsPath(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  if (path.length === 0) throw new Error('selectsPath: the path names at least one field');
  const seen = new Set<string>();
  return info.fieldNodes.some((node) => selectsIn(node.selectionSet, path, 0, info.fragments, seen));
}
