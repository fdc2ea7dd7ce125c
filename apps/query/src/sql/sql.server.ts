import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpTimeoutOptions, receiveLimits } from '@runstream/http';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SqlEndpoint } from './sql-endpoint';
import { SqlError } from './sql-error';

export const SQL_LISTEN = Symbol('SQL_LISTEN');

export interface SqlListen {
  /** QUERY_SQL_PORT; 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Largest query body accepted (ClickHouse's own default max_query_size is 256 KiB). */
  bodyLimit: number;
  /** A query's longest answer time, and how long its headers and body may take to arrive. */
  timeouts: HttpTimeoutOptions;
  /** Answer bytes held for clients still reading them; past it, queries get 503 before they run. */
  maxUnsentBytes: number;
}

/**
 * The ClickHouse-HTTP-compatible SQL endpoint's own listener (QUERY_SQL_PORT, 8123 by default):
 * BI tools expect it on a port of its own, at `/`, with ClickHouse's paths and no Nest routing.
 */
@Injectable()
export class SqlServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SqlServer');
  private server?: FastifyInstance;
  private unsentBytes = 0;
  /** Where it listens, once started. */
  url?: string;

  constructor(
    private readonly endpoint: SqlEndpoint,
    @Inject(SQL_LISTEN) private readonly listen: SqlListen,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = Fastify({ bodyLimit: this.listen.bodyLimit, ...receiveLimits(this.listen.timeouts) });
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const sqlRequest = { method: request.method, ip: request.ip, url: request.url, headers: request.headers, body: request.body as Buffer | undefined };
      const response =
        this.unsentBytes < this.listen.maxUnsentBytes
          ? await this.endpoint.handle(sqlRequest)
          : await this.endpoint.refused(sqlRequest, answersBacklogged(this.unsentBytes));
      // Held until the client has read it all or gone: answers of slow readers add up here.
      const bytes = response.body.length;
      this.unsentBytes += bytes;
      reply.raw.once('close', () => {
        this.unsentBytes -= bytes;
      });
      return reply.code(response.status).headers(response.headers).send(response.body);
    };
    server.get('/', handle);
    server.post('/', handle);
    server.get('/ping', async (_request, reply) => reply.type('text/plain; charset=UTF-8').send('Ok.\n'));
    try {
      this.url = await server.listen({ port: this.listen.port, host: this.listen.host });
    } catch (error) {
      // The read API must not go down with it (e.g. a second local query app on 8123): say so loudly and serve the rest.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      this.logger.error(`SQL endpoint NOT started: port ${this.listen.port} is in use (set QUERY_SQL_PORT, or -1 to turn it off)`);
      await server.close();
      return;
    }
    this.server = server;
    this.logger.log(`ClickHouse-compatible SQL endpoint for BI tools on ${this.url} (docs/bi.md)`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}

function answersBacklogged(unsentBytes: number): SqlError {
  const mib = Math.round(unsentBytes / 2 ** 20);
  return new SqlError(503, 202, 'TOO_MANY_SIMULTANEOUS_QUERIES', `${mib} MiB of earlier answers are still being read by their clients; retry shortly`, 1);
}
