#!/usr/bin/env node
/**
 * The image's HEALTHCHECK: exits 0 when the Runstream app in this container answers
 * GET /health with 200, else 1. Node, because the slim base image has no curl or wget.
 *
 * Which app runs: RUNSTREAM_APP when the container's environment sets it, else read from the
 * running processes (a healthcheck is a separate process: it sees the container's environment,
 * not what the entrypoint exported). Ports come from the same variables the apps read, with
 * the same defaults: PORT (ingest 3000, query 3001, control 3003), MATERIALIZER_METRICS_PORT
 * (3002) and NOTIFIER_METRICS_PORT (3004). The agent and the runner have no HTTP surface: each
 * is healthy while its process runs. The one-shot commands (migrate, tokens, bi, rebuild) are
 * always healthy.
 */
'use strict';
const http = require('node:http');
const { readdirSync, readFileSync } = require('node:fs');

const TIMEOUT_MS = 3000;

/** Where each app answers GET /health: [port variable, default port, host variable]. */
const HTTP_APPS = {
  ingest: ['PORT', 3000, 'HOST'],
  query: ['PORT', 3001, 'HOST'],
  control: ['PORT', 3003, 'HOST'],
  materializer: ['MATERIALIZER_METRICS_PORT', 3002, 'MATERIALIZER_METRICS_HOST'],
  notifier: ['NOTIFIER_METRICS_PORT', 3004, 'NOTIFIER_METRICS_HOST'],
};
const PROCESS_ONLY = ['agent', 'runner'];
const ONE_SHOT = ['migrate', 'tokens', 'bi', 'rebuild'];

/**
 * What to probe for an app: { url } for an HTTP probe, { process: true } when only a live
 * process counts, { skip: true } for one-shot commands, undefined for an unknown name.
 */
function healthTarget(app, env) {
  if (ONE_SHOT.includes(app)) return { skip: true };
  if (PROCESS_ONLY.includes(app)) return { process: true };
  const spec = HTTP_APPS[app];
  if (!spec) return undefined;
  const [portVar, defaultPort, hostVar] = spec;
  const port = env[portVar] ? Number(env[portVar]) : defaultPort;
  // A wildcard listen address is reached through loopback; a specific one is probed as given.
  const listen = env[hostVar];
  const host = !listen || listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen;
  return { host, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/health` };
}

/** The app names of the running Runstream processes, from /proc/<pid>/cmdline. */
function runningApps(procDir = '/proc') {
  const apps = [];
  for (const pid of readdirSync(procDir)) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`${procDir}/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    const match = /\/dist\/(?:apps\/([a-z]+)\/src\/main|scripts\/(migrate|tokens|bi|rebuild))\.js\0/.exec(cmdline);
    if (match) apps.push(match[1] ?? match[2]);
  }
  return apps;
}

function probe(target) {
  return new Promise((resolve) => {
    const request = http.get({ host: target.host, port: target.port, path: '/health', timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    request.on('error', (error) => {
      console.error(`${target.url}: ${error.message}`);
      resolve(false);
    });
  });
}

async function main() {
  const running = runningApps();
  const app = process.env.RUNSTREAM_APP || running[0];
  const target = app ? healthTarget(app, process.env) : undefined;
  if (!target) {
    console.error(app ? `unknown app ${app}` : 'no Runstream app is running');
    return false;
  }
  if (target.skip) return true;
  if (target.process) return running.includes(app);
  return probe(target);
}

if (require.main === module) {
  main().then(
    (healthy) => process.exit(healthy ? 0 : 1),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

module.exports = { healthTarget, runningApps };
