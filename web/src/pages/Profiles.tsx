// Enrollment profiles: listed per token (with device counts and the default), the create wizard,
// edit, delete and set as default.
import { useMutation, useQuery } from 'urql';
import { Link, Route, Switch, useLocation } from 'wouter';
import { graphql } from '../gql';
import { errorMessage } from '../errors';
import { useCan } from '../viewer';
import { EMPTY_PROFILE, ProfileForm, type ProfileValues } from './ProfileForm';

const ProfilesDocument = graphql(`
  query Profiles {
    depTokens(first: 50) {
      edges {
        node {
          id name
          profiles(first: 100) {
            edges { node { id name description isDefault supervised lockedEnrollment userAffinity deviceCount warnings { message } } }
          }
        }
      }
    }
  }
`);

const ProfileDocument = graphql(`
  query Profile($id: ID!) {
    node(id: $id) {
      __typename
      ... on EnrollmentProfile {
        id name description userAffinity authenticationMethod installCompanyPortal companyPortalVppTokenId singleAppModeUntilAuthentication
        supervised lockedEnrollment syncWithComputers awaitFinalConfiguration deviceNameTemplate departmentName departmentPhone hiddenSetupPanes
        isDefault deviceCount appleProfileUuid warnings { field message }
        token { id name }
      }
    }
  }
`);

const DeleteProfileDocument = graphql(`
  mutation DeleteEnrollmentProfile($input: DeleteEnrollmentProfileInput!) {
    deleteEnrollmentProfile(input: $input) { deletedEnrollmentProfileId }
  }
`);

const SetDefaultProfileDocument = graphql(`
  mutation SetDefaultEnrollmentProfile($input: SetDefaultEnrollmentProfileInput!) {
    setDefaultEnrollmentProfile(input: $input) { token { id defaultProfile { id name } } }
  }
`);

export function ProfilesPage() {
  return (
    <Switch>
      <Route path="/" component={ProfileList} />
      <Route path="/new">
        <h1>Create profile</h1>
        <ProfileForm initial={EMPTY_PROFILE} />
      </Route>
      <Route path="/:id">{(params) => <ProfileEdit id={decodeURIComponent(params.id)} />}</Route>
    </Switch>
  );
}

function ProfileList() {
  const mayManage = useCan('OPERATOR');
  const [{ data, error }] = useQuery({ query: ProfilesDocument, requestPolicy: 'cache-and-network' });
  const rows = data?.depTokens.edges.flatMap(({ node: token }) => token.profiles.edges.map(({ node }) => ({ ...node, token }))) ?? [];
  return (
    <section aria-labelledby="profiles-heading">
      <div className="page-head">
        <h1 id="profiles-heading">Profiles</h1>
        {mayManage && (
          <Link href="/new" className="button" role="button">
            Create profile
          </Link>
        )}
      </div>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      <div className="table-wrap">
        <table aria-label="Enrollment profiles">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">User affinity</th>
              <th scope="col">Supervised / locked</th>
              <th scope="col">Devices</th>
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link href={`/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                  {p.warnings.length > 0 && <div className="small">{p.warnings.map((w) => w.message).join(' ')}</div>}
                </th>
                <td>{p.token.name}</td>
                <td>{p.userAffinity === 'WITH_USER' ? 'With user' : 'Without user'}</td>
                <td>
                  {p.supervised ? 'Supervised' : 'Not supervised'} / {p.lockedEnrollment ? 'locked' : 'not locked'}
                </td>
                <td className="num">{p.deviceCount}</td>
                <td>{p.isDefault ? 'Default' : ''}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6}>No profiles yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ProfileEdit({ id }: { id: string }) {
  const mayManage = useCan('OPERATOR');
  const [, navigate] = useLocation();
  const [{ data, error }, refetch] = useQuery({ query: ProfileDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [deleted, remove] = useMutation(DeleteProfileDocument);
  const [defaulted, setDefault] = useMutation(SetDefaultProfileDocument);
  if (error) return <p role="alert" className="error">{errorMessage(error)}</p>;
  if (!data) return <p className="loading">Loading…</p>;
  const p = data.node?.__typename === 'EnrollmentProfile' ? data.node : null;
  if (!p) return <p role="alert">No such profile (or this key may not see it).</p>;
  const initial: ProfileValues = {
    ...EMPTY_PROFILE,
    tokenId: p.token.id,
    name: p.name,
    description: p.description ?? '',
    userAffinity: p.userAffinity,
    authenticationMethod: p.authenticationMethod ?? 'SETUP_ASSISTANT',
    installCompanyPortal: p.installCompanyPortal,
    companyPortalVppTokenId: p.companyPortalVppTokenId ?? '',
    singleAppModeUntilAuthentication: p.singleAppModeUntilAuthentication,
    supervised: p.supervised,
    lockedEnrollment: p.lockedEnrollment,
    syncWithComputers: p.syncWithComputers,
    awaitFinalConfiguration: p.awaitFinalConfiguration,
    deviceNameTemplate: p.deviceNameTemplate ?? '',
    departmentName: p.departmentName ?? '',
    departmentPhone: p.departmentPhone ?? '',
    hiddenSetupPanes: p.hiddenSetupPanes,
  };
  return (
    <section aria-labelledby="profile-heading">
      <div className="page-head">
        <h1 id="profile-heading">{p.name}</h1>
        {p.isDefault && <span className="badge badge-active">Default for {p.token.name}</span>}
      </div>
      <p>
        Token {p.token.name} · {p.deviceCount} devices{p.appleProfileUuid && ` · Apple profile ${p.appleProfileUuid}`}
      </p>
      {p.warnings.map((w) => (
        <p key={w.message} className="notice">
          {w.message}
        </p>
      ))}
      {mayManage && (
        <div className="toolbar">
          <button type="button" className="secondary" disabled={p.isDefault || defaulted.fetching} onClick={async () => (await setDefault({ input: { tokenId: p.token.id, profileId: p.id } })).data && refetch({ requestPolicy: 'network-only' })}>
            Set as default
          </button>
          <button
            type="button"
            className="secondary"
            disabled={deleted.fetching}
            onClick={async () => {
              if (!window.confirm(`Delete the profile ${p.name}?`)) return;
              const result = await remove({ input: { profileId: p.id } });
              if (result.data) navigate('/');
            }}
          >
            Delete
          </button>
          {(deleted.error || defaulted.error) && <span role="alert" className="error">{errorMessage(deleted.error ?? defaulted.error)}</span>}
        </div>
      )}
      {mayManage ? <ProfileForm key={p.id} profileId={p.id} initial={initial} onSaved={() => refetch({ requestPolicy: 'network-only' })} /> : null}
    </section>
  );
}
