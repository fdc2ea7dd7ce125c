import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { UNAUTHORIZED_EVENT } from './api/client';
import { clearSession, loadSession, Session } from './api/session';
import { ProjectPicker } from './components/project-picker';
import { HealthPage } from './pages/health';
import { HomePage } from './pages/home';
import { JobsPage } from './pages/jobs';
import { NotFoundPage } from './pages/not-found';
import { RunDetailPage } from './pages/run-detail';
import { RunsPage } from './pages/runs';
import { SignInPage } from './pages/sign-in';
import { routeParam } from './lib/route-param';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [location, navigate] = useLocation();
  const client = useQueryClient();

  useEffect(() => {
    // Any 401: the token is gone or revoked; back to sign-in, then here again.
    const onUnauthorized = () => {
      setSession(undefined);
      client.clear();
      // Several calls fail at once; the first one decides where to come back to.
      if (window.location.pathname === '/sign-in') return;
      navigate(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}&expired=1`);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [client, navigate]);

  if (location === '/sign-in') return <SignInPage onSignedIn={setSession} />;
  if (!session) return <Redirect to={`/sign-in?next=${encodeURIComponent(location + window.location.search)}`} replace />;

  const signOut = () => {
    clearSession();
    client.clear();
    setSession(undefined);
    navigate('/sign-in');
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Runstream
        </Link>
        <ProjectPicker />
        <nav aria-label="Organisation">
          <Link href="/jobs" className={(active) => (active ? 'active' : '')}>
            Running now
          </Link>
        </nav>
        <div className="who">
          <span title="Organisation of your token">
            Organisation <strong data-testid="org">{session.orgId}</strong>
          </span>
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={HomePage} />
          <Route path="/jobs" component={() => <JobsPage />} />
          <Route path="/projects/:project/runs" component={RunsPage} />
          <Route path="/projects/:project/health" component={HealthPage} />
          <Route path="/projects/:project/jobs" component={({ params }) => <JobsPage project={routeParam(params.project)} />} />
          <Route path="/projects/:project">{(params) => <Redirect to={`/projects/${params.project}/runs`} replace />}</Route>
          <Route path="/runs/:runId" component={RunDetailPage} />
          <Route component={NotFoundPage} />
        </Switch>
      </main>
    </>
  );
}
