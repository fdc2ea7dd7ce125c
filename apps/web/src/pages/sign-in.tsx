import { FormEvent, useState } from 'react';
import { useLocation, useSearchParams } from 'wouter';
import { api, ApiError, withQuery } from '../api/client';
import { saveSession, Session } from '../api/session';

/**
 * Paste a user token once; it stays in this tab's session storage. The organisation is sent as
 * X-Organization-ID on every call, so the server confirms it belongs to the token (403 otherwise).
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [params] = useSearchParams();
  const [, navigate] = useLocation();
  const [token, setToken] = useState('');
  const [orgId, setOrgId] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const session = { token: token.trim(), orgId: orgId.trim() };
    setBusy(true);
    setProblem(undefined);
    try {
      const to = Date.now();
      await api(withQuery('/v1/executions/stats', { from: to - 3_600_000, to, granularity: 'hourly' }), { session });
      saveSession(session);
      onSignedIn(session);
      navigate(next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/', { replace: true });
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      setProblem(
        status === 401
          ? 'This token is not valid (revoked, mistyped, or not a user token).'
          : status === 403
            ? 'This token does not belong to that organisation, or is not a user token.'
            : error instanceof Error
              ? error.message
              : String(error),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Runstream</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <h2>Sign in</h2>
        {params.get('expired') && <p className="notice">Your token was refused; sign in again.</p>}
        <p id="sign-in-help">
          Paste a user token (<code>rst_…</code>, from <code>npm run tokens</code> or your administrator). It is kept in this browser tab only.
        </p>
        <label htmlFor="org">Organisation ID</label>
        <input id="org" name="org" value={orgId} onChange={(event) => setOrgId(event.target.value)} required autoComplete="organization" />
        <label htmlFor="token">User token</label>
        <input
          id="token"
          name="token"
          type="password"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          required
          autoComplete="off"
          spellCheck={false}
        />
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
