// One Apple School and Business API account: its facts and inventory mirror, the organisation's
// MDM servers (which DEP token each one is), Create MDM server at Apple (a key pair's certificate;
// then the one step by hand: download the server token in the portal and upload it with Add
// token), the default server per product family, the devices (OrgDevices) and the activities.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql';
import type { AppleBusinessAccountQuery, MdmProductFamily, MdmServersQuery } from '../gql/graphql';
import { errorMessage, fieldMessage, fieldViolations } from '../errors';
import { ChoiceSelect } from '../components/ChoiceSelect';
import { Expiry } from '../components/Expiry';
import { Field, fieldAria } from '../components/Field';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';
import { CreateKeyPairDocument } from './AddToken';
import { ManualTokenNote, SCOPE_LABEL } from './AppleBusiness';
import { OrgDevices } from './OrgDevices';
import { OrgDeviceActivities, useOrgDeviceActivities } from './OrgDeviceActivities';
import { tokenPath } from './Tokens';

const AppleBusinessAccountDocument = graphql(`
  query AppleBusinessAccount($id: ID!) {
    node(id: $id) {
      __typename
      ... on AppleBusinessAccount {
        id name clientId keyId scope status refusedAt inventorySyncedAt inventorySyncError assertionExpiresAt createdAt
        scopeTags { id name }
      }
    }
  }
`);

const MdmServersDocument = graphql(`
  query MdmServers($accountId: ID!) {
    mdmServers(accountId: $accountId) {
      id appleId name type status deviceCount defaultProductFamilies lastConnectedAt createdAtApple
      depToken { id name }
    }
  }
`);

const SyncAppleBusinessInventoryDocument = graphql(`
  mutation SyncAppleBusinessInventory($input: SyncAppleBusinessInventoryInput!) {
    syncAppleBusinessInventory(input: $input) { queued }
  }
`);

const CreateMdmServerAtAppleDocument = graphql(`
  mutation CreateMdmServerAtApple($input: CreateMdmServerAtAppleInput!) {
    createMdmServerAtApple(input: $input) { mdmServer { id name } nextStep }
  }
`);

const SetDefaultMdmServerDocument = graphql(`
  mutation SetDefaultMdmServer($input: SetDefaultMdmServerInput!) {
    setDefaultMdmServer(input: $input) { mdmServer { id name defaultProductFamilies } }
  }
`);

export type Account = Extract<NonNullable<AppleBusinessAccountQuery['node']>, { __typename: 'AppleBusinessAccount' }>;
export type MdmServerRow = MdmServersQuery['mdmServers'][number];

export const FAMILY_LABEL: Record<MdmProductFamily, string> = {
  IPHONE: 'iPhone',
  IPAD: 'iPad',
  MAC: 'Mac',
  APPLE_TV: 'Apple TV',
  WATCH: 'Apple Watch',
  VISION: 'Apple Vision',
  IPOD: 'iPod',
};
const FAMILIES = Object.keys(FAMILY_LABEL) as MdmProductFamily[];
const SERVER_TYPE: Record<string, string> = { MDM: 'MDM', APPLE_CONFIGURATOR: 'Apple Configurator', APPLE_MDM: 'Apple built-in MDM' };
/** How long the page waits for an inventory mirror it is following before it stops asking. */
const MIRROR_WAIT_MS = 120_000;

