/**
 * Ids in error extensions are global ids, like every id a client sees, so `node(id:)` (and
 * `depToken(id:)`, `syncRun(id:)`, ...) loads them. Features put row ids under these keys; the
 * boundary (error-masking.ts) converts them here, once. A new extension that names a row must be
 * listed here (test/integration/error-extension-ids.test.ts loads every one with `node(id:)`).
 */
import { type NodeTypeName, toGlobalId } from './global-id';

const ID_EXTENSIONS: Readonly<Record<string, NodeTypeName>> = {
  /** TOKEN_ALREADY_REGISTERED: the DEP token to renew instead. */
  tokenId: 'DepToken',
  /** VPP_TOKEN_ALREADY_REGISTERED: the VPP token to renew instead. */
  vppTokenId: 'VppToken',
  /** SYNC_IN_PROGRESS: the run that is queued or running. */
  syncRunId: 'SyncRun',
};

export function withGlobalIds(extensions: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const converted: Record<string, unknown> = { ...extensions };
  for (const [key, type] of Object.entries(ID_EXTENSIONS)) {
    const value = extensions[key];
    if (typeof value === 'string') converted[key] = toGlobalId(type, value);
  }
  return converted;
}
