/** The body every Runstream error carries: `{ statusCode, error, message, … }`. */
export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  code?: string;
  errors?: { field: string; reasons: string[] }[];
  [key: string]: unknown;
}

/** An answer that is not 2xx. `retryAfterSeconds` is the server's Retry-After, when it sent one. */
export class RunstreamError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${body.error ?? ''}: ${Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? '')}`.trim());
    this.name = new.target.name;
  }

  /**
   * True for answers worth retrying as they are (after Retry-After): 429 and 503, and a proxy's 502 and 504
   * (a server restarting behind it), which are a network failure's equal: the write's idempotency key makes a retry safe.
   */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503 || this.status === 502 || this.status === 504;
  }
}

/** 400: a parameter or field is malformed; `body.errors` names each. Fix the request. */
export class BadRequestError extends RunstreamError {}
/** 401: no, malformed, unknown or revoked token. */
export class UnauthorizedError extends RunstreamError {}
/** 403: the token is of the wrong kind for the route, or of another organisation. */
export class ForbiddenError extends RunstreamError {}
/** 404: not there, or another organisation's. */
export class NotFoundError extends RunstreamError {}
/** 409: a terminal run's status cannot change, or a claim was lost. Read the run; do not retry. */
export class ConflictError extends RunstreamError {}
/** 410: a change-feed cursor that cannot be honoured; restart the feed without a cursor. */
export class GoneError extends RunstreamError {}
/** 413: the body is too large; `body.errors[0].field` names the largest field. Split it. */
export class PayloadTooLargeError extends RunstreamError {}
/** 429: the token's budget is spent; retried after Retry-After by the client. */
export class RateLimitedError extends RunstreamError {}
/** 503: overloaded or in doubt; retried (with the same Idempotency-Key) after Retry-After. */
export class UnavailableError extends RunstreamError {}

const BY_STATUS: Record<number, new (status: number, body: ErrorBody, retryAfterSeconds?: number) => RunstreamError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  410: GoneError,
  413: PayloadTooLargeError,
  429: RateLimitedError,
  503: UnavailableError,
};

/** Retry-After in seconds (a number or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function errorFor(status: number, body: unknown, retryAfter: string | null): RunstreamError {
  const parsed: ErrorBody = typeof body === 'object' && body !== null ? (body as ErrorBody) : { message: typeof body === 'string' ? body : undefined };
  const ErrorClass = BY_STATUS[status] ?? RunstreamError;
  return new ErrorClass(status, parsed, retryAfterSeconds(retryAfter));
}
