// The overview: devices per profile status and per token, and sync outcomes per day, as charts;
// refreshed when a sync run changes.
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { BarChart, StackedColumns } from '../components/BarChart';
import { useSyncRunEvents } from '../components/useSyncRunEvents';
import { AlertsPanel } from './Alerts';

// first: 0: only the counts; an empty page costs no statement (paginate skips it).
const OverviewDocument = graphql(`
  query Overview {
    empty: devices(filter: { profileStatus: EMPTY }, first: 0) { totalCount }
    assigned: devices(filter: { profileStatus: ASSIGNED }, first: 0) { totalCount }
    pushed: devices(filter: { profileStatus: PUSHED }, first: 0) { totalCount }
    removed: devices(filter: { profileStatus: REMOVED }, first: 0) { totalCount }
    depTokens(first: 50) {
      edges {
        node {
          id name syncedDeviceCount
          syncRuns(first: 50, orderBy: { field: QUEUED_AT, direction: DESC }) { edges { node { id status queuedAt } } }
        }
      }
    }
  }
`);

const OUTCOMES = [
  { status: 'SUCCEEDED', name: 'Succeeded', colour: '#146c2e' },
  { status: 'FAILED', name: 'Failed', colour: '#b3261e' },
  { status: 'TIMED_OUT', name: 'Timed out', colour: '#8a5300' },
];

export function OverviewPage() {
  const [{ data, error }, refetch] = useQuery({ query: OverviewDocument, requestPolicy: 'cache-and-network' });
  useSyncRunEvents(null, (run) => {
    if (run.status !== 'RUNNING') refetch({ requestPolicy: 'network-only' });
  });
  const tokens = data?.depTokens.edges.map((e) => e.node) ?? [];
  const days = new Map<string, Map<string, number>>();
  for (const run of tokens.flatMap((t) => t.syncRuns.edges.map((e) => e.node))) {
    const day = run.queuedAt.slice(0, 10);
    const counts = days.get(day) ?? new Map<string, number>();
    counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
    days.set(day, counts);
  }
  const columns = [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-14)
    .map(([day, counts]) => ({ label: day.slice(5), parts: OUTCOMES.map((o) => ({ name: o.name, value: counts.get(o.status) ?? 0, colour: o.colour })) }));
  return (
    <section aria-labelledby="overview-heading">
      <h1 id="overview-heading">Overview</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {data && (
        <div className="cards">
          <div className="card">
            <BarChart
              title="Devices per profile status"
              bars={[
                { label: 'No profile', value: data.empty.totalCount, colour: '#6b7480' },
                { label: 'Assigned', value: data.assigned.totalCount },
                { label: 'Pushed', value: data.pushed.totalCount, colour: '#146c2e' },
                { label: 'Removed', value: data.removed.totalCount, colour: '#b3261e' },
              ]}
            />
          </div>
          <div className="card">
            <BarChart title="Devices per token" bars={tokens.map((t) => ({ label: t.name, value: t.syncedDeviceCount }))} />
          </div>
          <div className="card">
            <StackedColumns title="Sync outcomes per day" columns={columns} />
          </div>
        </div>
      )}
      <h2>Active alerts</h2>
      <AlertsPanel />
    </section>
  );
}
