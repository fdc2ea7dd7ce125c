import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { Logger } from '@nestjs/common';
import { RetryLaterException, serviceUnavailable } from '@runstream/http';
import type { KubernetesConfig } from './kubernetes.env';

/**
 * @kubernetes/client-node is ESM-only. Node 20.20's own require loads it (require(esm)), but
 * jest's module runtime (which also stands in for `node:module`) does not, so every value import
 * of the library goes through a require made by the real `node:module` here. Types come from this file too: a CommonJS file may import an ESM package's types
 * only with a resolution-mode attribute, so it is written once.
 */
let loaded: typeof K8s | undefined;

/** Loaded on first use (about a second): an app with CONTROL_KUBERNETES=off never pays for it. */
export function k8s(): typeof K8s {
  loaded ??= process.getBuiltinModule('node:module').createRequire(__filename)('@kubernetes/client-node') as typeof K8s;
  return loaded;
}

export type V1CronJob = K8s.V1CronJob;
export type V1Job = K8s.V1Job;
export type V1Container = K8s.V1Container;
export type V1EnvVar = K8s.V1EnvVar;
export type V1JobTemplateSpec = K8s.V1JobTemplateSpec;
export type V1ResourceRequirements = K8s.V1ResourceRequirements;
export type V1Pod = K8s.V1Pod;
export type V1PodSecurityContext = K8s.V1PodSecurityContext;
export type V1SecurityContext = K8s.V1SecurityContext;
export type CoreV1Api = K8s.CoreV1Api;
export type BatchV1Api = K8s.BatchV1Api;

export interface KubernetesClients {
  core: K8s.CoreV1Api;
  batch: K8s.BatchV1Api;
}

export function loadKubeConfig(config: Pick<KubernetesConfig, 'mode' | 'kubeconfigPath'>): K8s.KubeConfig {
  const kubeConfig = new (k8s().KubeConfig)();
  if (config.mode === 'in-cluster') kubeConfig.loadFromCluster();
  else if (config.kubeconfigPath) kubeConfig.loadFromFile(config.kubeconfigPath);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/**
 * The clients, as KubeConfig.makeApiClient builds them plus a deadline on every call: the
 * library sets none, so an API server that takes the connection and never answers would hold
 * a reconcile pass (and every pass queued behind it) or a trigger for good.
 */
export function createKubernetesClients(config: Pick<KubernetesConfig, 'mode' | 'kubeconfigPath' | 'requestTimeoutMs'>): KubernetesClients {
  const kubeConfig = loadKubeConfig(config);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const configuration = k8s().createConfiguration({
    baseServer: new (k8s().ServerConfiguration)(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [requestDeadline(config.requestTimeoutMs)],
  });
  return { core: new (k8s().CoreV1Api)(configuration), batch: new (k8s().BatchV1Api)(configuration) };
}

function requestDeadline(ms: number): K8s.Middleware {
  return {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return Promise.resolve(context);
    },
    post: (response) => Promise.resolve(response),
  };
}

/** The HTTP status of a failed API call (ApiException.code), or undefined for a transport error. */
export function apiStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The Status object's reason and message of a failed API call (ApiException.body), when it has one. */
function statusOf(error: unknown): { reason?: string; message?: string } {
  const body = (error as { body?: unknown } | null)?.body;
  try {
    const status: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    if (typeof status !== 'object' || status === null) return {};
    const { reason, message } = status as Record<string, unknown>;
    return { reason: typeof reason === 'string' ? reason : undefined, message: typeof message === 'string' ? message : undefined };
  } catch {
    return {};
  }
}

/**
 * What a tenant may be told of a failed API call (a run's error_summary, a trigger's 503): the
 * status and the Status reason, and the message only for 422 Invalid, which is about the manifest
 * its job made. Other messages, the exception's headers and a transport error's text name the
 * control plane's service account, namespaces and API server address: those go to the log only.
 */
export function publicKubernetesError(error: unknown): string {
  const status = apiStatus(error);
  if (status === undefined) return 'the Kubernetes API could not be reached';
  const { reason, message } = statusOf(error);
  const detail = status === 422 && message ? `: ${message}` : '';
  return `the Kubernetes API answered ${status}${reason ? ` ${reason}` : ''}${detail}`;
}

const apiLogger = new Logger('KubernetesApi');

/** Retry-After when the API server sends none (priority and fairness' 429s usually do). */
const KUBERNETES_RETRY_AFTER_SECONDS = 5;

/**
 * A failed read of the live-jobs API as the caller should see it: 503 with Retry-After (the API
 * server's own on a 429), since a throttled, failing, forbidden or unreachable API server is a
 * dependency's trouble, not the request's and not a bug.
 */
export function kubernetesUnavailable(error: unknown): RetryLaterException {
  const headers = (error as { headers?: Record<string, string> } | null)?.headers;
  const given = Number(headers?.['retry-after'] ?? headers?.['Retry-After']);
  const retryAfter = Number.isInteger(given) && given > 0 && given <= 600 ? given : KUBERNETES_RETRY_AFTER_SECONDS;
  apiLogger.warn(`a read of the live-jobs API failed: ${error instanceof Error ? error.message : String(error)}`);
  return serviceUnavailable(`${publicKubernetesError(error)}; retry shortly`, retryAfter);
}
