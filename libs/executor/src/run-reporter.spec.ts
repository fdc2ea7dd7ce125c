import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { IngestClient } from './ingest-client';
import { RunReporter } from './run-reporter';

/** A local ingest that refuses any PATCH carrying an errorSummary (as it refuses half a surrogate pair) and records the rest. */
async function refusingIngest(): Promise<{ server: Server; url: string; accepted: Record<string, unknown>[] }> {
  const accepted: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (body.errorSummary !== undefined)
        return response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"errorSummary: not well-formed"}');
      accepted.push(body);
      response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted };
}

describe('RunReporter', () => {
  it('sends the final status alone when ingest refuses the body it rode on, so the run still ends', async () => {
    const ingest = await refusingIngest();
    const errors: string[] = [];
    const logger = { log: () => undefined, warn: () => undefined, error: (message: string) => errors.push(message) };
    const reporter = new RunReporter(new IngestClient(ingest.url, 'gw'), 'run_1', {
      executorId: 'agent-1',
      flushMs: 10,
      heartbeatMs: 60_000,
      logger,
      finalDeadline: () => Date.now() + 10_000,
    });
    try {
      reporter.started(new Date());
      reporter.line('error', 'Database Error in model orders');
      await reporter.finish('failed', 'Database Error in model orders');
      const final = ingest.accepted[ingest.accepted.length - 1];
      expect(final).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
      expect(final.appendLog).toBeUndefined();
      expect(errors.join('\n')).toContain('sending its status alone');
    } finally {
      await new Promise((resolve) => ingest.server.close(resolve));
    }
  });
});
