/**
 * An answer of the SQL endpoint that is not a result: ClickHouse's error text and code, so BI
 * clients show it as they would a server's (`Code: 497. DB::Exception: …. (ACCESS_DENIED)`),
 * with an HTTP status that says whose fault it is (4xx: the query or the credentials; 503: retry).
 */
export class SqlError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get body(): string {
    return `Code: ${this.code}. DB::Exception: ${this.message}. (${this.codeName})\n`;
  }
}

export const accessDenied = (message: string) => new SqlError(403, 497, 'ACCESS_DENIED', message);
export const readonlyRefused = (message: string) => new SqlError(403, 164, 'READONLY', message);
export const authenticationFailed = (message: string) => new SqlError(401, 516, 'AUTHENTICATION_FAILED', message);
export const badRequest = (message: string) => new SqlError(400, 62, 'SYNTAX_ERROR', message);
export const unknownFormat = (format: string) =>
  new SqlError(400, 73, 'UNKNOWN_FORMAT', `Unknown or refused output format ${format}; use one of docs/bi.md's formats`);

/** ClickHouse's own error text `Code: N. DB::Exception: … (NAME)` split into its parts. */
export function parseEngineError(error: unknown): { code: number; codeName: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  const text = error.message.replace(/^Query failed: /, '');
  const inner = /DB::Exception: ([\s\S]*?)\.? \(([A-Z_]+)\)(?: \(version [^)]*\))?\.?\s*$/.exec(text);
  const numeric = typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : Number(/Code: (\d+)/.exec(text)?.[1] ?? NaN);
  if (Number.isNaN(numeric)) return undefined;
  const name = typeof type === 'string' && type ? type : (inner?.[2] ?? 'UNKNOWN');
  return { code: numeric, codeName: name, message: (inner?.[1] ?? text).replace(/^(Code: \d+\. DB::Exception: )+/, '') };
}

/** ClickHouse's UNKNOWN_TABLE, whose "Maybe you meant …" points at tables a BI user may not read. */
const UNKNOWN_TABLE = 60;

/**
 * The engine's message as the caller should read it: an unknown table's hint ("Maybe you meant
 * runstream.runs?") names a base table the endpoint refuses, so it is replaced by the views.
 */
export function callerMessage(engine: { code: number; message: string }, views: readonly string[]): string {
  if (engine.code !== UNKNOWN_TABLE) return engine.message;
  const withoutHint = engine.message.replace(/\s*Maybe you meant [^?]*\?/g, '').replace(/\.$/, '');
  return `${withoutHint}. Query one of your views, without a database: ${views.join(', ')} (docs/bi.md)`;
}
