/** The signed-in user token and its organisation, for this browser tab only (sessionStorage). */
export interface Session {
  token: string;
  orgId: string;
}

const KEY = 'runstream.session';

export function loadSession(): Session | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    return value?.token && value.orgId ? { token: value.token, orgId: value.orgId } : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
