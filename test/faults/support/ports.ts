import { createServer } from 'node:net';

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Below Linux's ephemeral range (32768-60999 by default): a port the system hands out for listen(0)
 * is also handed to outgoing connections, and the suite's many Kafka and HTTP clients took one
 * between the check and the stack process binding it (EADDRINUSE).
 */
const FIXED_PORTS = { from: 20_000, to: 32_767 };

/** A port free right now (a process restarted later binds it again: it must stay fixed). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries += 1) {
    const candidate = FIXED_PORTS.from + Math.floor(Math.random() * (FIXED_PORTS.to - FIXED_PORTS.from));
    if ((await listenOn(candidate)) !== undefined) return candidate;
  }
  throw new Error('no free port');
}

/** Two consecutive free ports (a KRaft broker listens on port and port + 1). */
export async function freePortPair(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = await freePort();
    if (port < 65535 && (await listenOn(port + 1)) !== undefined) return port;
  }
  throw new Error('no two consecutive free ports');
}