export function AppleBusinessAccountPage({ id }: { id: string }) {
  const [{ data, error }, refetchAccount] = useQuery({ query: AppleBusinessAccountDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [servers, refetchServers] = useQuery({ query: MdmServersDocument, variables: { accountId: id }, requestPolicy: 'cache-and-network' });
  const reloadServers = () => refetchServers({ requestPolicy: 'network-only' });
  const [devicesVersion, setDevicesVersion] = useState(0);
  const activities = useOrgDeviceActivities(id, () => {
    // A completed activity re-read the devices it touched and moved server device counts.
    setDevicesVersion((v) => v + 1);
    reloadServers();
  });
  const account = data?.node?.__typename === 'AppleBusinessAccount' ? data.node : null;
  const mirror = useMirrorWatch(account, () => refetchAccount({ requestPolicy: 'network-only' }));
  const syncedAt = account?.inventorySyncedAt;
  useEffect(() => {
    if (syncedAt) setDevicesVersion((v) => v + 1);
  }, [syncedAt]);

  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!data) return <p className="loading">Loading…</p>;
  if (!account) return <p role="alert">No such account (or this key may not see it). <Link href="/apple-business">All accounts</Link></p>;
  const serverList = servers.data?.mdmServers ?? [];
  return (
    <section aria-labelledby="account-heading">
      <div className="page-head">
        <h1 id="account-heading">{account.name}</h1>
        <StatusBadge status={account.status} />
      </div>
      <p>
        <Link href="/apple-business">All Apple Business accounts</Link>
      </p>
      {account.refusedAt && (
        <p className="notice" role="note">
          Apple refused this account (invalid_client) on {formatDateTime(account.refusedAt)}: its key was revoked or the API account deleted. Generate a
          new private key in Settings → API, disconnect this account and connect it again.
        </p>
      )}
      <dl className="facts">
        <dt>Scope</dt>
        <dd>{SCOPE_LABEL[account.scope]}</dd>
        <dt>Client ID</dt>
        <dd>{account.clientId}</dd>
        <dt>Key ID</dt>
        <dd>{account.keyId}</dd>
        <dt>Client assertion</dt>
        <dd>{account.assertionExpiresAt ? <Expiry at={account.assertionExpiresAt} /> : '—'}</dd>
        <dt>Inventory synced</dt>
        <dd>
          {account.inventorySyncedAt ? formatDateTime(account.inventorySyncedAt) : 'not yet'}
          {account.inventorySyncError && <div className="error small">{account.inventorySyncError}</div>}
        </dd>
        <dt>Scope tags</dt>
        <dd>{account.scopeTags.map((t) => t.name).join(', ') || 'none'}</dd>
      </dl>
      <SyncInventory accountId={account.id} waiting={mirror.waiting} onQueued={mirror.follow} />

      <section aria-labelledby="servers-heading">
        <h2 id="servers-heading">MDM servers</h2>
        <ManualTokenNote />
        {servers.error && <p role="alert" className="error">{errorMessage(servers.error)}</p>}
        <div className="table-wrap">
          <table aria-label="MDM servers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Devices</th>
                <th scope="col">Default for</th>
                <th scope="col">Last connected</th>
                <th scope="col">DEP token</th>
              </tr>
            </thead>
            <tbody>
              {serverList.map((server) => (
                <tr key={server.id}>
                  <th scope="row">{server.name}</th>
                  <td>{server.type ? SERVER_TYPE[server.type] ?? server.type : '—'}</td>
                  <td>{server.status ?? '—'}</td>
                  <td className="num">{server.deviceCount ?? '—'}</td>
                  <td>{server.defaultProductFamilies.map((f) => FAMILY_LABEL[f]).join(', ') || '—'}</td>
                  <td>{formatDateTime(server.lastConnectedAt)}</td>
                  <td>{server.depToken ? <Link href={tokenPath(server.depToken.id)}>{server.depToken.name}</Link> : 'no token uploaded'}</td>
                </tr>
              ))}
              {servers.data && serverList.length === 0 && (
                <tr>
                  <td colSpan={7}>The organisation has no MDM server yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <CreateServer account={account} onCreated={reloadServers} />
        <SetDefaultServer servers={serverList} onSet={reloadServers} />
      </section>

      <OrgDevices account={account} servers={serverList} version={devicesVersion} onActivity={activities.reload} />
      <OrgDeviceActivities activities={activities} />
    </section>
  );
}

/**
 * Follows an inventory mirror the page knows is coming (the account has never been mirrored, or
 * Sync inventory now was pressed): the account is read again every 2 s until its inventorySyncedAt
 * or inventorySyncError changes, for at most MIRROR_WAIT_MS.
 */
function useMirrorWatch(account: Account | null, reload: () => void): { waiting: boolean; follow: () => void } {
  type Watch = { syncedAt: string | null; error: string | null; until: number };
  const [watch, setWatch] = useState<Watch | null>(null);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const autoStarted = useRef(false);
  const snapshot = (a: Account): Watch => ({ syncedAt: a.inventorySyncedAt ?? null, error: a.inventorySyncError ?? null, until: Date.now() + MIRROR_WAIT_MS });
  useEffect(() => {
    if (!account || autoStarted.current) return;
    autoStarted.current = true;
    if (!account.inventorySyncedAt && !account.inventorySyncError) setWatch(snapshot(account));
  }, [account]);
  const waiting = watch !== null && account !== null && (account.inventorySyncedAt ?? null) === watch.syncedAt && (account.inventorySyncError ?? null) === watch.error;
  useEffect(() => {
    if (!watch) return;
    if (!waiting) {
      setWatch(null);
      return;
    }
    const timer = setInterval(() => {
      if (Date.now() > watch.until) setWatch(null);
      else reloadRef.current();
    }, 2_000);
    return () => clearInterval(timer);
  }, [waiting, watch]);
  return { waiting, follow: () => account && setWatch(snapshot(account)) };
}

function SyncInventory({ accountId, waiting, onQueued }: { accountId: string; waiting: boolean; onQueued: () => void }) {
  const mayOperate = useCan('OPERATOR');
  const [synced, sync] = useMutation(SyncAppleBusinessInventoryDocument);
  return (
    <div className="toolbar">
      {mayOperate && (
        <button
          type="button"
          disabled={synced.fetching || waiting}
          onClick={async () => {
            if ((await sync({ input: { accountId } })).data) onQueued();
          }}
        >
          Sync inventory now
        </button>
      )}
      <span role="status" className="reason">
        {waiting ? 'Inventory mirror in progress…' : synced.data && !synced.data.syncAppleBusinessInventory.queued ? 'A mirror is already waiting to run.' : ''}
      </span>
      {synced.error && <span role="alert" className="error">{errorMessage(synced.error)}</span>}
    </div>
  );
}

/**
 * Create MDM server at Apple: a key pair (the token wizard's first step, with its consent), then
 * the server with the key pair's certificate. A refused name keeps the key pair for the retry.
 * Afterwards, the instructions for the one manual step and the way into Add token with this key pair.
 */
function CreateServer({ account, onCreated }: { account: Account; onCreated: () => void }) {
  const mayAdmin = useCan('ADMIN');
  const [name, setName] = useState('');
  const [agreed, setAgreed] = useState(false);
  const [keyPair, setKeyPair] = useState<{ id: string; expiresAt: string } | null>(null);
  const [created, setCreated] = useState<{ name: string; keyPair: { id: string; expiresAt: string } } | null>(null);
  const [keyPairResult, createKeyPair] = useMutation(CreateKeyPairDocument);
  const [serverResult, createServer] = useMutation(CreateMdmServerAtAppleDocument);
  if (!mayAdmin) return null;
  const portal = SCOPE_LABEL[account.scope];
  if (account.scope !== 'BUSINESS') {
    return (
      <p className="hint">
        Apple School Manager accounts cannot create MDM servers through the API: add the server in Apple School Manager, upload the public key from Add
        token, and download its token there.
      </p>
    );
  }
  const nameError = fieldMessage(fieldViolations(serverResult.error), 'name');
  const otherError = serverResult.error && !nameError ? errorMessage(serverResult.error) : keyPairResult.error ? errorMessage(keyPairResult.error) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let pair = keyPair && new Date(keyPair.expiresAt).getTime() > Date.now() ? keyPair : null;
    if (!pair) {
      const made = await createKeyPair({ input: { dataSharingConsent: agreed } });
      if (!made.data) return;
      pair = made.data.createDepTokenKeyPair.keyPair;
      setKeyPair(pair);
    }
    const result = await createServer({ input: { accountId: account.id, name: name.trim(), keyPairId: pair.id } });
    if (!result.data) return;
    setCreated({ name: result.data.createMdmServerAtApple.mdmServer.name, keyPair: pair });
    setKeyPair(null); // one key pair per server: the token upload uses it up
    setName('');
    onCreated();
  };

  return (
    <section aria-labelledby="create-server-heading" className="card">
      <h3 id="create-server-heading">Create MDM server at Apple</h3>
      <p className="hint">
        depgate makes a key pair and creates the server at Apple with its public key: the portal's Add MDM Server and Upload Public Key, without the
        portal.
      </p>
      <form onSubmit={submit} className="form-grid" aria-label="Create MDM server at Apple" noValidate>
        <Field id="server-name" label="Server name" error={nameError} hint="Unique in the organisation, 1 to 100 characters.">
          <input id="server-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required {...fieldAria('server-name', true, nameError)} />
        </Field>
        {!keyPair && (
          <label className="check full">
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />I agree to send user and device data to Apple
          </label>
        )}
        {otherError && <p role="alert" className="error">{otherError}</p>}
        <button type="submit" disabled={!name.trim() || (!keyPair && !agreed) || keyPairResult.fetching || serverResult.fetching}>
          Create MDM server at Apple
        </button>
      </form>
      {created && (
        <div role="status" className="notice">
          <h4>MDM server “{created.name}” created at Apple</h4>
          <p>One step is left, and it is done by hand: Apple's API does not hand out a server's token.</p>
          <ol>
            <li>
              In {portal}, open Preferences, choose the MDM server “{created.name}” and click <strong>Download Token</strong>. This saves its server token
              (.p7m), the only file depgate cannot fetch itself.
            </li>
            <li>
              Upload that file with this server's key pair:{' '}
              <Link href={`/tokens/new?keyPair=${encodeURIComponent(created.keyPair.id)}`}>Upload the server token for {created.name}</Link>. The key pair is
              usable until <Expiry at={created.keyPair.expiresAt} />; the link keeps it.
            </li>
          </ol>
        </div>
      )}
    </section>
  );
}

function SetDefaultServer({ servers, onSet }: { servers: MdmServerRow[]; onSet: () => void }) {
  const mayAdmin = useCan('ADMIN');
  const [serverId, setServerId] = useState('');
  const [families, setFamilies] = useState<MdmProductFamily[]>([]);
  const [result, setDefault] = useMutation(SetDefaultMdmServerDocument);
  if (!mayAdmin || servers.length === 0) return null;
  const choose = (id: string) => {
    setServerId(id);
    setFamilies(servers.find((s) => s.id === id)?.defaultProductFamilies ?? []);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await setDefault({ input: { mdmServerId: serverId, productFamilies: families } })).data) onSet();
  };
  return (
    <section aria-labelledby="default-server-heading" className="card">
      <h3 id="default-server-heading">Default MDM server</h3>
      <p className="hint">New devices of the chosen product families go to this server. A family another server holds moves here.</p>
      <form onSubmit={submit} className="form-grid" aria-label="Default MDM server">
        <label htmlFor="default-server">Default server</label>
        <ChoiceSelect id="default-server" value={serverId} onChange={choose} empty="Choose a server" choices={servers} required />
        <fieldset>
          <legend>Product families</legend>
          {FAMILIES.map((family) => (
            <label key={family} className="check">
              <input type="checkbox" checked={families.includes(family)} onChange={(e) => setFamilies(e.target.checked ? [...families, family] : families.filter((f) => f !== family))} />
              {FAMILY_LABEL[family]}
            </label>
          ))}
        </fieldset>
        {result.error && <p role="alert" className="error">{errorMessage(result.error)}</p>}
        {result.data && <p role="status">{result.data.setDefaultMdmServer.mdmServer.name} is now the default for {result.data.setDefaultMdmServer.mdmServer.defaultProductFamilies.map((f) => FAMILY_LABEL[f]).join(', ') || 'no product family'}.</p>}
        <button type="submit" disabled={!serverId || result.fetching}>
          Set default server
        </button>
      </form>
    </section>
  );
}
