import { bearerToken } from '@runstream/http';
import { authenticationFailed } from './sql-error';

export interface SqlCredentials {
  /** The organisation the client names as its user; absent for Bearer. */
  user?: string;
  token: string;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Credentials the way ClickHouse clients send them: HTTP Basic (user = organisation, password =
 * API token), `X-ClickHouse-User` / `X-ClickHouse-Key`, `user` / `password` URL parameters, or a
 * Bearer token (no user: the token names the organisation).
 */
export function credentialsOf(headers: Headers, url: { user?: string; password?: string }): SqlCredentials {
  const authorization = header(headers, 'authorization') ?? '';
  const bearer = bearerToken(authorization);
  if (bearer !== undefined) return { token: bearer };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw authenticationFailed('malformed Basic credentials: expected organisation:token');
    return { user: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
  }
  const key = header(headers, 'x-clickhouse-key') ?? url.password;
  if (key) return { user: header(headers, 'x-clickhouse-user') ?? url.user, token: key };
  throw authenticationFailed('no credentials: connect with user = your organisation id and password = an API token (docs/bi.md)');
}
