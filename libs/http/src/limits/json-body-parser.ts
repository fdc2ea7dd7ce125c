import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Piscina from 'piscina';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BodyShapeLimits } from '../body-shape';
import { badRequest } from '../errors/fastify-errors';
import { serviceUnavailable } from '../errors/retry-later.exception';
import type { JsonParseResult, JsonParseTask } from './json-parse.worker';

export interface JsonBodyOptions {
  /** Bodies of at least this many bytes are parsed on the worker thread; 0 parses every body on the event loop. */
  workerMinBytes: number;
  /** The app's body shape, checked on the worker before a large body crosses back. */
  shape: BodyShapeLimits;
  /** Large bodies waiting for the worker at once (each at most the body limit) before 503. */
  maxQueued?: number;
}

/** Below this a body parses in well under a millisecond: less than a round trip to the worker. */
export const DEFAULT_JSON_WORKER_MIN_BYTES = 64 * 1024;
const DEFAULT_MAX_QUEUED_BODIES = 64;
/** The worker exits after this long without a large body, so an app that never gets one holds no thread. */
const WORKER_IDLE_MS = 60_000;
const QUEUE_FULL_RETRY_AFTER_SECONDS = 1;

/**
 * The compiled worker beside this file; from the TypeScript sources (tests run them through swc)
 * the build's copy, which the integration tier's global setup builds first.
 */
export function jsonWorkerScript(from: string = __dirname): string {
  const compiled = join(from, 'json-parse.worker.js');
  return existsSync(compiled) ? compiled : join(from, '..', '..', '..', '..', 'dist', 'libs', 'http', 'src', 'limits', 'json-parse.worker.js');
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Fastify's JSON content-type parser, with one change: a body of workerMinBytes or more is parsed
 * and shape-checked on a worker thread. Parsing ~1 MiB of JSON (or refusing 500,000 nested
 * brackets) takes tens of milliseconds, which on the event loop every other request waits out.
 * Answers are the same either way: 400 naming the field, invalid JSON as Fastify says it.
 */
export class JsonBodyParser {
  private pool?: Piscina<JsonParseTask, JsonParseResult>;

  constructor(
    private readonly options: JsonBodyOptions,
    private readonly parseInline: (request: FastifyRequest, body: string, done: Done) => void,
  ) {}

  /** Replaces `fastify`'s application/json parser; the worker stops when the app closes. */
  install(fastify: FastifyInstance): void {
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => this.parse(request, body as string, done));
    fastify.addHook('onClose', () => this.close());
  }

  /** Stops the worker thread, if one runs. */
  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /** A Fastify content-type parser (parseAs: 'string'). */
  parse(request: FastifyRequest, body: string, done: Done): void {
    // An empty JSON body is no body: routes whose body is optional should not refuse one (curl -X POST sends it).
    if (body === '') return done(null, undefined);
    const { workerMinBytes, shape } = this.options;
    if (workerMinBytes === 0 || body.length < workerMinBytes) return this.parseInline(request, body, done);
    const pool = this.workers();
    if (pool.queueSize >= (this.options.maxQueued ?? DEFAULT_MAX_QUEUED_BODIES)) {
      return done(serviceUnavailable('too many large bodies are waiting to be parsed; retry shortly', QUEUE_FULL_RETRY_AFTER_SECONDS));
    }
    pool
      .run({ text: body, shape })
      .then((result) => {
        if ('value' in result) done(null, result.value);
        else if ('problem' in result) done(badRequest(result.problem.field, result.problem.reason));
        else done(badRequest('body', 'is not valid JSON'));
      })
      .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  }

  private workers(): Piscina<JsonParseTask, JsonParseResult> {
    // One thread: the point is the event loop's latency, not parsing throughput (~300 MB/s on one core).
    this.pool ??= new Piscina({ filename: jsonWorkerScript(), minThreads: 0, maxThreads: 1, idleTimeout: WORKER_IDLE_MS });
    return this.pool;
  }
}
