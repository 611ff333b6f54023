// Devices: filters (token, profile, status, source, search), sorting, paging both ways
// (cursors), selection or pasted / uploaded serials -> Assign profile with per-serial results;
// import serials; delete.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { AssignmentStatus, DeviceFilter, DeviceOrderField, DeviceProfileStatus, DeviceSource, OrderDirection } from '../gql/graphql';
import { ChoiceSelect, type Choice } from '../components/ChoiceSelect';
import { Pager, usePaging } from '../components/Pager';
import { DeviceCount, SelectAllCell, SelectCell, useSerialSelection } from '../components/SerialSelection';
import { errorMessage } from '../errors';
import { parseSerials } from '../serials';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';

const DevicesDocument = graphql(`
  query Devices($filter: DeviceFilter, $first: Int, $after: String, $last: Int, $before: String, $orderBy: DeviceOrder) {
    devices(filter: $filter, first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        node {
          id serialNumber model description os profileStatus source lastAssignmentResult lastSyncedAt deviceAssignedAt
          profile { id name }
          requestedProfile { id name }
          token { id name }
        }
      }
    }
  }
`);

const DeviceChoicesDocument = graphql(`
  query DeviceChoices {
    depTokens(first: 50) { edges { node { id name profiles(first: 100) { edges { node { id name } } } } } }
  }
`);

const AssignProfileDocument = graphql(`
  mutation AssignEnrollmentProfile($input: AssignEnrollmentProfileInput!) {
    assignEnrollmentProfile(input: $input) { results { serialNumber status message retryAfterSeconds } }
  }
`);

const ImportSerialsDocument = graphql(`
  mutation ImportDeviceSerials($input: ImportDeviceSerialsInput!) {
    importDeviceSerials(input: $input) { accepted { id serialNumber } rejected { line value message } rejectedCount }
  }
`);

const DeleteDeviceDocument = graphql(`
  mutation DeleteDevice($input: DeleteDeviceInput!) {
    deleteDevice(input: $input) { deletedDeviceId }
  }
`);

const RESULT: Record<AssignmentStatus, string> = { SUCCESS: 'Assigned', FAILED: 'Failed', NOT_ACCESSIBLE: 'Not accessible', REJECTED: 'Rejected', THROTTLED: 'Throttled (retried later)' };
const STATUS: Record<DeviceProfileStatus, string> = { EMPTY: 'No profile', ASSIGNED: 'Assigned', PUSHED: 'Pushed', REMOVED: 'Removed' };
const STATUS_CHOICES: Choice[] = Object.entries(STATUS).map(([id, name]) => ({ id, name }));

const COLUMNS: [DeviceOrderField | null, string][] = [
  ['SERIAL_NUMBER', 'Serial number'],
  ['MODEL', 'Model'],
  [null, 'Token'],
  [null, 'Profile'],
  ['PROFILE_STATUS', 'Status'],
  [null, 'Source'],
  [null, 'Last assignment'],
  ['LAST_SYNCED_AT', 'Last synced'],
];

