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

/** A port free right now (a process restarted later binds it again: it must stay fixed). */
export async function freePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/** Two consecutive free ports (a KRaft broker listens on port and port + 1). */
export async function freePortPair(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = await freePort();
    if (port < 65535 && (await listenOn(port + 1)) !== undefined) return port;
  }
  throw new Error('no two consecutive free ports');
}
