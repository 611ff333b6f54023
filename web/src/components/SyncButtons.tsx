// Sync now / Full sync: disabled exactly while the API would refuse (a run queued or running, or
// before nextManualSyncAt / nextFullSyncAt), with the reason and the time it becomes available.
import { useId } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { formatDateTime, relative, useNow } from '../time';
import { useCan } from '../viewer';

const SyncDepTokenDocument = graphql(`
  mutation SyncDepToken($input: SyncDepTokenInput!) {
    syncDepToken(input: $input) {
      syncRun { id status kind trigger queuedAt token { id activeSyncRun { id status } nextManualSyncAt nextFullSyncAt lastSyncTriggeredAt } }
    }
  }
`);

export interface SyncState {
  id: string;
  name: string;
  activeSyncRun?: { id: string; status: string } | null;
  nextManualSyncAt?: string | null;
  nextFullSyncAt?: string | null;
}

function refusal(token: SyncState, next: string | null | undefined, now: number): string | null {
  if (token.activeSyncRun) return `A sync is ${token.activeSyncRun.status === 'QUEUED' ? 'queued' : 'running'}`;
  if (next && new Date(next).getTime() > now) return `Available ${relative(next, now)} (${formatDateTime(next)})`;
  return null;
}

export function SyncButtons({ token, onSynced }: { token: SyncState; onSynced?: () => void }) {
  const now = useNow(5_000);
  const mayOperate = useCan('OPERATOR');
  const [{ fetching, error }, sync] = useMutation(SyncDepTokenDocument);
  const manualReasonId = useId();
  const fullReasonId = useId();
  if (!mayOperate) return null;
  const manual = refusal(token, token.nextManualSyncAt, now);
  const full = refusal(token, token.nextFullSyncAt, now);
  const run = async (fullSync: boolean) => {
    const result = await sync({ input: { tokenId: token.id, full: fullSync } });
    if (!result.error) onSynced?.();
  };
  return (
    <div className="sync-buttons">
      <button type="button" disabled={!!manual || fetching} aria-describedby={manual ? manualReasonId : undefined} onClick={() => run(false)}>
        Sync now
      </button>
      {manual && (
        <span id={manualReasonId} className="reason">
          {manual}
        </span>
      )}
      <button type="button" className="secondary" disabled={!!full || fetching} aria-describedby={full ? fullReasonId : undefined} onClick={() => run(true)}>
        Full sync
      </button>
      {full && !token.activeSyncRun && (
        <span id={fullReasonId} className="reason">
          Full sync {full.toLowerCase()}
        </span>
      )}
      {error && (
        <span role="alert" className="error">
          {errorMessage(error)}
        </span>
      )}
    </div>
  );
}
