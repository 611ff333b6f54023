// Apple School and Business API accounts: the list (scope, client ID, inventory mirror, Apple's
// refusal), Connect account (ADMIN: the key is proved with Apple before anything is stored, so
// refusals come back on the fields they concern) and Disconnect with a confirmation.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql';
import type { AppleBusinessScope } from '../gql/graphql';
import { errorMessage, fieldMessage, fieldViolations, type Violation } from '../errors';
import { Field, fieldAria } from '../components/Field';
import { ScopeTagPicker } from '../components/ScopeTagPicker';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../time';
import { useCan } from '../viewer';

export const AppleBusinessAccountsDocument = graphql(`
  query AppleBusinessAccounts {
    appleBusinessAccounts(first: 200) {
      totalCount
      edges {
        node { id name clientId scope status refusedAt inventorySyncedAt inventorySyncError scopeTags { id name } }
      }
    }
  }
`);

const ConnectAppleBusinessAccountDocument = graphql(`
  mutation ConnectAppleBusinessAccount($input: ConnectAppleBusinessAccountInput!) {
    connectAppleBusinessAccount(input: $input) { appleBusinessAccount { id name scope } }
  }
`);

const DisconnectAppleBusinessAccountDocument = graphql(`
  mutation DisconnectAppleBusinessAccount($input: DisconnectAppleBusinessAccountInput!) {
    disconnectAppleBusinessAccount(input: $input) { deletedAppleBusinessAccountId }
  }
`);

export const SCOPE_LABEL: Record<AppleBusinessScope, string> = { BUSINESS: 'Apple Business Manager', SCHOOL: 'Apple School Manager' };
export const accountPath = (id: string) => `/apple-business/${encodeURIComponent(id)}`;

