import { clearSession, loadSession, Session } from './session';

/** An answer other than 2xx, with the API's message (`{ statusCode, error, message }`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds, from the answer's Retry-After (429 and 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Retry-After in seconds (the API sends the seconds form); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null): number | undefined {
  const seconds = header === null || header.trim() === '' ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Fired when the API answers 401: the app goes back to sign-in. */
export const UNAUTHORIZED_EVENT = 'runstream:unauthorized';

type Query = Record<string, string | number | boolean | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Same-origin calls to the read API and (through the query app's proxy) the Jobs API, with the
 * session's token and organisation; the organisation header makes the server check it.
 */
/** The session's token, and its organisation (which makes the server check it). */
export function sessionHeaders(session: Session | undefined = loadSession()): Record<string, string> {
  return session ? { authorization: `Bearer ${session.token}`, 'x-organization-id': session.orgId } : {};
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; session?: Session } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...sessionHeaders(init.session ?? loadSession()) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection; this page retries on its own.');
  }
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return body as T;
  if (response.status === 401 && !init.session) {
    clearSession();
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  }
  const message = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : response.statusText;
  throw new ApiError(response.status, message || `HTTP ${response.status}`, retryAfterSeconds(response.headers.get('retry-after')));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
