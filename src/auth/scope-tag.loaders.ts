import DataLoader from 'dataloader';
import type { ScopeTagEntity } from './scope-tag.entity';
import type { ScopeTagService } from './scope-tag.service';

/**
 * A DataLoader of the scope tags of tagged objects (DEP or VPP tokens) by object id, sorted by
 * name: one query for the links of a whole page of objects, one for the tags they name.
 */
export function createScopeTagsLoader(
  scopeTags: Pick<ScopeTagService, 'findByIds'>,
  tagIdsByOwner: (ownerIds: readonly string[]) => Promise<Map<string, string[]>>,
): DataLoader<string, ScopeTagEntity[]> {
  return new DataLoader(async (ownerIds) => {
    const idsByOwner = await tagIdsByOwner(ownerIds);
    const tags = new Map((await scopeTags.findByIds([...new Set([...idsByOwner.values()].flat())])).map((t) => [t.id, t]));
    return ownerIds.map((id) =>
      (idsByOwner.get(id) ?? [])
        .map((tagId) => tags.get(tagId)!)
        .filter(Boolean)
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
}
