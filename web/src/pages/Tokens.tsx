// DEP tokens: one row per token, live (sync events refetch), with Sync now / Full sync per row.
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { Expiry } from '../components/Expiry';
import { StatusBadge } from '../components/StatusBadge';
import { SyncButtons } from '../components/SyncButtons';
import { useSyncRunEvents } from '../components/useSyncRunEvents';
import { formatDateTime, relative, useNow } from '../time';
import { useCan } from '../viewer';

export const DepTokensDocument = graphql(`
  query DepTokens {
    depTokens(first: 200) {
      totalCount
      edges {
        node {
          id name orgName serverName status expiresAt lastSuccessfulSyncAt lastSyncError syncedDeviceCount
          nextManualSyncAt nextFullSyncAt activeSyncRun { id status }
          scopeTags { id name }
        }
      }
    }
  }
`);

export const tokenPath = (id: string) => `/tokens/${encodeURIComponent(id)}`;

export function TokensPage() {
  const now = useNow(30_000);
  const mayAdmin = useCan('ADMIN');
  const [{ data, error, fetching }, refetch] = useQuery({ query: DepTokensDocument, requestPolicy: 'cache-and-network' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  // A run queued, started or ended changes a row; the pages in between only move counters.
  useSyncRunEvents(null, (run) => {
    if (run.status !== 'RUNNING' || run.pagesFetched === 0) reload();
  });
  const tokens = data?.depTokens.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="tokens-heading">
      <div className="page-head">
        <h1 id="tokens-heading">Tokens</h1>
        {mayAdmin && (
          <Link href="/tokens/new" className="button" role="button">
            Add token
          </Link>
        )}
      </div>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      <div className="table-wrap">
        <table aria-label="DEP tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Organisation</th>
              <th scope="col">MDM server</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Last successful sync</th>
              <th scope="col">Devices</th>
              <th scope="col">Next manual / full sync</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <th scope="row">
                  <Link href={tokenPath(token.id)}>{token.name}</Link>
                </th>
                <td>{token.orgName ?? '—'}</td>
                <td>{token.serverName ?? '—'}</td>
                <td>
                  <StatusBadge status={token.status} />
                </td>
                <td>
                  <Expiry at={token.expiresAt} />
                </td>
                <td>
                  {formatDateTime(token.lastSuccessfulSyncAt)}
                  {token.lastSyncError && <div className="error small">{token.lastSyncError}</div>}
                </td>
                <td className="num">{token.syncedDeviceCount}</td>
                <td>
                  {token.activeSyncRun ? 'sync in progress' : token.nextManualSyncAt && new Date(token.nextManualSyncAt).getTime() > now ? relative(token.nextManualSyncAt, now) : 'now'}
                  {' / '}
                  {token.nextFullSyncAt && new Date(token.nextFullSyncAt).getTime() > now ? relative(token.nextFullSyncAt, now) : 'now'}
                </td>
                <td>
                  <SyncButtons token={token} onSynced={reload} />
                </td>
              </tr>
            ))}
            {!fetching && tokens.length === 0 && (
              <tr>
                <td colSpan={9}>No DEP tokens yet.{mayAdmin && ' Add one with Add token.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
