// Device activities of an account, live: the latest ones from orgDeviceActivities, each replaced by
// what orgDeviceActivityProgress sends (created, a new status from Apple, completed with the
// outcome per serial). Apple reports stages, not a percentage: the bar is indeterminate until the
// activity ends, with Apple's stage as its text.
import { useEffect, useRef } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import type { OrgDeviceActivityFieldsFragment, OrgDeviceActivityType } from '../gql/graphql';
import { errorMessage } from '../errors';
import { duration, formatDateTime } from '../time';

const SHOWN = 20;

/** An activity as the list reads it and the subscription sends it: the page merges the two by id. */
graphql(`
  fragment OrgDeviceActivityFields on OrgDeviceActivity {
    id type status subStatus deviceCount createdAt completedAt error migrationDeadline
    mdmServer { id name }
    outcomes { serialNumber status subStatus }
  }
`);

const OrgDeviceActivitiesDocument = graphql(`
  query OrgDeviceActivities($accountId: ID!, $last: Int) {
    orgDeviceActivities(accountId: $accountId, last: $last) {
      totalCount
      edges { node { ...OrgDeviceActivityFields } }
    }
  }
`);

const OrgDeviceActivityProgressDocument = graphql(`
  subscription OrgDeviceActivityProgress($accountId: ID!) {
    orgDeviceActivityProgress(accountId: $accountId) { ...OrgDeviceActivityFields }
  }
`);

export type Activity = OrgDeviceActivityFieldsFragment;

export const ACTIVITY_TYPE: Record<OrgDeviceActivityType, string> = {
  ASSIGN_DEVICES: 'Assign',
  ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE: 'Assign with migration deadline',
  UNASSIGN_DEVICES: 'Unassign',
  UPDATE_MDM_MIGRATION_DEADLINE: 'Move migration deadline',
  CANCEL_MDM_MIGRATION: 'Cancel migration',
  RELEASE_DEVICES: 'Release',
};

const STAGE: Record<string, string> = {
  SUBMITTED: 'Submitted',
  PROCESSING: 'Processing',
  COMPLETED_WITH_SUCCESS: 'Completed',
  COMPLETED_WITH_ERROR: 'Completed with errors',
  COMPLETED_WITH_FAILURE: 'Failed',
};
const STATUS: Record<string, string> = { IN_PROGRESS: 'In progress', COMPLETED: 'Completed', STOPPED: 'Stopped', FAILED: 'Failed' };

export interface LiveActivities {
  activities: Activity[];
  totalCount: number;
  error: string | null;
  reload: () => void;
}

/** The latest activities, newest first, kept current by the subscription; onCompleted once per activity that completes while the page is open. */
export function useOrgDeviceActivities(accountId: string, onCompleted: (activity: Activity) => void): LiveActivities {
  const [{ data, error }, refetch] = useQuery({ query: OrgDeviceActivitiesDocument, variables: { accountId, last: SHOWN }, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription({ query: OrgDeviceActivityProgressDocument, variables: { accountId } }, (seen: Record<string, Activity> = {}, event) => ({
    ...seen,
    [event.orgDeviceActivityProgress.id]: event.orgDeviceActivityProgress,
  }));
  const callback = useRef(onCompleted);
  callback.current = onCompleted;
  const announced = useRef(new Set<string>());
  const events = live.data ?? {};
  useEffect(() => {
    for (const activity of Object.values(events)) {
      if (activity.completedAt && !announced.current.has(activity.id)) {
        announced.current.add(activity.id);
        callback.current(activity);
      }
    }
  }, [events]);
  const listed = data?.orgDeviceActivities.edges.map((e) => e.node) ?? [];
  const byId = new Map(listed.map((a) => [a.id, a]));
  for (const activity of Object.values(events)) byId.set(activity.id, activity);
  const activities = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).slice(0, SHOWN);
  const unseen = Object.keys(events).filter((id) => !listed.some((a) => a.id === id)).length;
  return {
    activities,
    totalCount: (data?.orgDeviceActivities.totalCount ?? 0) + unseen,
    error: errorMessage(error ?? live.error),
    reload: () => refetch({ requestPolicy: 'network-only' }),
  };
}

export function OrgDeviceActivities({ activities: live }: { activities: LiveActivities }) {
  const { activities, totalCount, error } = live;
  return (
    <section aria-labelledby="activities-heading">
      <h2 id="activities-heading">Device activities</h2>
      <p className="hint">
        Changes made at Apple through depgate, newest first{totalCount > activities.length ? ` (the latest ${activities.length} of ${totalCount})` : ''}.
        depgate follows each one until Apple completes it, then re-reads its devices and syncs the DEP tokens concerned.
      </p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="table-wrap">
        <table aria-label="Device activities">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Activity</th>
              <th scope="col">MDM server</th>
              <th scope="col">Devices</th>
              <th scope="col">Status</th>
              <th scope="col">Duration</th>
              <th scope="col">Outcomes</th>
            </tr>
          </thead>
          <tbody>
            {activities.map((activity) => (
              <tr key={activity.id}>
                <th scope="row">{formatDateTime(activity.createdAt)}</th>
                <td>
                  {ACTIVITY_TYPE[activity.type]}
                  {activity.migrationDeadline && <div className="small">deadline {formatDateTime(activity.migrationDeadline)}</div>}
                </td>
                <td>{activity.mdmServer?.name ?? '—'}</td>
                <td className="num">{activity.deviceCount}</td>
                <td>
                  <ActivityStatus activity={activity} />
                </td>
                <td>{duration(activity.createdAt, activity.completedAt)}</td>
                <td>
                  <Outcomes activity={activity} />
                </td>
              </tr>
            ))}
            {activities.length === 0 && (
              <tr>
                <td colSpan={7}>No device activity yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ActivityStatus({ activity }: { activity: Activity }) {
  const active = activity.status === 'IN_PROGRESS';
  const stage = (activity.subStatus && STAGE[activity.subStatus]) ?? STATUS[activity.status] ?? activity.status;
  const outcome = activity.subStatus === 'COMPLETED_WITH_SUCCESS' ? 'succeeded' : active ? 'running' : 'failed';
  return (
    <div>
      <div className="progress-line">
        <div
          role="progressbar"
          aria-label={`${ACTIVITY_TYPE[activity.type]} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={active ? undefined : 100}
          aria-valuetext={stage}
          className={`progress small-progress ${active ? 'indeterminate' : ''} status-${outcome}`}
        >
          <div className="progress-fill" style={{ width: '100%' }} />
        </div>
        {active && <span className="spinner" aria-hidden="true" />}
      </div>
      <strong className={`outcome outcome-${outcome}`}>{stage}</strong>
      {activity.error && <div className="error small">{activity.error}</div>}
    </div>
  );
}

function Outcomes({ activity }: { activity: Activity }) {
  if (!activity.outcomes) return <span>{activity.completedAt ? 'no log from Apple' : '—'}</span>;
  const counts = new Map<string, number>();
  for (const o of activity.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'none';
  return (
    <details>
      <summary>{summary}</summary>
      <table aria-label={`Outcomes per serial: ${ACTIVITY_TYPE[activity.type]}, ${formatDateTime(activity.createdAt)}`}>
        <thead>
          <tr>
            <th scope="col">Serial number</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {activity.outcomes.map((o) => (
            <tr key={o.serialNumber}>
              <th scope="row">{o.serialNumber}</th>
              <td>{o.status}</td>
              <td>{o.subStatus}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
