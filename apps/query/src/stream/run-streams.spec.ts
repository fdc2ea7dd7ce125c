import { createServer, get, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Caller } from '@runstream/http';
import { RunRow } from '@runstream/clickhouse';
import { RunStreams } from './run-streams.service';
import { RunStreamSource } from './run-stream.source';
import { STREAM_START } from './stream-cursor';
import { StreamTokenWatch } from './stream-token-watch';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

const AT = '2026-02-26 06:00:00.000';
const RUN = { id: 'r', project_id: 'p', status: 'running', kafka_offset: '1', log_generation: 0, log_count: 0, sample_generation: 0, sample_count: 0 };

describe('RunStreams', () => {
  let server: Server;
  let streams: RunStreams;
  let watch: StreamTokenWatch;
  let reads = 0;
  let revoked = false;
  const caller = { orgId: 'org', tokenId: 'token' } as Caller;

  beforeEach(async () => {
    reads = 0;
    revoked = false;
    // A run lookup slow enough for a client to leave while its stream is admitted.
    const source = {
      run: async () => {
        reads += 1;
        await sleep(100);
        return { ...RUN, created_at: AT, updated_at: AT, start_time: AT, end_time: null, telemetry_summary: '{}' } as unknown as RunRow;
      },
      logs: async () => [],
      samples: async () => [],
    } as unknown as RunStreamSource;
    const options = { pollIntervalMs: 20, maxStreamsPerToken: 2, maxStreams: 3, heartbeatMs: 15_000, reconnectMs: 1_000, tokenCheckMs: 50 };
    watch = new StreamTokenWatch(async () => (revoked ? undefined : caller), options);
    streams = new RunStreams(source, options, watch);
    server = createServer((request, response) => {
      const tokenId = typeof request.headers['x-token'] === 'string' ? request.headers['x-token'] : caller.tokenId;
      streams.admit({ ...caller, tokenId }, 'rst_token', 'r', STREAM_START).then(
        (admitted) => admitted.attach(response),
        (error: { getStatus?: () => number }) => response.writeHead(error.getStatus?.() ?? 500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    streams.onModuleDestroy();
    watch.onModuleDestroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const request = get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }, (response) => {
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
    });

  it('gives back the slot, and polls nothing, for a client that left while its stream was admitted', async () => {
    const requests = Array.from({ length: 2 }, () => get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }).on('error', () => undefined));
    // Both admissions are under way (their run lookups started, each taking 100 ms) when the clients leave.
    await until(() => reads === 2);
    for (const request of requests) request.destroy();
    await until(() => streams.openStreams === 0);
    await sleep(300);
    expect(streams.openStreams).toBe(0);
    const readsAfterAdmission = reads;
    await sleep(200);
    expect(reads).toBe(readsAfterAdmission);
    // The token's two slots are free again.
    expect(await open()).toBe(200);
  });

  it("ends a revoked token's open streams and gives their slots back", async () => {
    const ended: Promise<void>[] = [];
    for (let i = 0; i < 2; i++) {
      ended.push(
        new Promise((resolve, reject) => {
          const request = get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }, (response) => {
            response.resume();
            response.on('end', resolve);
          });
          request.on('error', reject);
        }),
      );
    }
    await until(() => streams.openStreams === 2);
    await sleep(150);
    // Still valid: three checks later both streams are open.
    expect(streams.openStreams).toBe(2);
    revoked = true;
    await Promise.all(ended);
    expect(streams.openStreams).toBe(0);
  });

  it('answers 503 past the process-wide number of open streams, whatever the tokens, and admits again once one closes', async () => {
    const held = ['a', 'b', 'c'].map((token) => {
      const request = get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', headers: { 'x-token': token } }, (response) => response.resume());
      request.on('error', () => undefined);
      return request;
    });
    await until(() => streams.openStreams === 3);
    const status = (token: string) =>
      new Promise<number>((resolve, reject) => {
        const request = get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', headers: { 'x-token': token } }, (response) => {
          resolve(response.statusCode ?? 0);
          request.destroy();
        });
        request.on('error', reject);
      });
    // A fourth token: its own budget has room, the process's has none.
    expect(await status('d')).toBe(503);
    held[0].destroy();
    await until(() => streams.openStreams === 2);
    expect(await status('d')).toBe(200);
    for (const request of held) request.destroy();
  });
});
