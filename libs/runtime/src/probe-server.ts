import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Path → what it answers now; a route answers its own failures (a rejection becomes a bare 503). */
export type ProbeRoutes = Record<string, () => ProbeAnswer | Promise<ProbeAnswer>>;

/**
 * The small HTTP surface of the apps that have no API (the materializer, the notifier): GET /health
 * and GET /metrics on their own port, anything else 404. Plain node:http, since a framework would
 * be the larger part of it.
 */
export class ProbeServer {
  private readonly server: Server;

  constructor(routes: ProbeRoutes) {
    this.server = createServer((request, response) => {
      const route = routes[request.url ?? ''];
      if (!route) return void response.writeHead(404).end();
      Promise.resolve()
        .then(route)
        .then(({ status, headers, body }) => response.writeHead(status, headers).end(body))
        .catch((error: Error) => response.writeHead(503).end(error.message));
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, host, resolve));
  }

  /** The bound port (useful when it was 0); 0 before listen(). */
  port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops listening and drops idle keep-alive connections, so shutdown does not wait on a scraper. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
