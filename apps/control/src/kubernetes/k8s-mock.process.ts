import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../../..');
const SCRIPT = join(ROOT, 'deploy', 'k8s-mock', 'k8s-mock.sh');

export interface K8sMockProcess {
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/**
 * Starts fabric8's CRUD-mode API server (deploy/k8s-mock/k8s-mock.sh) on a free port with its
 * own state dir, for one test file: a real HTTP API server process, nothing mocked in the client.
 */
export async function startK8sMock(): Promise<K8sMockProcess> {
  const home = join(ROOT, '.data', `k8s-mock-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  const env = { ...process.env, K8S_MOCK_HOME: home, K8S_MOCK_PORT: '0' };
  const { stdout } = await run(SCRIPT, ['start'], { env, timeout: 600_000 });
  return {
    kubeconfigPath: stdout.trim().split('\n').pop() ?? '',
    stop: async () => {
      await run(SCRIPT, ['stop'], { env, timeout: 60_000 });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
