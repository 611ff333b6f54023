// The console: signed out, the sign-in form; signed in, the header (role, scope, alerts badge,
// Sign out), the navigation and the pages (client-side routes; depgate serves index.html for them).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { Link, Route, Switch, useLocation } from 'wouter';
import { CONSOLE_PAGES, consolePageOf } from '../../src/http/console-pages';
import { createApiClient } from './client';
import { graphql } from './gql';
import { session } from './session';
import { ViewerContext, type Viewer } from './viewer';
import { SignIn } from './pages/SignIn';
import { TokensPage } from './pages/Tokens';
import { AddTokenPage } from './pages/AddToken';
import { TokenPage } from './pages/Token';
import { AlertsBadge, AlertsPage, AlertsProvider } from './pages/Alerts';
import { VppTokensPage } from './pages/VppTokens';
import { DevicesPage } from './pages/Devices';
import { ProfilesPage } from './pages/Profiles';
import { OverviewPage } from './pages/Overview';
import { AppleBusinessPage } from './pages/AppleBusiness';
import { AppleBusinessAccountPage } from './pages/AppleBusinessAccount';

export const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      role
      unrestricted
      apiKey { id name scopeTags { id name } }
    }
  }
`);

export function App() {
  const [apiKey, setApiKey] = useState(session.key);
  const api = useMemo(() => (apiKey ? createApiClient(apiKey) : null), [apiKey]);
  useEffect(() => () => api?.dispose(), [api]);
  const signOut = useCallback(() => {
    session.signOut();
    setApiKey(null);
  }, []);

  if (!api) {
    return (
      <SignIn
        onSignIn={(key) => {
          session.signIn(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <Provider value={api.client}>
      <SignedIn signOut={signOut} />
    </Provider>
  );
}

function SignedIn({ signOut }: { signOut: () => void }) {
  const [{ data, error, fetching }] = useQuery({ query: ViewerDocument });
  useEffect(() => {
    // A key the API refuses (revoked, mistyped) signs out with the reason shown on the form.
    if (error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      session.refused(error.graphQLErrors[0].message);
      signOut();
    }
  }, [error, signOut]);
  if (fetching && !data) return <p className="loading">Signing in…</p>;
  if (!data) return <p role="alert">{error?.message ?? 'Could not sign in'}</p>;
  return (
    <ViewerContext.Provider value={data.viewer}>
      <Shell viewer={data.viewer} signOut={signOut} />
    </ViewerContext.Provider>
  );
}

function Shell({ viewer, signOut }: { viewer: Viewer; signOut: () => void }) {
  const [location] = useLocation();
  const current = consolePageOf(location);
  const scope = viewer.unrestricted ? 'all tokens' : viewer.apiKey.scopeTags.map((t) => t.name).join(', ') || 'no scope tags';
  return (
    <AlertsProvider>
    <div className="shell">
      <header className="top">
        <span className="brand">depgate</span>
        <nav aria-label="Main">
          {CONSOLE_PAGES.map(({ path, label }) => (
            <span key={path}>
              <Link href={path} aria-current={current?.path === path ? 'page' : undefined}>
                {label}
              </Link>
              {path === '/alerts' && <AlertsBadge />}
            </span>
          ))}
        </nav>
        <div className="who">
          <span>
            Signed in as <strong>{viewer.apiKey.name}</strong> · role <strong data-testid="role">{viewer.role}</strong> · scope <strong data-testid="scope">{scope}</strong>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {/* The top-level paths are CONSOLE_PAGES' (the server serves the page only under those). */}
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/tokens" component={TokensPage} />
          <Route path="/tokens/new" component={AddTokenPage} />
          <Route path="/tokens/:id">{(params) => <TokenPage id={decodeURIComponent(params.id)} />}</Route>
          <Route path="/devices" component={DevicesPage} />
          <Route path="/profiles" nest component={ProfilesPage} />
          <Route path="/vpp-tokens" component={VppTokensPage} />
          <Route path="/apple-business" component={AppleBusinessPage} />
          <Route path="/apple-business/:id">{(params) => <AppleBusinessAccountPage key={params.id} id={decodeURIComponent(params.id)} />}</Route>
          <Route path="/alerts" component={AlertsPage} />
          <Route>
            <h1>Not found</h1>
            <p>
              Nothing here. <Link href="/">Back to the overview</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </div>
    </AlertsProvider>
  );
}
