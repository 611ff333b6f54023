// The organisation's devices as Apple lists them (the account's mirror): filters (serial prefix,
// product family, status, server or none, order number), paging both ways; select devices or paste
// serial numbers / order numbers, then assign to or unassign from an MDM server, move or cancel a
// migration deadline (OPERATOR), or release them (ADMIN, Apple Business only, with an explicit
// confirmation: releasing is permanent). Each change is a device activity, followed below.
import { useEffect, useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { graphql } from '../gql';
import type { OrgDeviceFilter, OrgDeviceStatus } from '../gql/graphql';
import { ChoiceSelect, type Choice } from '../components/ChoiceSelect';
import { Pager, usePaging } from '../components/Pager';
import { DeviceCount, SelectAllCell, SelectCell, useSerialSelection } from '../components/SerialSelection';
import { errorMessage, fieldMessage, fieldViolations, type Violation } from '../errors';
import { FieldError } from '../components/Field';
import { parseSerials } from '../serials';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';
import type { Account, MdmServerRow } from './AppleBusinessAccount';
import { ACTIVITY_TYPE } from './OrgDeviceActivities';

const OrgDevicesDocument = graphql(`
  query OrgDevices($accountId: ID!, $filter: OrgDeviceFilter, $first: Int, $after: String, $last: Int, $before: String) {
    orgDevices(accountId: $accountId, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        node {
          id serialNumber model productFamily capacity color orderNumber orderedAt purchaseSourceType status
          mdmMigrationDeadline mdmMigrationStatus
          assignedServer { id name }
        }
      }
    }
  }
`);

const AssignDevicesDocument = graphql(`
  mutation AssignDevicesToMdmServer($input: AssignDevicesToMdmServerInput!) {
    assignDevicesToMdmServer(input: $input) { orgDeviceActivity { id type deviceCount } }
  }
`);
const UnassignDevicesDocument = graphql(`
  mutation UnassignDevicesFromMdmServer($input: UnassignDevicesFromMdmServerInput!) {
    unassignDevicesFromMdmServer(input: $input) { orgDeviceActivity { id type deviceCount } }
  }
`);
const UpdateMigrationDeadlineDocument = graphql(`
  mutation UpdateMigrationDeadline($input: UpdateMigrationDeadlineInput!) {
    updateMigrationDeadline(input: $input) { orgDeviceActivity { id type deviceCount } }
  }
`);
const CancelMigrationDocument = graphql(`
  mutation CancelMigration($input: CancelMigrationInput!) {
    cancelMigration(input: $input) { orgDeviceActivity { id type deviceCount } }
  }
`);
const ReleaseDevicesDocument = graphql(`
  mutation ReleaseDevices($input: ReleaseDevicesInput!) {
    releaseDevices(input: $input) { orgDeviceActivity { id type deviceCount } }
  }
`);

/** Apple's productFamily values (the filter compares them as Apple spells them). */
const FAMILY_CHOICES: Choice[] = [
  { id: 'iPhone', name: 'iPhone' },
  { id: 'iPad', name: 'iPad' },
  { id: 'Mac', name: 'Mac' },
  { id: 'AppleTV', name: 'Apple TV' },
  { id: 'Watch', name: 'Apple Watch' },
  { id: 'Vision', name: 'Apple Vision' },
];
const STATUS: Record<OrgDeviceStatus, string> = { ASSIGNED: 'Assigned', UNASSIGNED: 'Unassigned' };
const STATUS_CHOICES: Choice[] = Object.entries(STATUS).map(([id, name]) => ({ id, name }));
/** The server filter's choice for devices on no server (filter.unassigned). */
const NO_SERVER = 'none';

export function OrgDevices({ account, servers, version, onActivity }: { account: Account; servers: MdmServerRow[]; version: number; onActivity: () => void }) {
  const mayOperate = useCan('OPERATOR');
  const [prefix, setPrefix] = useState('');
  const [family, setFamily] = useState('');
  const [status, setStatus] = useState<OrgDeviceStatus | ''>('');
  const [server, setServer] = useState('');
  const [order, setOrder] = useState('');
  const paging = usePaging();
  const selection = useSerialSelection();

  const filter: OrgDeviceFilter = {
    ...(prefix.trim() && { serialNumberPrefix: prefix.trim() }),
    ...(family && { productFamily: family }),
    ...(status && { status }),
    ...(server === NO_SERVER ? { unassigned: true } : server ? { mdmServerId: server } : {}),
    ...(order.trim() && { orderNumber: order.trim() }),
  };
  const [{ data, error, fetching }, refetch] = useQuery({ query: OrgDevicesDocument, variables: { accountId: account.id, filter, ...paging.variables }, requestPolicy: 'cache-and-network' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  useEffect(() => {
    if (version > 0) refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);
  const { refilter } = paging;
  const devices = data?.orgDevices.edges.map((e) => e.node) ?? [];

  return (
    <section aria-labelledby="org-devices-heading">
      <h2 id="org-devices-heading">Organisation devices</h2>
      <form className="toolbar" aria-label="Device filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Serial number prefix
          <input type="search" value={prefix} maxLength={20} onChange={(e) => refilter(setPrefix)(e.target.value)} />
        </label>
        <label>
          Product family
          <ChoiceSelect value={family} onChange={refilter(setFamily)} empty="Any family" choices={FAMILY_CHOICES} />
        </label>
        <label>
          Apple status
          <ChoiceSelect value={status} onChange={(v) => refilter(setStatus)(v as OrgDeviceStatus | '')} empty="Any status" choices={STATUS_CHOICES} />
        </label>
        <label>
          On MDM server
          <ChoiceSelect value={server} onChange={refilter(setServer)} empty="Any server" choices={[{ id: NO_SERVER, name: 'No server (unassigned)' }, ...servers]} />
        </label>
        <label>
          Order number
          <input type="search" value={order} maxLength={100} onChange={(e) => refilter(setOrder)(e.target.value)} />
        </label>
      </form>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}

      {mayOperate && (
        <ChangeDevices
          account={account}
          servers={servers}
          selected={[...selection.selected]}
          onCreated={() => {
            selection.clear();
            onActivity();
            reload();
          }}
        />
      )}

      <DeviceCount total={data?.orgDevices.totalCount} fetching={fetching} selection={selection} />
      <div className="table-wrap">
        <table aria-label="Organisation devices">
          <thead>
            <tr>
              {mayOperate && <SelectAllCell serials={devices.map((d) => d.serialNumber)} selection={selection} />}
              <th scope="col">Serial number</th>
              <th scope="col">Model</th>
              <th scope="col">Product family</th>
              <th scope="col">Order</th>
              <th scope="col">Purchased from</th>
              <th scope="col">Apple status</th>
              <th scope="col">MDM server</th>
              <th scope="col">Migration</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id}>
                {mayOperate && <SelectCell serial={d.serialNumber} selection={selection} />}
                <th scope="row">{d.serialNumber}</th>
                <td>
                  {d.model ?? '—'}
                  {(d.capacity || d.color) && <div className="small">{[d.capacity, d.color].filter(Boolean).join(' · ')}</div>}
                </td>
                <td>{d.productFamily ?? '—'}</td>
                <td>
                  {d.orderNumber ?? '—'}
                  {d.orderedAt && <div className="small">{formatDateTime(d.orderedAt)}</div>}
                </td>
                <td>{d.purchaseSourceType ?? '—'}</td>
                <td>{d.status ? STATUS[d.status] : '—'}</td>
                <td>{d.assignedServer?.name ?? '—'}</td>
                <td>
                  {d.mdmMigrationDeadline ? `by ${formatDateTime(d.mdmMigrationDeadline)}` : '—'}
                  {d.mdmMigrationStatus && <div className="small">{d.mdmMigrationStatus}</div>}
                </td>
              </tr>
            ))}
            {data && devices.length === 0 && (
              <tr>
                <td colSpan={9}>{account.inventorySyncedAt ? 'No devices match.' : 'No devices yet: the first inventory mirror has not finished.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager label="Device pages" paging={paging} pageInfo={data?.orgDevices.pageInfo} />
    </section>
  );
}

type Created = { id: string; type: keyof typeof ACTIVITY_TYPE; deviceCount: number };
type Sent = { error?: CombinedError; created?: Created };

function ChangeDevices({ account, servers, selected, onCreated }: { account: Account; servers: MdmServerRow[]; selected: string[]; onCreated: () => void }) {
  const mayAdmin = useCan('ADMIN');
  const [by, setBy] = useState<'serials' | 'orders'>('serials');
  const [pasted, setPasted] = useState('');
  const [orders, setOrders] = useState('');
  const [serverId, setServerId] = useState('');
  const [deadline, setDeadline] = useState('');
  const [confirmRelease, setConfirmRelease] = useState(false);
  const [outcome, setOutcome] = useState<{ message: string | null; violations: Violation[]; created: (Created & { server?: string }) | null }>({ message: null, violations: [], created: null });
  const [assigned, assign] = useMutation(AssignDevicesDocument);
  const [unassigned, unassign] = useMutation(UnassignDevicesDocument);
  const [moved, moveDeadline] = useMutation(UpdateMigrationDeadlineDocument);
  const [cancelled, cancel] = useMutation(CancelMigrationDocument);
  const [released, release] = useMutation(ReleaseDevicesDocument);
  const busy = assigned.fetching || unassigned.fetching || moved.fetching || cancelled.fetching || released.fetching;

  const serials = [...new Set([...selected, ...parseSerials(pasted)])];
  const orderNumbers = [...new Set(orders.split(/[\s,;]+/).map((o) => o.trim()).filter(Boolean))];
  const selection = by === 'orders' ? { orderNumbers } : { serialNumbers: serials };
  const chosen = by === 'orders' ? orderNumbers.length : serials.length;
  const deadlineIso = deadline ? new Date(deadline).toISOString() : null;
  const serverName = servers.find((s) => s.id === serverId)?.name;
  const serialsError = fieldMessage(outcome.violations, 'serialNumbers', 'csv');
  const ordersError = fieldMessage(outcome.violations, 'orderNumbers');
  const serverError = fieldMessage(outcome.violations, 'mdmServerId');
  const deadlineError = fieldMessage(outcome.violations, 'migrationDeadline');
  const confirmError = fieldMessage(outcome.violations, 'confirm');
  const reason =
    chosen === 0 ? (by === 'orders' ? 'Type order numbers first' : 'Select devices or paste serial numbers first') : by === 'orders' ? `${chosen} order numbers` : `${chosen} serial numbers`;

  /** One change at a time: its activity, or its refusal on the fields it names. */
  const submit = async (send: () => Promise<Sent>, server?: string) => {
    const done = await send();
    if (done.error) {
      setOutcome({ message: errorMessage(done.error), violations: fieldViolations(done.error), created: null });
      return;
    }
    setOutcome({ message: null, violations: [], created: done.created ? { ...done.created, server } : null });
    setPasted('');
    setOrders('');
    setConfirmRelease(false);
    onCreated();
  };
  const fieldless = outcome.message && !outcome.violations.some((v) => ['serialNumbers', 'orderNumbers', 'csv', 'migrationDeadline', 'mdmServerId', 'confirm'].includes(v.field));

  return (
    <section aria-labelledby="change-devices-heading" className="card">
      <h3 id="change-devices-heading">Change devices at Apple</h3>
      <fieldset className="toolbar">
        <legend>Choose devices by</legend>
        <label className="check">
          <input type="radio" name="choose-by" checked={by === 'serials'} onChange={() => setBy('serials')} />
          Serial number
        </label>
        <label className="check">
          <input type="radio" name="choose-by" checked={by === 'orders'} onChange={() => setBy('orders')} />
          Order number
        </label>
      </fieldset>
      <div className="toolbar">
        {by === 'serials' ? (
          <>
            <label>
              Serial numbers (the selected ones, and these: paste, or one per line)
              <textarea rows={2} cols={30} value={pasted} onChange={(e) => setPasted(e.target.value)} maxLength={200_000} aria-invalid={serialsError ? true : undefined} />
              <FieldError error={serialsError} />
            </label>
            <label>
              Serials CSV
              <input type="file" accept=".csv,.txt,text/csv" onChange={async (e) => setPasted((await e.target.files?.[0]?.text()) ?? '')} />
            </label>
          </>
        ) : (
          <label>
            Order numbers (comma or one per line; at most 100)
            <textarea rows={2} cols={30} value={orders} onChange={(e) => setOrders(e.target.value)} maxLength={20_000} aria-invalid={ordersError ? true : undefined} />
            <FieldError error={ordersError} />
          </label>
        )}
        <span id="change-reason" className="reason">
          {reason}
        </span>
      </div>

      <div className="toolbar">
        <label>
          Target MDM server
          <ChoiceSelect value={serverId} onChange={setServerId} empty="Choose a server" choices={servers} aria-invalid={serverError ? true : undefined} />
          <FieldError error={serverError} />
        </label>
        <label>
          Migration deadline (optional when assigning)
          <input type="datetime-local" value={deadline} onChange={(e) => setDeadline(e.target.value)} aria-invalid={deadlineError ? true : undefined} />
          <FieldError error={deadlineError} />
        </label>
        <button
          type="button"
          disabled={chosen === 0 || !serverId || busy}
          aria-describedby="change-reason"
          onClick={() =>
            submit(async () => {
              const r = await assign({ input: { mdmServerId: serverId, ...selection, migrationDeadline: deadlineIso } });
              return { error: r.error, created: r.data?.assignDevicesToMdmServer.orgDeviceActivity };
            }, serverName)
          }
        >
          Assign to server
        </button>
        <button type="button" className="secondary" disabled={chosen === 0 || !serverId || busy} aria-describedby="change-reason" onClick={() =>
            submit(async () => {
              const r = await unassign({ input: { mdmServerId: serverId, ...selection } });
              return { error: r.error, created: r.data?.unassignDevicesFromMdmServer.orgDeviceActivity };
            }, serverName)
          }>
          Unassign from server
        </button>
        <button
          type="button"
          className="secondary"
          disabled={chosen === 0 || !deadlineIso || busy}
          aria-describedby="change-reason"
          onClick={() =>
            deadlineIso &&
            submit(async () => {
              const r = await moveDeadline({ input: { accountId: account.id, ...selection, migrationDeadline: deadlineIso } });
              return { error: r.error, created: r.data?.updateMigrationDeadline.orgDeviceActivity };
            })
          }
        >
          Move migration deadline
        </button>
        <button type="button" className="secondary" disabled={chosen === 0 || busy} aria-describedby="change-reason" onClick={() =>
            submit(async () => {
              const r = await cancel({ input: { accountId: account.id, ...selection } });
              return { error: r.error, created: r.data?.cancelMigration.orgDeviceActivity };
            })
          }>
          Cancel migration
        </button>
      </div>

      {mayAdmin && account.scope === 'BUSINESS' && (
        <fieldset className="danger">
          <legend>Release from the organisation</legend>
          <p className="hint">
            Releasing removes the devices from the organisation at Apple for good: they leave every MDM server, cannot be assigned again, and only a
            reseller or Apple can add them back.
          </p>
          <label className="check">
            <input type="checkbox" checked={confirmRelease} onChange={(e) => setConfirmRelease(e.target.checked)} aria-invalid={confirmError ? true : undefined} />I
            understand that releasing these devices is permanent
          </label>
          <FieldError error={confirmError} />
          <button type="button" disabled={chosen === 0 || !confirmRelease || busy} aria-describedby="change-reason" onClick={() =>
              submit(async () => {
                const r = await release({ input: { accountId: account.id, ...selection, confirm: confirmRelease } });
                return { error: r.error, created: r.data?.releaseDevices.orgDeviceActivity };
              })
            }>
            Release devices
          </button>
        </fieldset>
      )}

      {fieldless && <p role="alert" className="error">{outcome.message}</p>}
      {outcome.created && (
        <p role="status">
          Sent to Apple: {ACTIVITY_TYPE[outcome.created.type]} for {outcome.created.deviceCount} devices{outcome.created.server ? ` (${outcome.created.server})` : ''}. Follow it under{' '}
          <a href="#activities-heading">Device activities</a>.
        </p>
      )}
    </section>
  );
}