export function DevicesPage() {
  const mayOperate = useCan('OPERATOR');
  const [tokenId, setTokenId] = useState('');
  const [profileId, setProfileId] = useState('');
  const [status, setStatus] = useState<DeviceProfileStatus | ''>('');
  const [source, setSource] = useState<DeviceSource | ''>('');
  const [search, setSearch] = useState('');
  const [order, setOrder] = useState<{ field: DeviceOrderField; direction: OrderDirection }>({ field: 'SERIAL_NUMBER', direction: 'ASC' });
  const paging = usePaging();
  const selection = useSerialSelection();

  const filter: DeviceFilter = {
    ...(tokenId && { tokenId }),
    ...(profileId && { profileId }),
    ...(status && { profileStatus: status }),
    ...(source && { source }),
    ...(search.trim().length >= 3 && { search: search.trim() }),
  };
  const [{ data, error, fetching }, refetch] = useQuery({ query: DevicesDocument, variables: { filter, orderBy: order, ...paging.variables }, requestPolicy: 'cache-and-network' });
  const [{ data: choices, error: choicesError }] = useQuery({ query: DeviceChoicesDocument });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const { refilter } = paging;
  const tokens = choices?.depTokens.edges.map((e) => e.node) ?? [];
  const profiles = tokens.filter((t) => !tokenId || t.id === tokenId).flatMap((t) => t.profiles.edges.map(({ node: p }) => ({ id: p.id, name: `${p.name} (${t.name})` })));
  const devices = data?.devices.edges.map((e) => e.node) ?? [];
  const toggleSort = (field: DeviceOrderField) => {
    setOrder((o) => ({ field, direction: o.field === field && o.direction === 'ASC' ? 'DESC' : 'ASC' }));
    paging.reset();
  };

  return (
    <section aria-labelledby="devices-heading">
      <h1 id="devices-heading">Devices</h1>
      <form className="toolbar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Token
          <ChoiceSelect value={tokenId} onChange={refilter(setTokenId)} empty="All tokens" choices={tokens} />
        </label>
        <label>
          Profile
          <ChoiceSelect value={profileId} onChange={refilter(setProfileId)} empty="All profiles" choices={profiles} />
        </label>
        <label>
          Status
          <ChoiceSelect value={status} onChange={(value) => refilter(setStatus)(value as DeviceProfileStatus | '')} empty="Any status" choices={STATUS_CHOICES} />
        </label>
        <label>
          Source
          <select value={source} onChange={(e) => refilter(setSource)(e.target.value as DeviceSource | '')}>
            <option value="">Any source</option>
            <option value="SYNC">Synced from Apple</option>
            <option value="IMPORT">Imported</option>
          </select>
        </label>
        <label>
          Search
          <input type="search" value={search} maxLength={100} placeholder="serial, model, description (3+ characters)" onChange={(e) => refilter(setSearch)(e.target.value)} />
        </label>
      </form>
      {(error || choicesError) && <p role="alert" className="error">{errorMessage(error ?? choicesError)}</p>}

      {mayOperate && <AssignProfile selected={[...selection.selected]} profiles={profiles} onAssigned={reload} />}

      <DeviceCount total={data?.devices.totalCount} fetching={fetching} selection={selection} />
      <div className="table-wrap">
        <table aria-label="Devices">
          <thead>
            <tr>
              {mayOperate && <SelectAllCell serials={devices.map((d) => d.serialNumber)} selection={selection} />}
              {COLUMNS.map(([field, label]) => (
                <th key={label} scope="col" aria-sort={field && order.field === field ? (order.direction === 'ASC' ? 'ascending' : 'descending') : undefined}>
                  {field ? (
                    <button type="button" className="sort" onClick={() => toggleSort(field)}>
                      {label}
                      {order.field === field ? (order.direction === 'ASC' ? ' ▲' : ' ▼') : ''}
                    </button>
                  ) : (
                    label
                  )}
                </th>
              ))}
              {mayOperate && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id}>
                {mayOperate && <SelectCell serial={d.serialNumber} selection={selection} />}
                <th scope="row">{d.serialNumber}</th>
                <td>{d.model ?? '—'}</td>
                <td>{d.token.name}</td>
                <td>
                  {d.profile?.name ?? '—'}
                  {d.requestedProfile && d.requestedProfile.id !== d.profile?.id && <div className="small">requested: {d.requestedProfile.name}</div>}
                </td>
                <td>{STATUS[d.profileStatus]}</td>
                <td>{d.source === 'SYNC' ? 'Sync' : 'Import'}</td>
                <td>{d.lastAssignmentResult ? RESULT[d.lastAssignmentResult] : '—'}</td>
                <td>{formatDateTime(d.lastSyncedAt)}</td>
                {mayOperate && (
                  <td>
                    <DeleteDevice id={d.id} serial={d.serialNumber} onDeleted={reload} />
                  </td>
                )}
              </tr>
            ))}
            {data && devices.length === 0 && (
              <tr>
                <td colSpan={10}>No devices match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager label="Pages" paging={paging} pageInfo={data?.devices.pageInfo} />
      {mayOperate && <ImportSerials tokens={tokens} onImported={reload} />}
    </section>
  );
}

