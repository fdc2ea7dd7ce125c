/**
 * The concurrency section's PostgreSQL load: `connections` clients of one pg.Pool, each sending
 * the next request of the mix as soon as its last one answered, for `seconds` (as autocannon does
 * for ours). A request is its statements run one after another; every request's time is kept,
 * so p50 and p95 are exact.
 */
import { Pool } from 'pg';
import type { ReadLoad } from './concurrency-load';
import type { Statement } from './peer-queries';
import { percentile } from './support';

export async function peerLoad(pool: Pool, connections: number, seconds: number, requests: Statement[][]): Promise<ReadLoad> {
  // Connections are opened before the clock starts, as autocannon's are.
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      try {
        while (performance.now() < deadline) {
          const statements = requests[next++ % requests.length];
          const sent = performance.now();
          try {
            for (const statement of statements) await client.query(statement);
            times.push(performance.now() - sent);
          } catch (error) {
            errors += 1;
            if (errors === 1) console.error(`PostgreSQL load: ${String(error)}`);
          }
        }
      } finally {
        client.release();
      }
    }),
  );
  // Requests in flight at the deadline are waited for and counted, over the time that took.
  const elapsed = (performance.now() - started) / 1000;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    rps: Math.round(times.length / elapsed),
    p50: round(percentile(times, 0.5)),
    p95: round(percentile(times, 0.95)),
    non2xx: errors,
    refused: errors ? { 'SQL error': errors } : {},
    errors,
  };
}
