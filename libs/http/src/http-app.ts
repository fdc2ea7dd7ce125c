import { DynamicModule, HttpException, INestApplication, LogLevel, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AppMetrics,
  createAppLogger,
  instrumentHttp,
  LogFormat,
  logLevelsFrom,
  logRequests,
  ObservabilityModule,
  PinoNestLogger,
} from '@runstream/observability';
import type { FastifyHttpOptions, FastifyReply } from 'fastify';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { rejectRepeatedQueryParams } from './errors/repeated-query';
import { HardenedFastifyAdapter } from './errors/hardened-fastify-adapter';
import { fromFastifyError, handlerTimeoutException } from './errors/fastify-errors';
import { FailureClassifier, HttpExceptionFilter, sendHttpException } from './errors/http-exception.filter';
import { BodyShapeLimits, DEFAULT_BODY_SHAPE } from './body-shape';
import { bodyRefusal } from './limits/body-admission';
import { HandlerDeadline } from './limits/handler-deadline';
import { DEFAULT_JSON_WORKER_MIN_BYTES, JsonBodyParser } from './limits/json-body-parser';
import { DEFAULT_RATE_LIMIT, RateLimitOptions, RequestRateLimiter } from './limits/request-rate-limiter';
import { DEFAULT_TRUST_PROXY, trustsByNetwork } from './limits/http-limits.env';
import { createValidationPipe, FastValidators } from './validation';

export interface HttpTimeoutOptions {
  /** A request not answered within this many ms is answered 503 with Retry-After (its handler's late result is dropped). */
  handlerMs: number;
  /** Headers and body must have arrived within this many ms (slow clients, slowloris), else 408. */
  receiveMs: number;
}

