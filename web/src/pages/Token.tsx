// A DEP token: its facts, Sync now / Full sync, the running sync live (graphql-ws), the history of
// runs, its profiles and default profile, and Renew token.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { downloadText, readTokenFile } from '../files';
import { Expiry } from '../components/Expiry';
import { StatusBadge } from '../components/StatusBadge';
import { SyncButtons } from '../components/SyncButtons';
import { OUTCOME, SyncProgress } from '../components/SyncProgress';
import { useSyncRunEvents } from '../components/useSyncRunEvents';
import { duration, formatDateTime } from '../time';
import { useCan } from '../viewer';

export const DepTokenDocument = graphql(`
  query DepToken($id: ID!) {
    depToken(id: $id) {
      id name appleId orgName orgEmail serverName serverUuid tokenType status expiresAt renewedAt certificatePem
      lastSuccessfulSyncAt lastSyncTriggeredAt lastSyncError syncedDeviceCount nextManualSyncAt nextFullSyncAt
      activeSyncRun { id status }
      scopeTags { id name }
      defaultProfile { id name }
      profiles(first: 200) { totalCount edges { node { id name isDefault supervised lockedEnrollment deviceCount } } }
      syncRuns(first: 25, orderBy: { field: QUEUED_AT, direction: DESC }) {
        totalCount
        edges {
          node {
            id kind trigger status queuedAt startedAt finishedAt pagesFetched devicesAdded devicesModified devicesDeleted devicesSkipped
            assignmentsMade assignmentsFailed error { code message }
          }
        }
      }
    }
  }
`);

const RenewDepTokenDocument = graphql(`
  mutation RenewDepToken($input: RenewDepTokenInput!) {
    renewDepToken(input: $input) { token { id expiresAt renewedAt status } }
  }
`);

const TRIGGER: Record<string, string> = { MANUAL: 'Manual', SCHEDULED: 'Scheduled', TOKEN_UPLOAD: 'Token upload' };

export function TokenPage({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({ query: DepTokenDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const live = useSyncRunEvents(id, (run) => {
    if (run.status !== 'RUNNING' || run.pagesFetched === 0) reload();
  });
  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!data) return <p className="loading">Loading…</p>;
  const token = data.depToken;
  if (!token) return <p role="alert">No such token (or this key may not see it). <Link href="/tokens">All tokens</Link></p>;
  return (
    <section aria-labelledby="token-heading">
      <div className="page-head">
        <h1 id="token-heading">{token.name}</h1>
        <StatusBadge status={token.status} />
      </div>
      <dl className="facts">
        <dt>Organisation</dt>
        <dd>{token.orgName ?? '—'}</dd>
        <dt>MDM server</dt>
        <dd>{token.serverName ?? token.serverUuid}</dd>
        <dt>Apple ID</dt>
        <dd>{token.appleId}</dd>
        <dt>Expires</dt>
        <dd>
          <Expiry at={token.expiresAt} />
        </dd>
        <dt>Last successful sync</dt>
        <dd>{formatDateTime(token.lastSuccessfulSyncAt)}</dd>
        <dt>Devices</dt>
        <dd>{token.syncedDeviceCount}</dd>
        <dt>Scope tags</dt>
        <dd>{token.scopeTags.map((t) => t.name).join(', ') || 'none'}</dd>
        <dt>Default profile</dt>
        <dd>{token.defaultProfile ? <Link href={`/profiles/${encodeURIComponent(token.defaultProfile.id)}`}>{token.defaultProfile.name}</Link> : 'none'}</dd>
      </dl>
      <SyncButtons token={token} onSynced={reload} />

      <section aria-labelledby="live-heading">
        <h2 id="live-heading">Current sync</h2>
        <SyncProgress run={live} />
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Sync history</h2>
        <div className="table-wrap">
          <table aria-label="Sync runs">
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">Kind</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Added / modified / deleted</th>
                <th scope="col">Assignments</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {token.syncRuns.edges.map(({ node: run }) => (
                <tr key={run.id}>
                  <td>{formatDateTime(run.queuedAt)}</td>
                  <td>{run.kind === 'FULL' ? 'Full' : 'Delta'}</td>
                  <td>{TRIGGER[run.trigger] ?? run.trigger}</td>
                  <td>{OUTCOME[run.status] ?? run.status}</td>
                  <td>{duration(run.startedAt, run.finishedAt)}</td>
                  <td className="num">
                    {run.devicesAdded} / {run.devicesModified} / {run.devicesDeleted}
                  </td>
                  <td className="num">
                    {run.assignmentsMade} made{run.assignmentsFailed > 0 && `, ${run.assignmentsFailed} failed`}
                  </td>
                  <td>{run.error?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="profiles-heading">
        <h2 id="profiles-heading">Profiles</h2>
        {token.profiles.edges.length === 0 ? (
          <p>No profiles yet. <Link href="/profiles/new">Create one</Link></p>
        ) : (
          <ul>
            {token.profiles.edges.map(({ node: p }) => (
              <li key={p.id}>
                <Link href={`/profiles/${encodeURIComponent(p.id)}`}>{p.name}</Link> · {p.deviceCount} devices{p.isDefault && ' · default'}
              </li>
            ))}
          </ul>
        )}
      </section>

      <RenewToken token={token} onRenewed={reload} />
    </section>
  );
}

function RenewToken({ token, onRenewed }: { token: { id: string; name: string; certificatePem: string }; onRenewed: () => void }) {
  const mayAdmin = useCan('ADMIN');
  const [file, setFile] = useState<File | null>(null);
  const [appleId, setAppleId] = useState('');
  const [renewed, renew] = useMutation(RenewDepTokenDocument);
  if (!mayAdmin) return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const result = await renew({ input: { tokenId: token.id, tokenFile: await readTokenFile(file), appleId: appleId.trim() } });
    if (result.data) onRenewed();
  };
  return (
    <section aria-labelledby="renew-heading">
      <h2 id="renew-heading">Renew token</h2>
      <p>Download this token's public key, renew the server token for it in Apple Business Manager, then upload the new file.</p>
      <button type="button" className="secondary" onClick={() => downloadText(`${token.name}-public-key.pem`, token.certificatePem)}>
        Download public key
      </button>
      <form onSubmit={submit} className="form-grid">
        <label htmlFor="renew-file">Renewed token file</label>
        <input id="renew-file" type="file" accept=".p7m,.json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        <label htmlFor="renew-apple-id">Apple ID that created the token</label>
        <input id="renew-apple-id" type="email" value={appleId} maxLength={320} onChange={(e) => setAppleId(e.target.value)} required />
        {renewed.error && <p role="alert" className="error">{errorMessage(renewed.error)}</p>}
        {renewed.data && <p role="status">Renewed: expires {formatDateTime(renewed.data.renewDepToken.token.expiresAt)}</p>}
        <button type="submit" disabled={renewed.fetching || !file}>
          Renew token
        </button>
      </form>
    </section>
  );
}
