// Active alerts, live: one query of the active alerts, refetched whenever alertRaised or
// alertResolved says something changed; the header badge and the Alerts panel share it.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import type { ActiveAlertsQuery } from '../gql/graphql';
import { errorMessage } from '../errors';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';

const ActiveAlertsDocument = graphql(`
  query ActiveAlerts {
    alerts(filter: { status: ACTIVE }, first: 200, orderBy: { field: RAISED_AT, direction: DESC }) {
      totalCount
      edges { node { id kind severity message subjectName raisedAt acknowledgedAt acknowledgedBy } }
    }
  }
`);

const AlertRaisedDocument = graphql(`
  subscription AlertRaised {
    alertRaised { id }
  }
`);

const AlertResolvedDocument = graphql(`
  subscription AlertResolved {
    alertResolved { id }
  }
`);

const AcknowledgeAlertDocument = graphql(`
  mutation AcknowledgeAlert($input: AcknowledgeAlertInput!) {
    acknowledgeAlert(input: $input) { alert { id acknowledgedAt acknowledgedBy } }
  }
`);

type ActiveAlert = ActiveAlertsQuery['alerts']['edges'][number]['node'];
const AlertsContext = createContext<{ alerts: ActiveAlert[]; total: number; error: string | null }>({ alerts: [], total: 0, error: null });

export function AlertsProvider({ children }: { children: ReactNode }) {
  const [{ data, error }, refetch] = useQuery({ query: ActiveAlertsDocument, requestPolicy: 'cache-and-network' });
  const [raised] = useSubscription({ query: AlertRaisedDocument });
  const [resolved] = useSubscription({ query: AlertResolvedDocument });
  const raisedId = raised.data?.alertRaised.id;
  const resolvedId = resolved.data?.alertResolved.id;
  useEffect(() => {
    if (raisedId || resolvedId) refetch({ requestPolicy: 'network-only' });
  }, [raisedId, resolvedId, refetch]);
  const alerts = data?.alerts.edges.map((e) => e.node) ?? [];
  return <AlertsContext.Provider value={{ alerts, total: data?.alerts.totalCount ?? 0, error: errorMessage(error) }}>{children}</AlertsContext.Provider>;
}

export function AlertsBadge() {
  const { total } = useContext(AlertsContext);
  if (total === 0) return null;
  return (
    <span className="alert-count" role="status" aria-label={`${total} active alert${total === 1 ? '' : 's'}`}>
      {total}
    </span>
  );
}

const SEVERITY: Record<string, string> = { CRITICAL: 'Critical', WARNING: 'Warning', INFO: 'Info' };

export function AlertsPanel() {
  const { alerts, error } = useContext(AlertsContext);
  const mayAcknowledge = useCan('OPERATOR');
  const [acknowledged, acknowledge] = useMutation(AcknowledgeAlertDocument);
  return (
    <section aria-label="Alerts" className="card">
      {error && <p role="alert" className="error">{error}</p>}
      {acknowledged.error && <p role="alert" className="error">{errorMessage(acknowledged.error)}</p>}
      {alerts.length === 0 ? (
        <p>No active alerts.</p>
      ) : (
        <ul className="alerts">
          {alerts.map((alert) => (
            <li key={alert.id} className={`alert alert-${alert.severity.toLowerCase()}`}>
              <strong>{SEVERITY[alert.severity] ?? alert.severity}</strong> · {alert.subjectName}: <span>{alert.message}</span>
              <small> · raised {formatDateTime(alert.raisedAt)}</small>
              {alert.acknowledgedAt ? (
                <small>
                  {' '}
                  · acknowledged by {alert.acknowledgedBy ?? 'someone'} {formatDateTime(alert.acknowledgedAt)}
                </small>
              ) : (
                mayAcknowledge && (
                  <button type="button" className="secondary" aria-label={`Acknowledge: ${alert.message}`} onClick={() => acknowledge({ input: { alertId: alert.id } })}>
                    Acknowledge
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function AlertsPage() {
  return (
    <>
      <h1>Alerts</h1>
      <AlertsPanel />
    </>
  );
}
