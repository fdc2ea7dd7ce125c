import { join } from 'node:path';
import { ROOT } from './support';

/** What every benchmark section gets from the runner. */
export interface BenchContext {
  quick: boolean;
  /** Medians are taken over this many runs. */
  runs: number;
  /** Environment for app processes: the bench broker, TZ=UTC, PORT=0. */
  env: NodeJS.ProcessEnv;
}

export const DIST = join(ROOT, 'dist');

/** Entry point of an app in dist/. */
export function appMain(name: 'ingest' | 'materializer' | 'query'): string {
  return join(DIST, 'apps', name, 'src', 'main.js');
}

export function compiled(...parts: string[]): string {
  return `${join(DIST, ...parts)}.js`;
}

/** A fresh scratch directory name under .data/ for one benchmark's engine data. */
export function scratch(name: string): string {
  return join(ROOT, '.data', `bench-${name}`);
}

export const pass = (ok: boolean): string => (ok ? 'met' : '**missed**');

/**
 * The heap bound deploy/docker/entrypoint.sh gives the materializer at the default
 * MATERIALIZER_MAX_BYTES_IN_FLIGHT (16 MiB): the bench runs it as the image does.
 */
export const MATERIALIZER_HEAP_ARGS = ['--max-old-space-size=256'];

/**
 * Node flags for the measured app processes: with BENCH_PROFILE=1 each writes a V8 CPU profile
 * (.cpuprofile, open in Chrome DevTools) to .data/bench-profiles when it exits.
 */
export function appNodeArgs(): string[] {
  return process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${scratch('profiles')}`] : [];
}
