/**
 * One autocannon load, in its own process (argv[2] = JSON options), rotating requests over
 * many run ids as real runners do. Prints autocannon's JSON result.
 */
import autocannon from 'autocannon';
import type { LoadOptions } from './ingest';

const options = JSON.parse(process.argv[2]) as LoadOptions;
let next = 0;
autocannon(
  {
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.rate,
    requests: [
      {
        method: options.method,
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        setupRequest: (request) => ({ ...request, path: options.paths[next++ % options.paths.length] }),
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
