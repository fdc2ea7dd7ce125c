import { DynamicModule, INestApplicationContext, Logger as NestLogger, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import pino, { Level, Logger } from 'pino';

/** `json`: one JSON object per line (pino), for log pipelines; `text`: Nest's colored lines, for a terminal. */
export type LogFormat = 'json' | 'text';

const ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
const PINO_LEVELS: Record<LogLevel, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };
const QUIET_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

/** Nest log levels at or above the given one ('log' when it is not one). */
export function logLevelsFrom(level: string): LogLevel[] {
  const index = ORDER.indexOf(level as LogLevel);
  return ORDER.slice(index < 0 ? 2 : index);
}

/** One pino logger per app (not one per process: `npm start` and the tests run several apps in one), every line named `app`. */
export function createAppLogger(app: string, levels: readonly LogLevel[]): Logger {
  const level = PINO_LEVELS[ORDER.find((candidate) => levels.includes(candidate)) ?? 'log'];
  return pino({ level, base: { app }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
}

/**
 * Nest's logging through pino: `context` (the Nest logger's name) and the message; an Error's
 * stack as `stack`. A small adapter rather than nestjs-pino, whose root logger is one per
 * process and would name every app after the first.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest passes (message, stack, context) for errors.
    const [stack, ...rest] = params;
    this.write('error', message, rest, typeof stack === 'string' ? stack : undefined);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[], stack?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const fields = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

interface CallerOf {
  caller?: { orgId: string; tokenId: string };
}

/**
 * One line per answered request: request id (the caller's X-Request-ID or a new one), method,
 * route pattern, URL, status, milliseconds, and the organisation and token id once the request
 * was authenticated. Probes and scrapes are left out; headers (credentials) never go in.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && QUIET_ROUTES.has(route)) return done();
    const status = reply.statusCode;
    const level: Level = status >= 500 ? (status === 500 ? 'error' : 'warn') : 'info';
    if (logger.isLevelEnabled(level)) {
      const caller = (request as CallerOf).caller;
      logger[level](
        {
          reqId: request.id,
          method: request.method,
          route: route ?? null,
          url: request.url,
          status,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          ...(caller ? { orgId: caller.orgId, tokenId: caller.tokenId } : {}),
        },
        'request',
      );
    }
    done();
  });
}

/** A Nest application context (the apps without an HTTP API) logging in `format`. */
export function createLoggedContext(app: string, module: DynamicModule, levels: LogLevel[], format: LogFormat): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(module, { logger: format === 'json' ? new PinoNestLogger(createAppLogger(app, levels)) : levels });
}

/**
 * For a process without a Nest application (the agent, a Kubernetes pod's runner): every
 * `new Logger(...)` writes at LOG_LEVEL in LOG_FORMAT, as the apps do, JSON by default.
 */
export function configureStandaloneLogging(app: string, config: { level: string; format: LogFormat }): void {
  const levels = logLevelsFrom(config.level);
  NestLogger.overrideLogger(config.format === 'json' ? new PinoNestLogger(createAppLogger(app, levels)) : levels);
}
