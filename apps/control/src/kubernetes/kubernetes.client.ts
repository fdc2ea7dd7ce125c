import { createRequire } from 'node:module';
import type * as K8s from '@kubernetes/client-node';
import type { KubernetesConfig } from './kubernetes.env';

/**
 * @kubernetes/client-node is ESM-only. Node 20.20's own require loads it (require(esm)), but
 * jest's module runtime does not, so every value import of the library goes through Node's real
 * require here; elsewhere only `import type` is used.
 */
const nodeRequire = createRequire(__filename);
export const k8s: typeof K8s = nodeRequire('@kubernetes/client-node');

export interface KubernetesClients {
  core: K8s.CoreV1Api;
  batch: K8s.BatchV1Api;
}

export function loadKubeConfig(config: Pick<KubernetesConfig, 'mode' | 'kubeconfigPath'>): K8s.KubeConfig {
  const kubeConfig = new k8s.KubeConfig();
  if (config.mode === 'in-cluster') kubeConfig.loadFromCluster();
  else if (config.kubeconfigPath) kubeConfig.loadFromFile(config.kubeconfigPath);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

export function createKubernetesClients(config: Pick<KubernetesConfig, 'mode' | 'kubeconfigPath'>): KubernetesClients {
  const kubeConfig = loadKubeConfig(config);
  return { core: kubeConfig.makeApiClient(k8s.CoreV1Api), batch: kubeConfig.makeApiClient(k8s.BatchV1Api) };
}

/** The HTTP status of a failed API call (ApiException.code), or undefined for a transport error. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}
