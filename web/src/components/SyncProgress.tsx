// A sync run as it happens: a progressbar "Sync progress" (aria-valuenow from SyncRun.progress,
// indeterminate with a spinner while the total is unknown), its counters, and the outcome.
import type { LiveSyncRun } from './useSyncRunEvents';

export const OUTCOME: Record<string, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
};

export function SyncProgress({ run }: { run: LiveSyncRun | undefined }) {
  if (!run) return <p>No sync has run yet.</p>;
  const active = run.status === 'QUEUED' || run.status === 'RUNNING';
  const percent = run.progress == null ? null : Math.round(run.progress * 100);
  return (
    <div className="sync-progress">
      <div className="progress-line">
        <div
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
          aria-valuetext={percent == null ? (active ? 'Total not known yet' : OUTCOME[run.status]) : `${percent}%`}
          className={`progress ${percent == null && active ? 'indeterminate' : ''} status-${run.status.toLowerCase()}`}
        >
          <div className="progress-fill" style={{ width: `${percent ?? (active ? 100 : 0)}%` }} />
        </div>
        {active && percent == null && <span className="spinner" aria-hidden="true" />}
        <strong role="status" className={`outcome outcome-${run.status.toLowerCase()}`}>
          {OUTCOME[run.status] ?? run.status}
        </strong>
      </div>
      <p className="counters">
        {run.kind === 'FULL' ? 'Full' : 'Delta'} sync · {run.pagesFetched} pages · {run.devicesAdded} added · {run.devicesModified} modified · {run.devicesDeleted} deleted
        {run.devicesSkipped > 0 && ` · ${run.devicesSkipped} skipped`}
        {run.expectedDevices != null && ` · about ${run.expectedDevices} devices expected`}
      </p>
      {run.error && <p className="error">{run.error.message}</p>}
    </div>
  );
}
