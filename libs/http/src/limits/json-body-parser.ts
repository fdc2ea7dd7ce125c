import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BodyShapeLimits } from '../body-shape';
import { badRequest } from '../errors/fastify-errors';
import type { JsonParseResult, JsonParseTask } from './json-parse.worker';
import { OffLoopWorker, OffLoopWorkerOptions, workerScript } from './off-loop-worker';

export interface JsonBodyOptions {
  /** Bodies of at least this many bytes are parsed on the worker thread; 0 parses every body on the event loop. */
  workerMinBytes: number;
  /** The app's body shape, checked on the worker before a large body crosses back. */
  shape: BodyShapeLimits;
  /** Large bodies waiting for the worker at once (each at most the body limit) before 503. */
  maxQueued?: number;
  metrics?: OffLoopWorkerOptions['metrics'];
}

/** Below this a body parses in well under a millisecond: less than a round trip to the worker. */
export const DEFAULT_JSON_WORKER_MIN_BYTES = 64 * 1024;
const DEFAULT_MAX_QUEUED_BODIES = 64;

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Fastify's JSON content-type parser, with one change: a body of workerMinBytes or more is parsed
 * and shape-checked on a worker thread. Parsing ~1 MiB of JSON (or refusing 500,000 nested
 * brackets) takes tens of milliseconds, which on the event loop every other request waits out.
 * Answers are the same either way: 400 naming the field, invalid JSON as Fastify says it.
 */
export class JsonBodyParser {
  private readonly worker: OffLoopWorker<JsonParseTask, JsonParseResult>;

  constructor(
    private readonly options: JsonBodyOptions,
    private readonly parseInline: (request: FastifyRequest, body: string, done: Done) => void,
  ) {
    this.worker = new OffLoopWorker(workerScript(__dirname, 'json-parse.worker'), {
      name: 'json',
      maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED_BODIES,
      waiting: 'large bodies',
      metrics: options.metrics,
    });
  }

  /** Replaces `fastify`'s application/json parser; the worker stops when the app closes. */
  install(fastify: FastifyInstance): void {
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => this.parse(request, body as string, done));
    fastify.addHook('onClose', () => this.close());
  }

  /** Stops the worker thread, if one runs. */
  close(): Promise<void> {
    return this.worker.close();
  }

  /** A Fastify content-type parser (parseAs: 'string'). */
  parse(request: FastifyRequest, body: string, done: Done): void {
    // An empty JSON body is no body: routes whose body is optional should not refuse one (curl -X POST sends it).
    if (body === '') return done(null, undefined);
    const { workerMinBytes, shape } = this.options;
    // length counts UTF-16 units, never more than the UTF-8 bytes: byteLength only for the rest.
    if (workerMinBytes === 0 || (body.length < workerMinBytes && Buffer.byteLength(body) < workerMinBytes)) return this.parseInline(request, body, done);
    this.worker.run({ text: body, shape }).then(
      (result) => {
        if ('value' in result) done(null, result.value);
        else if ('problem' in result) done(badRequest(result.problem.field, result.problem.reason));
        else done(badRequest('body', 'is not valid JSON'));
      },
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
