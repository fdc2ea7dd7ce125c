import { ClickHouseError } from '@clickhouse/client';

/**
 * How an HTTP app answers a failed ClickHouse call (docs/read-api.md, "Limits"): the shape of
 * @runstream/http's DependencyFailure, which every app's exception filter answers.
 */
export interface ClickHouseFailure {
  status: 422 | 503;
  /** Present on 503s. */
  retryAfterSeconds?: number;
  message: string;
}

/** Seconds to wait after a statement hit a resource limit or ClickHouse was unreachable. */
export const LIMIT_RETRY_AFTER_SECONDS = 5;

const BUSY = 'retry shortly; if it keeps happening, narrow the time range or filters';
const NARROW = 'narrow the time range or filters';

/** ClickHouse error codes (src/Common/ErrorCodes.cpp) the read API answers deliberately. */
const BY_CODE: Record<string, ClickHouseFailure> = {
  '159': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: `the query ran past its time limit; ${BUSY}` }, // TIMEOUT_EXCEEDED
  '160': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: `the query would run past its time limit; ${BUSY}` }, // TOO_SLOW
  '241': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: `the query ran past its memory limit; ${BUSY}` }, // MEMORY_LIMIT_EXCEEDED
  '202': { status: 503, retryAfterSeconds: 1, message: 'ClickHouse is running too many queries; retry shortly' }, // TOO_MANY_SIMULTANEOUS_QUERIES
  '394': { status: 503, retryAfterSeconds: 1, message: 'the query was cancelled; retry shortly' }, // QUERY_WAS_CANCELLED
  '209': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'ClickHouse did not answer in time; retry shortly' }, // SOCKET_TIMEOUT
  '210': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'ClickHouse is unreachable; retry shortly' }, // NETWORK_ERROR
  '279': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'no ClickHouse replica answered; retry shortly' }, // ALL_CONNECTION_TRIES_FAILED
  '203': { status: 503, retryAfterSeconds: 1, message: 'ClickHouse has no free connection; retry shortly' }, // NO_FREE_CONNECTION
  '242': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'a ClickHouse replica is read-only for now; retry shortly' }, // TABLE_IS_READ_ONLY
  '999': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'ClickHouse lost its coordination service for now; retry shortly' }, // KEEPER_EXCEPTION
  '225': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'ClickHouse lost its coordination service for now; retry shortly' }, // NO_ZOOKEEPER
  '439': { status: 503, retryAfterSeconds: 1, message: 'ClickHouse has no free thread for the query; retry shortly' }, // CANNOT_SCHEDULE_TASK
  '173': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: `ClickHouse could not allocate memory for the query; ${BUSY}` }, // CANNOT_ALLOCATE_MEMORY
  '236': { status: 503, retryAfterSeconds: 1, message: 'ClickHouse aborted the query (shutting down or cancelled); retry shortly' }, // ABORTED
  '285': { status: 503, retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS, message: 'too few ClickHouse replicas are live; retry shortly' }, // TOO_FEW_LIVE_REPLICAS
  '158': { status: 422, message: `the answer would exceed the row limit; ${NARROW}` }, // TOO_MANY_ROWS
  '307': { status: 422, message: `the answer would exceed the size limit; ${NARROW}` }, // TOO_MANY_BYTES
  '396': { status: 422, message: `the answer would exceed the row or size limit; ${NARROW}` }, // TOO_MANY_ROWS_OR_BYTES
};

/** Node socket errors of an unreachable ClickHouse server. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A ClickHouse error by its numeric code. chDB raises the ClickHouseError of its own
 * @clickhouse/client-common copy (same shape, another class), hence the shape check.
 */
export function clickHouseErrorCode(error: unknown): string | undefined {
  if (error instanceof ClickHouseError) return error.code;
  if (!(error instanceof Error)) return undefined;
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  return typeof code === 'string' && /^\d+$/.test(code) && typeof type === 'string' ? code : undefined;
}

/** The answer for a ClickHouse failure, or undefined when the error is something else (it then stays a 500 and is logged). */
export function classifyClickHouseFailure(error: unknown): ClickHouseFailure | undefined {
  const code = clickHouseErrorCode(error);
  if (code !== undefined) return BY_CODE[code];
  if (!(error instanceof Error)) return undefined;
  const errno = (error as Error & { code?: unknown }).code;
  if ((typeof errno === 'string' && UNREACHABLE.has(errno)) || error.message === 'Timeout error.') {
    // A socket error does not say whose socket: ClickHouse's, or another service the app calls (the Kubernetes API).
    return {
      status: 503,
      retryAfterSeconds: LIMIT_RETRY_AFTER_SECONDS,
      message: 'a service this API depends on is unreachable or did not answer in time; retry shortly',
    };
  }
  return undefined;
}
