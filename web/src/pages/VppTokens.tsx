// VPP (Apps and Books) tokens: upload, renew, Company Portal licences as a bar, expiry.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { readTokenFile } from '../files';
import { Expiry } from '../components/Expiry';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';

const VppTokensDocument = graphql(`
  query VppTokens {
    vppTokens(first: 200) {
      totalCount
      edges {
        node {
          id name orgName locationName status expiresAt lastRefreshError usedByProfileCount
          companyPortalLicenses { total assigned available low refreshedAt }
        }
      }
    }
  }
`);

const UploadVppTokenDocument = graphql(`
  mutation UploadVppToken($input: UploadVppTokenInput!) {
    uploadVppToken(input: $input) { vppToken { id name } }
  }
`);

const RenewVppTokenDocument = graphql(`
  mutation RenewVppToken($input: RenewVppTokenInput!) {
    renewVppToken(input: $input) { vppToken { id expiresAt status } }
  }
`);

const RefreshVppTokenDocument = graphql(`
  mutation RefreshVppTokenLicenses($input: RefreshVppTokenLicensesInput!) {
    refreshVppTokenLicenses(input: $input) { vppToken { id status companyPortalLicenses { total assigned available low refreshedAt } } }
  }
`);

export function LicenceBar({ licences }: { licences: { total: number; assigned: number; available: number; low: boolean } | null | undefined }) {
  if (!licences) return <span>—</span>;
  const pct = licences.total ? Math.round((licences.assigned / licences.total) * 100) : 100;
  return (
    <div>
      <div className="bar" role="img" aria-label={`Licences: ${licences.assigned} of ${licences.total} assigned, ${licences.available} available`}>
        <span style={{ width: `${pct}%`, background: licences.low ? 'var(--bad)' : undefined }} />
      </div>
      <small>
        {licences.total} total · {licences.assigned} assigned · <span className={licences.low ? 'error' : undefined}>{licences.available} available</span>
      </small>
    </div>
  );
}

export function VppTokensPage() {
  const mayAdmin = useCan('ADMIN');
  const mayOperate = useCan('OPERATOR');
  const [{ data, error }, refetch] = useQuery({ query: VppTokensDocument, requestPolicy: 'cache-and-network' });
  const [refreshed, refresh] = useMutation(RefreshVppTokenDocument);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const tokens = data?.vppTokens.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="vpp-heading">
      <h1 id="vpp-heading">VPP tokens</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {refreshed.error && <p role="alert" className="error">{errorMessage(refreshed.error)}</p>}
      <div className="table-wrap">
        <table aria-label="VPP tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Organisation / location</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Company Portal licences</th>
              <th scope="col">Profiles</th>
              {mayOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <th scope="row">{token.name}</th>
                <td>
                  {token.orgName ?? '—'} / {token.locationName ?? '—'}
                </td>
                <td>
                  <StatusBadge status={token.status} />
                </td>
                <td>
                  <Expiry at={token.expiresAt} />
                </td>
                <td>
                  <LicenceBar licences={token.companyPortalLicenses} />
                  {token.companyPortalLicenses && <small> · read {formatDateTime(token.companyPortalLicenses.refreshedAt)}</small>}
                  {token.lastRefreshError && <div className="error small">{token.lastRefreshError}</div>}
                </td>
                <td className="num">{token.usedByProfileCount}</td>
                {mayOperate && (
                  <td>
                    <button type="button" className="secondary" onClick={() => refresh({ input: { vppTokenId: token.id } })}>
                      Refresh licences
                    </button>
                    {mayAdmin && <RenewVpp id={token.id} name={token.name} onDone={reload} />}
                  </td>
                )}
              </tr>
            ))}
            {tokens.length === 0 && (
              <tr>
                <td colSpan={7}>No VPP tokens yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {mayAdmin && <UploadVpp onDone={reload} />}
    </section>
  );
}

function UploadVpp({ onDone }: { onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [uploaded, upload] = useMutation(UploadVppTokenDocument);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const result = await upload({ input: { tokenFile: await readTokenFile(file), name: name.trim() || null } });
    if (result.data) {
      setName('');
      onDone();
    }
  };
  return (
    <section aria-labelledby="vpp-upload-heading">
      <h2 id="vpp-upload-heading">Upload a VPP token</h2>
      <form onSubmit={submit} className="form-grid">
        <label htmlFor="vpp-file">VPP token file</label>
        <input id="vpp-file" type="file" accept=".vpptoken,.txt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        <label htmlFor="vpp-name">VPP token name</label>
        <input id="vpp-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        {uploaded.error && <p role="alert" className="error">{errorMessage(uploaded.error)}</p>}
        {uploaded.data && <p role="status">Uploaded {uploaded.data.uploadVppToken.vppToken.name}</p>}
        <button type="submit" disabled={!file || uploaded.fetching}>
          Upload VPP token
        </button>
      </form>
    </section>
  );
}

function RenewVpp({ id, name, onDone }: { id: string; name: string; onDone: () => void }) {
  const [renewed, renew] = useMutation(RenewVppTokenDocument);
  const inputId = `renew-vpp-${id}`;
  return (
    <div className="renew-vpp">
      <label htmlFor={inputId} className="small">
        Renew {name}
      </label>
      <input
        id={inputId}
        type="file"
        accept=".vpptoken,.txt"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          const result = await renew({ input: { vppTokenId: id, tokenFile: await readTokenFile(file) } });
          if (result.data) onDone();
        }}
      />
      {renewed.error && <span role="alert" className="error small">{errorMessage(renewed.error)}</span>}
    </div>
  );
}