/** What every page of the feature says about the one step Apple's API leaves to the admin. */
export function ManualTokenNote() {
  return (
    <p className="hint">
      Apple's API adds MDM servers and moves devices between them, but it does not hand out a server's token: the server token (.p7m) is still
      downloaded by hand in Apple Business Manager or Apple School Manager (the server's page, Download Token), then uploaded here with Add token.
    </p>
  );
}

export function AppleBusinessPage() {
  const mayAdmin = useCan('ADMIN');
  const [{ data, error, fetching }, refetch] = useQuery({ query: AppleBusinessAccountsDocument, requestPolicy: 'cache-and-network' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const accounts = data?.appleBusinessAccounts.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="business-heading">
      <h1 id="business-heading">Apple Business</h1>
      <p>
        Accounts of the Apple School and Business API (Settings → API in the portal): the organisation's devices, its MDM servers, and assigning
        devices to them without the portal.
      </p>
      <ManualTokenNote />
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      <div className="table-wrap">
        <table aria-label="Apple Business accounts">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Client ID</th>
              <th scope="col">Status</th>
              <th scope="col">Inventory synced</th>
              <th scope="col">Scope tags</th>
              {mayAdmin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr key={account.id}>
                <th scope="row">
                  <Link href={accountPath(account.id)}>{account.name}</Link>
                </th>
                <td>{SCOPE_LABEL[account.scope]}</td>
                <td className="small">{account.clientId}</td>
                <td>
                  <StatusBadge status={account.status} />
                  {account.refusedAt && <div className="small">since {formatDateTime(account.refusedAt)}</div>}
                </td>
                <td>
                  {account.inventorySyncedAt ? formatDateTime(account.inventorySyncedAt) : 'not yet'}
                  {account.inventorySyncError && <div className="error small">{account.inventorySyncError}</div>}
                </td>
                <td>{account.scopeTags.map((t) => t.name).join(', ') || 'none'}</td>
                {mayAdmin && (
                  <td>
                    <DisconnectAccount id={account.id} name={account.name} onDisconnected={reload} />
                  </td>
                )}
              </tr>
            ))}
            {!fetching && accounts.length === 0 && (
              <tr>
                <td colSpan={7}>No accounts connected yet.{mayAdmin && ' Connect one below.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {mayAdmin && <ConnectAccount onConnected={reload} />}
    </section>
  );
}

function DisconnectAccount({ id, name, onDisconnected }: { id: string; name: string; onDisconnected: () => void }) {
  const [disconnected, disconnect] = useMutation(DisconnectAppleBusinessAccountDocument);
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={`Disconnect ${name}`}
        disabled={disconnected.fetching}
        onClick={async () => {
          if (!window.confirm(`Disconnect ${name}? depgate forgets its inventory mirror and device activities; nothing changes at Apple, and DEP tokens stay.`)) return;
          if ((await disconnect({ input: { accountId: id } })).data) onDisconnected();
        }}
      >
        Disconnect
      </button>
      {disconnected.error && <span role="alert" className="error small">{errorMessage(disconnected.error)}</span>}
    </>
  );
}

const EMPTY = { name: '', scope: 'BUSINESS' as AppleBusinessScope, clientId: '', keyId: '', privateKeyPem: '' };

function ConnectAccount({ onConnected }: { onConnected: () => void }) {
  const [values, setValues] = useState(EMPTY);
  const [keyFile, setKeyFile] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0); // remounts the file input after a connect
  const [tags, setTags] = useState<string[]>([]);
  const [refusal, setRefusal] = useState<{ message: string | null; violations: Violation[] }>({ message: null, violations: [] });
  const [connectedName, setConnectedName] = useState<{ id: string; name: string } | null>(null);
  const [connecting, connect] = useMutation(ConnectAppleBusinessAccountDocument);
  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]) => setValues((v) => ({ ...v, [key]: value }));
  const fieldError = (field: string) => fieldMessage(refusal.violations, field);
  const keyError = fieldError('privateKeyPem');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await connect({
      input: {
        name: values.name.trim(),
        scope: values.scope,
        clientId: values.clientId.trim(),
        keyId: values.keyId.trim(),
        privateKeyPem: values.privateKeyPem,
        scopeTagIds: tags.length ? tags : null,
      },
    });
    if (result.error) {
      setRefusal({ message: errorMessage(result.error), violations: fieldViolations(result.error) });
      setConnectedName(null);
      return;
    }
    setRefusal({ message: null, violations: [] });
    if (result.data) {
      setConnectedName(result.data.connectAppleBusinessAccount.appleBusinessAccount);
      setValues(EMPTY);
      setKeyFile(null);
      setGeneration((g) => g + 1);
      setTags([]);
      onConnected();
    }
  };

  return (
    <section aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect account</h2>
      <p className="hint">
        In Apple Business Manager or Apple School Manager, Settings → API: add an API account, then Generate Private Key. The portal shows the Client
        ID and Key ID and downloads the private key once. depgate checks them with Apple before it stores anything; the key is kept encrypted and never
        shown again.
      </p>
      <form onSubmit={submit} className="form-grid" aria-label="Connect account" noValidate>
        {refusal.message && (
          <p role="alert" className="error">
            {refusal.violations.length ? 'The account was refused: see the fields marked below.' : refusal.message}
          </p>
        )}
        <Field id="ab-name" label="Account name" error={fieldError('name')}>
          <input id="ab-name" value={values.name} maxLength={100} onChange={(e) => set('name', e.target.value)} required {...fieldAria('ab-name', false, fieldError('name'))} />
        </Field>
        <Field id="ab-scope" label="Scope" error={fieldError('scope')} hint="Which portal the account belongs to: its client ID starts with BUSINESSAPI. or SCHOOLAPI.">
          <select id="ab-scope" value={values.scope} onChange={(e) => set('scope', e.target.value as AppleBusinessScope)} {...fieldAria('ab-scope', true, fieldError('scope'))}>
            <option value="BUSINESS">{SCOPE_LABEL.BUSINESS}</option>
            <option value="SCHOOL">{SCOPE_LABEL.SCHOOL}</option>
          </select>
        </Field>
        <Field id="ab-client-id" label="Client ID" error={fieldError('clientId')}>
          <input id="ab-client-id" value={values.clientId} maxLength={200} spellCheck={false} autoComplete="off" placeholder="BUSINESSAPI.…" onChange={(e) => set('clientId', e.target.value)} required {...fieldAria('ab-client-id', false, fieldError('clientId'))} />
        </Field>
        <Field id="ab-key-id" label="Key ID" error={fieldError('keyId')}>
          <input id="ab-key-id" value={values.keyId} maxLength={200} spellCheck={false} autoComplete="off" onChange={(e) => set('keyId', e.target.value)} required {...fieldAria('ab-key-id', false, fieldError('keyId'))} />
        </Field>
        <Field id="ab-key-file" label="Private key file (.pem)" hint="The file the portal downloaded, or paste its text below.">
          <input
            key={generation}
            id="ab-key-file"
            type="file"
            accept=".pem,.key,.txt,application/x-pem-file"
            aria-describedby="ab-key-file-hint"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setKeyFile(file?.name ?? null);
              set('privateKeyPem', file ? await file.text() : '');
            }}
          />
        </Field>
        <Field id="ab-key-pem" label="Private key (PEM)" error={keyError}>
          <textarea
            id="ab-key-pem"
            rows={4}
            cols={40}
            value={keyFile ? '' : values.privateKeyPem}
            disabled={keyFile !== null}
            maxLength={4096}
            spellCheck={false}
            autoComplete="off"
            placeholder={keyFile ? `Using ${keyFile}` : '-----BEGIN EC PRIVATE KEY-----'}
            onChange={(e) => set('privateKeyPem', e.target.value)}
            {...fieldAria('ab-key-pem', false, keyError)}
          />
        </Field>
        <ScopeTagPicker value={tags} onChange={setTags} error={fieldError('scopeTagIds')} />
        {connectedName && (
          <p role="status">
            Connected <Link href={accountPath(connectedName.id)}>{connectedName.name}</Link>: the first inventory mirror has started.
          </p>
        )}
        <button type="submit" disabled={connecting.fetching || !values.name.trim() || !values.clientId.trim() || !values.keyId.trim() || !values.privateKeyPem.trim()}>
          Connect account
        </button>
      </form>
    </section>
  );
}
