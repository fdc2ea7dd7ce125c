import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@runstream/testing';
import type { KubernetesClients, V1Container, V1CronJob, V1Job } from '../../apps/control/src/kubernetes/kubernetes.client';

const RUNNER = join(REPO_ROOT, 'dist', 'apps', 'runner', 'src', 'main.js');

export interface Pod {
  exitCode: Promise<number>;
  output: () => string;
  child: ChildProcess;
}

/** The `runner` container of a CronJob's or a Job's pod template. */
export function runnerOf(template: V1CronJob | V1Job): V1Container {
  const spec = (template as V1CronJob).spec?.jobTemplate?.spec ?? (template as V1Job).spec;
  const container = spec?.template.spec?.containers.find((c) => c.name === 'runner');
  if (!container) throw new Error(`no runner container in ${template.metadata?.name}`);
  return container;
}

/** The container's env as the kubelet resolves it: values, Secret keys, and the downward API fields the templates use. */
async function resolveEnv(clients: KubernetesClients, container: V1Container, namespace: string, jobName: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const { value, valueFrom } = variable;
    if (value !== undefined) env[variable.name] = value;
    else if (valueFrom?.secretKeyRef) {
      const secret = await clients.core.readNamespacedSecret({ name: valueFrom.secretKeyRef.name ?? '', namespace });
      env[variable.name] = Buffer.from(secret.data?.[valueFrom.secretKeyRef.key] ?? '', 'base64').toString('utf8');
    } else if (valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = namespace;
    else if (valueFrom?.fieldRef?.fieldPath === "metadata.labels['batch.kubernetes.io/job-name']") env[variable.name] = jobName;
    else throw new Error(`the test's kubelet cannot resolve ${JSON.stringify(variable)}`);
  }
  return env;
}

/**
 * One pod of a Job, started as the kubelet would start the runner image: its entrypoint program
 * (the built runner) with the container's args, env resolved from the API server, on top of the
 * image's own env (`imageEnv`: its PATH, and what a test adds).
 */
export async function startPod(
  clients: KubernetesClients,
  container: V1Container,
  namespace: string,
  jobName: string,
  imageEnv: Record<string, string>,
  /** Replaces resolved values, as if the Secret held something else (an operator's mistake). */
  resolvedOverrides: Record<string, string> = {},
): Promise<Pod> {
  const env = {
    HOSTNAME: `${jobName}-${Math.random().toString(36).slice(2, 7)}`,
    ...imageEnv,
    ...(await resolveEnv(clients, container, namespace, jobName)),
    ...resolvedOverrides,
  };
  let output = '';
  const child = spawn(process.execPath, [RUNNER, ...(container.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
  return { exitCode, output: () => output, child };
}
