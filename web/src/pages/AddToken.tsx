// The seed's four steps: consent, download the public key, upload the .p7m (Apple ID, name, scope
// tags), done. The pending key pair's expiry is shown; leaving before the upload means a new key.
// `?keyPair=<id>` resumes at the upload with a key pair whose certificate is already at Apple
// (Create MDM server at Apple on the Apple Business page): the address keeps it, so leaving is fine.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { graphql } from '../gql';
import type { UploadDepTokenMutation } from '../gql/graphql';
import { errorMessage } from '../errors';
import { downloadText, readTokenFile } from '../files';
import { Expiry } from '../components/Expiry';
import { ScopeTagPicker } from '../components/ScopeTagPicker';
import { formatDateTime } from '../time';
import { tokenPath } from './Tokens';

export const CreateKeyPairDocument = graphql(`
  mutation CreateDepTokenKeyPair($input: CreateDepTokenKeyPairInput!) {
    createDepTokenKeyPair(input: $input) { keyPair { id certificatePem expiresAt } }
  }
`);

const UploadDepTokenDocument = graphql(`
  mutation UploadDepToken($input: UploadDepTokenInput!) {
    uploadDepToken(input: $input) { token { id name orgName serverName expiresAt status } }
  }
`);

const ResumedKeyPairDocument = graphql(`
  query ResumedKeyPair($id: ID!) {
    node(id: $id) {
      __typename
      ... on DepTokenKeyPair { id certificatePem expiresAt usedAt }
    }
  }
`);

export const LEAVE_WARNING = 'If you leave now, the key pair is abandoned: the public key must be downloaded again (and the token issued for it).';

const STEPS = ['Consent', 'Public key', 'Upload', 'Done'];

