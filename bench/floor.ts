/**
 * Section 4's floor: bench/floor-server.ts on the query data set, timed over the same requests
 * as run (v1) (the same run ids, warm-up and count), one at a time.
 */
import { compiled } from './context';
import { RunSample } from './dataset';
import { ENDPOINTS, Latency, summarizeLatencies, timeRequests } from './queries';
import { startServer } from './support';

export const FLOOR_NAME = 'floor: Fastify + token check + one chDB SELECT by key';
/** The single-run endpoints, each held to FLOOR_RATIO × the floor's p50. */
export const SINGLE_RUN_ENDPOINTS = ['run (v1)', 'run logs', 'run (write-API shape)'];
export const FLOOR_RATIO = 1.5;

/** `env` points at the data set (CLICKHOUSE_PATH, CLICKHOUSE_DATABASE), which no other process may hold. */
export async function measureFloor(env: NodeJS.ProcessEnv, tokens: Record<string, string>, samples: RunSample[], anchor: number): Promise<Latency> {
  const server = await startServer(process.execPath, [compiled('bench', 'floor-server')], env, /(http:\/\/127\.0\.0\.1:\d+)/);
  try {
    const drawIndex = ENDPOINTS.findIndex((e) => e.name === SINGLE_RUN_ENDPOINTS[0]);
    const floor = { name: FLOOR_NAME, path: (s: RunSample) => `/floor/projects/${s.project_id}/runs/${s.id}` };
    const latency = summarizeLatencies(await timeRequests(server.match[1], tokens, samples, anchor, floor, drawIndex));
    console.log(`  ${FLOOR_NAME}: p50 ${latency.p50} ms, p95 ${latency.p95} ms`);
    return latency;
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
}
