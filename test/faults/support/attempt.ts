/** What one HTTP attempt of a write ended with, as far as the client can know. */
export type AttemptOutcome =
  /** The server answered: the write landed (2xx) or the status says why not (or maybe, for 5xx). */
  | { kind: 'answered'; status: number; body: unknown; retryAfterMs?: number }
  /** Connection refused: the request never reached a server, so it cannot have landed. */
  | { kind: 'refused'; error: string }
  /** Sent (or maybe sent) and no answer came: reset, hang-up, client timeout. Outcome unknown. */
  | { kind: 'unanswered'; error: string };

/** Errors and their causes; not by instanceof, which fails across jest's module realms. */
function causes(error: unknown): { name?: unknown; code?: unknown; message?: unknown }[] {
  const chain: { name?: unknown; code?: unknown; message?: unknown }[] = [];
  for (let current = error; current !== null && typeof current === 'object' && chain.length < 5; current = (current as { cause?: unknown }).cause) {
    chain.push(current as { name?: unknown; code?: unknown; message?: unknown });
  }
  return chain;
}

function errorCode(error: unknown): string | undefined {
  const code = causes(error).find((e) => typeof e.code === 'string')?.code;
  return code as string | undefined;
}

/** e.g. "TypeError: fetch failed / ECONNRESET: read ECONNRESET", short enough to tally. */
function describeError(error: unknown): string {
  return causes(error)
    .map((e) => `${String(e.code ?? e.name ?? 'Error')}: ${String(e.message ?? '').slice(0, 60)}`)
    .join(' / ');
}

/** Retry-After in seconds (the only form the apps send) as milliseconds. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** One attempt of a JSON request; never throws, it classifies instead. */
export async function attempt(method: string, url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<AttemptOutcome> {
  try {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A 2xx is only an answer once its body is in: the create's run id is in it.
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Non-JSON bodies (a proxy's error page) stay text; the status decides.
    }
    return { kind: 'answered', status: response.status, body: parsed, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
  } catch (error) {
    return errorCode(error) === 'ECONNREFUSED' ? { kind: 'refused', error: describeError(error) } : { kind: 'unanswered', error: describeError(error) };
  }
}