function AssignProfile({ selected, profiles, onAssigned }: { selected: string[]; profiles: Choice[]; onAssigned: () => void }) {
  const [profileId, setProfileId] = useState('');
  const [pasted, setPasted] = useState('');
  const [assigned, assign] = useMutation(AssignProfileDocument);
  const serials = [...new Set([...selected, ...parseSerials(pasted)])];
  const results = assigned.data?.assignEnrollmentProfile.results;
  return (
    <section aria-labelledby="assign-heading" className="card">
      <h2 id="assign-heading">Assign a profile</h2>
      <div className="toolbar">
        <label>
          Profile to assign
          <ChoiceSelect value={profileId} onChange={setProfileId} empty="Choose a profile" choices={profiles} />
        </label>
        <label>
          Serial numbers (paste, or one per line)
          <textarea rows={2} cols={30} value={pasted} onChange={(e) => setPasted(e.target.value)} maxLength={200_000} />
        </label>
        <label>
          Serials CSV
          <input type="file" accept=".csv,.txt,text/csv" onChange={async (e) => setPasted((await e.target.files?.[0]?.text()) ?? '')} />
        </label>
        <button
          type="button"
          disabled={serials.length === 0 || !profileId || assigned.fetching}
          aria-describedby="assign-reason"
          onClick={async () => {
            const result = await assign({ input: { profileId, serialNumbers: serials } });
            if (result.data) onAssigned();
          }}
        >
          Assign profile
        </button>
        <span id="assign-reason" className="reason">
          {serials.length === 0 ? 'Select devices or paste serial numbers first' : !profileId ? 'Choose a profile' : `${serials.length} serial numbers`}
        </span>
      </div>
      {assigned.error && <p role="alert" className="error">{errorMessage(assigned.error)}</p>}
      {results && (
        <table aria-label="Assignment results">
          <thead>
            <tr>
              <th scope="col">Serial number</th>
              <th scope="col">Result</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.serialNumber}>
                <th scope="row">{r.serialNumber}</th>
                <td>{RESULT[r.status]}</td>
                <td>{r.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ImportSerials({ tokens, onImported }: { tokens: Choice[]; onImported: () => void }) {
  const [tokenId, setTokenId] = useState('');
  const [csv, setCsv] = useState('');
  const [imported, importSerials] = useMutation(ImportSerialsDocument);
  const result = imported.data?.importDeviceSerials;
  return (
    <section aria-labelledby="import-heading" className="card">
      <h2 id="import-heading">Import serial numbers</h2>
      <p className="hint">Serials Apple has not synced yet are kept and assigned when a sync sees them.</p>
      <div className="toolbar">
        <label>
          Import into token
          <ChoiceSelect value={tokenId} onChange={setTokenId} empty="Choose a token" choices={tokens} />
        </label>
        <label>
          Serials to import (CSV or one per line)
          <textarea rows={2} cols={30} value={csv} onChange={(e) => setCsv(e.target.value)} maxLength={200_000} />
        </label>
        <button
          type="button"
          disabled={!tokenId || !csv.trim() || imported.fetching}
          onClick={async () => {
            const res = await importSerials({ input: { tokenId, csv } });
            if (res.data) onImported();
          }}
        >
          Import serials
        </button>
      </div>
      {imported.error && <p role="alert" className="error">{errorMessage(imported.error)}</p>}
      {result && (
        <div role="status">
          {result.accepted.length} imported, {result.rejectedCount} rejected
          {result.rejected.length > 0 && (
            <ul>
              {result.rejected.map((r) => (
                <li key={`${r.line}-${r.value}`}>
                  line {r.line} ({r.value}): {r.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function DeleteDevice({ id, serial, onDeleted }: { id: string; serial: string; onDeleted: () => void }) {
  const [deleted, remove] = useMutation(DeleteDeviceDocument);
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={`Delete ${serial}`}
        disabled={deleted.fetching}
        onClick={async () => {
          if (!window.confirm(`Remove ${serial} from depgate? The next full sync brings it back if Apple still assigns it.`)) return;
          if ((await remove({ input: { deviceId: id } })).data) onDeleted();
        }}
      >
        Delete
      </button>
      {deleted.error && <span role="alert" className="error small">{errorMessage(deleted.error)}</span>}
    </>
  );
}
