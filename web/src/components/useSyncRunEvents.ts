// Live sync runs over graphql-ws (syncRunProgress): calls onRun with each change, so views refetch
// or show progress without polling.
import { useEffect, useRef } from 'react';
import { useSubscription } from 'urql';
import { graphql } from '../gql';
import type { SyncRunProgressSubscription } from '../gql/graphql';

export const SyncRunProgressDocument = graphql(`
  subscription SyncRunProgress($tokenId: ID) {
    syncRunProgress(tokenId: $tokenId) {
      id status kind trigger progress expectedDevices pagesFetched devicesAdded devicesModified devicesDeleted devicesSkipped
      assignmentsMade assignmentsFailed queuedAt startedAt finishedAt error { code message }
      token { id activeSyncRun { id status } lastSuccessfulSyncAt lastSyncTriggeredAt syncedDeviceCount nextManualSyncAt nextFullSyncAt }
    }
  }
`);

export type LiveSyncRun = SyncRunProgressSubscription['syncRunProgress'];

export function useSyncRunEvents(tokenId: string | null, onRun: (run: LiveSyncRun) => void): LiveSyncRun | undefined {
  const callback = useRef(onRun);
  callback.current = onRun;
  const [{ data }] = useSubscription({ query: SyncRunProgressDocument, variables: { tokenId } });
  const run = data?.syncRunProgress;
  useEffect(() => {
    if (run) callback.current(run);
  }, [run]);
  return run;
}
