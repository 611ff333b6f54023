/**
 * Loaders for filtering and resolving one pub/sub event, shared by every subscriber of this
 * instance that sees the event with the same access scope.
 *
 * A subscription resolves each event with fresh loaders, so nothing cached at an earlier event is
 * served again. Fresh per subscriber as well made a fan-out of N subscribers read the same rows N
 * times per event (1,000 dashboards on one sync: 1,000 identical reads per page, issue #15). The
 * pub/sub hands the same event object to every subscriber on an instance, so loaders keyed by that
 * object and by the scope are still fresh per event, and still filtered exactly as the subscriber's
 * own would be (loaders depend on nothing but the scope's tags); they are dropped with the event.
 */
import type { AccessScope } from '../auth/access-scope';
import { createLoaders, type Loaders } from '../loaders';
import type { Services } from '../services';

const byEvent = new WeakMap<object, Map<string, Loaders>>();

/** The scope's identity for sharing: its tags (an unrestricted key sees everything). */
function scopeKey(scope: AccessScope): string {
  return scope.unrestricted ? '*' : [...scope.scopeTagIds].sort().join(',');
}

export function loadersForEvent(event: object, services: Services, scope: AccessScope): Loaders {
  let shared = byEvent.get(event);
  if (!shared) byEvent.set(event, (shared = new Map()));
  const key = scopeKey(scope);
  let loaders = shared.get(key);
  if (!loaders) shared.set(key, (loaders = createLoaders(services, scope)));
  return loaders;
}