export function AddTokenPage() {
  const [step, setStep] = useState(0);
  const [agreed, setAgreed] = useState(false);
  const [downloaded, setDownloaded] = useState(false);
  const [keyPair, setKeyPair] = useState<{ id: string; certificatePem: string; expiresAt: string } | null>(null);
  const [token, setToken] = useState<UploadDepTokenMutation['uploadDepToken']['token'] | null>(null);
  const [created, createKeyPair] = useMutation(CreateKeyPairDocument);
  const resumeId = new URLSearchParams(useSearch()).get('keyPair');
  const [resumedQuery] = useQuery({ query: ResumedKeyPairDocument, variables: { id: resumeId ?? '' }, pause: !resumeId, requestPolicy: 'network-only' });
  const found = resumedQuery.data?.node?.__typename === 'DepTokenKeyPair' ? resumedQuery.data.node : null;
  // The link's key pair while it can still take a token: not used for one yet, not expired.
  const resumable = found && !found.usedAt && new Date(found.expiresAt).getTime() > Date.now() ? found : null;
  const resumeRefused = resumeId !== null && !!resumedQuery.data && !resumable;
  const resumed = resumable !== null && keyPair?.id === resumable.id;
  const pending = keyPair !== null && token === null;

  useEffect(() => {
    if (!resumable) return;
    setKeyPair((current) => current ?? resumable);
    setStep((current) => (current === 0 ? 2 : current));
  }, [resumable]);

  useEffect(() => {
    // A resumed key pair stays reachable through this page's address: nothing to lose by leaving.
    if (!pending || resumed) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = LEAVE_WARNING;
    };
    // Links inside the console (the header's too) navigate without unloading: ask before those.
    const confirmLeave = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (link && !link.hasAttribute('download') && !link.closest('.wizard .notice') && !window.confirm(LEAVE_WARNING)) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', confirmLeave, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', confirmLeave, true);
    };
  }, [pending, resumed]);

  const consent = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createKeyPair({ input: { dataSharingConsent: agreed } });
    if (result.data) {
      setKeyPair(result.data.createDepTokenKeyPair.keyPair);
      setStep(1);
    }
  };

  if (resumeId && !resumedQuery.data && !resumedQuery.error) return <p className="loading">Loading…</p>;
  return (
    <section aria-labelledby="add-token-heading" className="wizard">
      <h1 id="add-token-heading">Add token</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((label, i) => (
          <li key={label} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
            {i + 1}. {label}
          </li>
        ))}
      </ol>
      {resumeRefused && (
        <p role="alert" className="error">
          The key pair of this link cannot be used any more (it was used for a token already, it expired, or it does not exist). Start over below: the
          new public key must then be uploaded to the MDM server in Apple Business Manager.
        </p>
      )}
      {resumeId && resumedQuery.error && <p role="alert" className="error">{errorMessage(resumedQuery.error)}</p>}
      {pending && resumed && (
        <p className="notice" role="note">
          Key pair pending: usable until <Expiry at={keyPair.expiresAt} />. The MDM server created at Apple already has its public key; this page's
          address keeps the key pair, so you can come back to it once the token is downloaded.
        </p>
      )}
      {pending && !resumed && (
        <p className="notice" role="note">
          Key pair pending: usable until <Expiry at={keyPair.expiresAt} />. {LEAVE_WARNING}{' '}
          <Link href="/tokens" onClick={(e) => !window.confirm(LEAVE_WARNING) && e.preventDefault()}>
            Cancel
          </Link>
        </p>
      )}

      {step === 0 && (
        <form onSubmit={consent}>
          <p>
            depgate's public key goes to Apple Business Manager, which issues a server token for it. Apple receives the user and device data that
            enrollment needs.
          </p>
          <label className="check">
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />I agree to send user and device data to Apple
          </label>
          {created.error && <p role="alert" className="error">{errorMessage(created.error)}</p>}
          <button type="submit" disabled={!agreed || created.fetching}>
            Continue
          </button>
        </form>
      )}

      {step === 1 && keyPair && (
        <div>
          <p>
            Download the public key and upload it in Apple Business Manager (Preferences → your MDM server → Upload public key), then download the
            server token (.p7m) it issues.
          </p>
          <button
            type="button"
            onClick={() => {
              downloadText('depgate-public-key.pem', keyPair.certificatePem);
              setDownloaded(true);
            }}
          >
            Download public key
          </button>{' '}
          <button type="button" className="secondary" disabled={!downloaded} onClick={() => setStep(2)}>
            Continue
          </button>
        </div>
      )}

      {step === 2 && keyPair && resumed && (
        <p>
          In Apple Business Manager, open Preferences, choose the MDM server created with this key pair and click Download Token: the server token (.p7m)
          is the one file Apple's API does not hand out. Upload it here.
        </p>
      )}
      {step === 2 && keyPair && (
        <UploadStep
          keyPairId={keyPair.id}
          onUploaded={(t) => {
            setToken(t);
            setStep(3);
          }}
        />
      )}

      {step === 3 && token && (
        <div role="status">
          <h2>Token added</h2>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{token.name}</dd>
            <dt>Organisation</dt>
            <dd>{token.orgName ?? '—'}</dd>
            <dt>MDM server</dt>
            <dd>{token.serverName ?? '—'}</dd>
            <dt>Expires</dt>
            <dd>{formatDateTime(token.expiresAt)}</dd>
          </dl>
          <p>The first sync has started.</p>
          <Link href={tokenPath(token.id)}>Open {token.name}</Link>
        </div>
      )}
    </section>
  );
}

function UploadStep({ keyPairId, onUploaded }: { keyPairId: string; onUploaded: (token: UploadDepTokenMutation['uploadDepToken']['token']) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [appleId, setAppleId] = useState('');
  const [name, setName] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [uploaded, upload] = useMutation(UploadDepTokenDocument);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const tokenFile = await readTokenFile(file);
    const result = await upload({ input: { keyPairId, tokenFile, appleId: appleId.trim(), name: name.trim() || null, scopeTagIds: tags.length ? tags : null } });
    if (result.data) onUploaded(result.data.uploadDepToken.token);
  };
  return (
    <form onSubmit={submit} className="form-grid">
      <label htmlFor="token-file">Token file</label>
      <input id="token-file" type="file" accept=".p7m,.json,application/pkcs7-mime" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
      <label htmlFor="apple-id">Apple ID</label>
      <input id="apple-id" type="email" value={appleId} maxLength={320} onChange={(e) => setAppleId(e.target.value)} required aria-describedby="apple-id-hint" />
      <small id="apple-id-hint">The Apple ID that created the token in Apple Business Manager: renewing asks for it again.</small>
      <label htmlFor="token-name">Name</label>
      <input id="token-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="defaults to the MDM server's name" />
      <ScopeTagPicker value={tags} onChange={setTags} />
      {uploaded.error && <p role="alert" className="error">{errorMessage(uploaded.error)}</p>}
      <button type="submit" disabled={uploaded.fetching || !file}>
        Upload token
      </button>
    </form>
  );
}
