import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRYPOINT = join(__dirname, '..', '..', 'deploy', 'docker', 'entrypoint.sh');

/** The image's entrypoint run with a `node` on PATH that prints what it was given instead of starting an app. */
function launch(app: string, env: Record<string, string> = {}, args: string[] = []): string {
  const bin = mkdtempSync(join(tmpdir(), 'entrypoint-'));
  try {
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "NODE_OPTIONS=${NODE_OPTIONS:-} ARGS=$*"\n');
    chmodSync(join(bin, 'node'), 0o755);
    return execFileSync('sh', [ENTRYPOINT, app, ...args], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' }).trim();
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('deploy/docker/entrypoint.sh', () => {
  it("bounds the materializer's heap by its in-flight budget: 256 MiB by default", () => {
    expect(launch('materializer')).toBe('NODE_OPTIONS= --max-old-space-size=256 ARGS=/app/dist/apps/materializer/src/main.js');
  });

  it('grows the bound with MATERIALIZER_MAX_BYTES_IN_FLIGHT, and leaves a bound already in NODE_OPTIONS alone', () => {
    expect(launch('materializer', { MATERIALIZER_MAX_BYTES_IN_FLIGHT: String(64 * 1024 * 1024) })).toContain('--max-old-space-size=640 ');
    expect(launch('materializer', { NODE_OPTIONS: '--max-old-space-size=2048' })).toBe(
      'NODE_OPTIONS=--max-old-space-size=2048 ARGS=/app/dist/apps/materializer/src/main.js',
    );
  });

  it("hands a Kubernetes job pod's args (the job's argv) to the runner untouched", () => {
    expect(launch('runner', {}, ['dbt', 'build', '--select', 'tag:nightly'])).toBe(
      'NODE_OPTIONS= ARGS=/app/dist/apps/runner/src/main.js dbt build --select tag:nightly',
    );
  });

  it('sets no bound for the other apps', () => {
    expect(launch('ingest')).toBe('NODE_OPTIONS= ARGS=/app/dist/apps/ingest/src/main.js');
  });
});
