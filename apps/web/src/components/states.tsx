import { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** What went wrong and what to do, from the API's status (docs/limits-and-errors.md). */
export function ErrorState({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const advice =
    status === 404
      ? 'It does not exist, or belongs to another organisation.'
      : status === 403
        ? 'Your token does not give access to this organisation.'
        : status === 429 || status === 503
          ? `The server is busy; try again${error instanceof ApiError && error.retryAfter ? ` in ${error.retryAfter} s` : ''}.`
          : status === 400 || status === 422
            ? 'Narrow the filters or the time range.'
            : 'Try again in a moment.';
  return (
    <div className="state error" role="alert">
      <h3>Could not load {what}</h3>
      <p>
        {status ? `HTTP ${status}: ` : ''}
        {message}
      </p>
      <p>{advice}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}
