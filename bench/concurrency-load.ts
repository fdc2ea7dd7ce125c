/**
 * One autocannon load for the concurrency section, in its own process (argv[2] = JSON options):
 * GETs rotating over `paths` (or each path once, when `once`), every response's time kept so
 * p50 and p95 are exact. Prints
 * { rps, p50, p95, non2xx, errors } as JSON.
 */
import autocannon from 'autocannon';
import { percentile } from './support';

export interface ReadLoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  paths: string[];
  /** Send each path once, then stop (autocannon's amount, which overrides the duration). */
  once?: boolean;
}

export interface ReadLoad {
  rps: number;
  p50: number;
  p95: number;
  non2xx: number;
  /** Answers other than 2xx, by status code. */
  refused?: Record<string, number>;
  errors: number;
}

const options = JSON.parse(process.argv[2]) as ReadLoadOptions;
const times: number[] = [];
let next = 0;
const round = (ms: number) => Math.round(ms * 10) / 10;
const instance = autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    amount: options.once ? options.paths.length : undefined,
    requests: [{ headers: options.headers, setupRequest: (request) => ({ ...request, path: options.paths[next++ % options.paths.length] }) }],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    const load: ReadLoad = {
      // result.duration is the load's own length: `seconds`, or longer when `once` sends every path.
      rps: Math.round(result.requests.total / result.duration),
      p50: round(percentile(times, 0.5)),
      p95: round(percentile(times, 0.95)),
      non2xx: result.non2xx,
      refused: Object.fromEntries(
        Object.entries(result.statusCodeStats as Record<string, { count: number }>)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, { count }]) => [code, count]),
      ),
      errors: result.errors,
    };
    process.stdout.write(JSON.stringify(load));
  },
);
instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