export interface HttpAppOptions {
  /** The app's metrics: HTTP latencies and GET /metrics, injectable (with ClickHouse statement timing) in every module. */
  metrics?: AppMetrics;
  /** `json` (the default): pino lines with request and organisation ids, named `app`; `text`: Nest's console lines. */
  logFormat?: LogFormat;
  bodyLimitBytes?: number;
  logLevels?: LogLevel[];
  /** Close on SIGTERM/SIGINT. Off when several apps share a process that orders their shutdown. */
  shutdownHooks?: boolean;
  /** Per-token and per-IP request budgets (429 when spent); see RequestRateLimiter. */
  rateLimit?: Partial<RateLimitOptions>;
  timeouts?: Partial<HttpTimeoutOptions>;
  /** JSON bodies of at least this many bytes are parsed and shape-checked on a worker thread; 0: all on the event loop. */
  jsonWorkerMinBytes?: number;
  /** Whose X-Forwarded-For names the client (Fastify's trustProxy; HTTP_TRUST_PROXY): default, proxies on private networks. */
  trustProxy?: boolean | number | string[];
  /** The largest body shape any route takes, checked on that worker before a large body is handed back. */
  bodyShape?: BodyShapeLimits;
  /** The validation pipe's quick accept paths for hot routes' DTOs (class-validator answers the rest). */
  fastValidators?: FastValidators;
  /** Failures of the app's dependencies answered 503 + Retry-After or 422 rather than 500 (e.g. classifyClickHouseFailure). */
  classifyFailure?: FailureClassifier;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUTS: HttpTimeoutOptions = { handlerMs: 30_000, receiveMs: 10_000 };
/** Longest path parameter the router accepts (model names run to 512 characters, percent-encoded up to 12 each). */
const MAX_PARAM_LENGTH = 8_192;
/** How often Node looks for requests past receiveMs (its default, 30 s, would let them linger). */
const RECEIVE_CHECK_INTERVAL_MS = 1_000;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export { logLevelsFrom };

export type AppModule = Type<unknown> | DynamicModule;

/** Makes the app's shared HTTP services (the rate limiter; the metrics through ObservabilityModule) injectable everywhere, e.g. in the auth guard. */
@Module({})
class HttpPlatformModule {}

function withPlatform(module: AppModule, limiter: RequestRateLimiter, metrics: AppMetrics | undefined): DynamicModule {
  const providers = [{ provide: RequestRateLimiter, useValue: limiter }];
  const imports = metrics ? [ObservabilityModule.forRoot(metrics), module] : [module];
  return { module: HttpPlatformModule, global: true, imports, providers, exports: providers.map((provider) => provider.provide) };
}

function fastifyOptions(
  bodyLimit: number,
  timeouts: HttpTimeoutOptions,
  trustProxy: boolean | number | string[],
): FastifyHttpOptions<Server> & { bodyLimit: number } {
  return {
    bodyLimit,
    trustProxy,
    // A caller's X-Request-ID (a sane one) is kept, so a request can be followed across services.
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors Fastify answers before routing (a bad percent-encoding in the path), in the same shape as the rest.
    frameworkErrors: (error, _request, reply) => {
      const translated = fromFastifyError(error, bodyLimit);
      sendHttpException(reply as FastifyReply, translated instanceof HttpException ? translated : new HttpException('bad request', 400));
    },
    // timeouts.handlerMs is enforced by HandlerDeadline (one timer for all requests), not Fastify's handlerTimeout.
    ...receiveLimits(timeouts),
  };
}

/**
 * A listener's limits on slow clients: headers and body within receiveMs (else 408 and closed: a
 * trickled body cannot hold a connection and its buffer), and a socket idle past both deadlines closed.
 */
export function receiveLimits(timeouts: HttpTimeoutOptions): Pick<FastifyHttpOptions<Server>, 'requestTimeout' | 'connectionTimeout' | 'http'> {
  return {
    requestTimeout: timeouts.receiveMs,
    connectionTimeout: timeouts.handlerMs + timeouts.receiveMs,
    http: {
      requestTimeout: timeouts.receiveMs,
      headersTimeout: Math.min(timeouts.receiveMs, 60_000),
      connectionsCheckingInterval: Math.min(RECEIVE_CHECK_INTERVAL_MS, timeouts.receiveMs),
    },
  };
}

/**
 * A Nest app on Fastify (measured ~5x Express here) with the shared validation pipe, the
 * exception filter (clear 4xx for every malformed request, Retry-After on 429/503), request
 * deadlines and the rate limiter the auth guard applies. Defaults are safe without options.
 */
export async function createHttpApp(module: AppModule, options: HttpAppOptions = {}): Promise<NestFastifyApplication> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const trustProxy = options.trustProxy ?? DEFAULT_TRUST_PROXY.split(',');
  const limiter = new RequestRateLimiter({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit, limitForwardingPeers: trustsByNetwork(trustProxy) });
  const logLevels = options.logLevels ?? logLevelsFrom('log');
  const json = (options.logFormat ?? 'json') === 'json' ? createAppLogger(options.metrics?.app ?? 'http', logLevels) : undefined;
  const app = await NestFactory.create<NestFastifyApplication>(
    withPlatform(module, limiter, options.metrics),
    new HardenedFastifyAdapter(fastifyOptions(bodyLimit, timeouts, trustProxy)),
    {
      logger: json ? new PinoNestLogger(json) : logLevels,
      bufferLogs: false,
      // Fastify's own JSON parser only: Nest's would add form bodies, which no route takes.
      bodyParser: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify parses text/plain by default; only JSON is accepted, anything else is 415.
  fastify.removeContentTypeParser('text/plain');
  const jsonBody = {
    workerMinBytes: options.jsonWorkerMinBytes ?? DEFAULT_JSON_WORKER_MIN_BYTES,
    shape: options.bodyShape ?? DEFAULT_BODY_SHAPE,
    metrics: options.metrics,
  };
  new JsonBodyParser(jsonBody, fastify.getDefaultJsonParser('error', 'error')).install(fastify);
  fastify.addHook('preValidation', rejectRepeatedQueryParams);
  if (options.metrics) instrumentHttp(fastify, options.metrics);
  if (json) logRequests(fastify, json);
  const deadline = new HandlerDeadline<FastifyReply>(timeouts.handlerMs, (reply) => sendHttpException(reply, handlerTimeoutException()));
  fastify.addHook('onRequest', (request, reply, done) => {
    // The request id (the caller's X-Request-ID or a new one) goes back with every answer.
    reply.header('x-request-id', request.id);
    deadline.start(reply);
    const refusal = bodyRefusal(request.headers, request.ip, limiter, bodyLimit, request.socket.remoteAddress);
    if (refusal === undefined) return done();
    // The body is never read: closing the connection spares receiving it too.
    reply.header('connection', 'close');
    sendHttpException(reply, refusal);
  });
  fastify.addHook('onResponse', (_request, reply, done) => {
    deadline.finish(reply);
    done();
  });
  app.useGlobalPipes(createValidationPipe(options.fastValidators));
  app.useGlobalFilters(new HttpExceptionFilter(options.classifyFailure));
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  return app;
}

/** Base URL an app listens on, for logs and tests. */
export async function listenUrl(app: INestApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host}:${actualPort}`;
}
