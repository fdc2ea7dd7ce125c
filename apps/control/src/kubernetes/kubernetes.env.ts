import { IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, Min, ValidateIf } from 'class-validator';

export type KubernetesMode = 'off' | 'in-cluster' | 'kubeconfig';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The Kubernetes backend's env (docs/kubernetes.md). Off unless CONTROL_KUBERNETES says how to
 * reach a cluster; then CONTROL_KUBERNETES_INGEST_URL is required, because the pods report there.
 */
export class KubernetesEnv {
  @IsIn(['off', 'in-cluster', 'kubeconfig'], { message: 'CONTROL_KUBERNETES must be off, in-cluster or kubeconfig' })
  CONTROL_KUBERNETES: KubernetesMode = 'off';

  /** Kubeconfig file for CONTROL_KUBERNETES=kubeconfig; unset: $KUBECONFIG, then ~/.kube/config. */
  @IsOptional()
  @IsString()
  CONTROL_KUBECONFIG?: string;

  /** Namespace of organisation `acme` is `${prefix}acme` (sanitised to DNS-1123). */
  @Matches(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?-?)?$/, {
    message: 'CONTROL_KUBERNETES_NAMESPACE_PREFIX may contain lower-case letters, digits and - only, and must not start with -',
  })
  CONTROL_KUBERNETES_NAMESPACE_PREFIX = 'runstream-';

  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  CONTROL_KUBERNETES_RESYNC_MS: number = 30_000;

  /** Longest one API server call may take: an API server that takes a connection and never answers must not stall the reconcile loop or a trigger. */
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  CONTROL_KUBERNETES_REQUEST_TIMEOUT_MS: number = 30_000;

  /** Image whose entrypoint is the runstream runner; the job's argv is passed as the container's args. */
  @Matches(/^\S+$/, { message: 'CONTROL_KUBERNETES_RUNNER_IMAGE must be an image reference without spaces' })
  CONTROL_KUBERNETES_RUNNER_IMAGE = 'ghcr.io/runstream/runner:latest';

  /** Where pods send their run reports (ingest's write API), as seen from inside the cluster. */
  @ValidateIf((env: KubernetesEnv) => env.CONTROL_KUBERNETES !== 'off')
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    {
      message: 'CONTROL_KUBERNETES_INGEST_URL must be an http(s) URL when CONTROL_KUBERNETES is on',
    },
  )
  CONTROL_KUBERNETES_INGEST_URL = '';

  /** Secret (in every organisation's namespace) holding that organisation's gateway token. */
  @Matches(DNS_LABEL, { message: 'CONTROL_KUBERNETES_TOKEN_SECRET must be a DNS-1123 name' })
  CONTROL_KUBERNETES_TOKEN_SECRET = 'runstream-gateway-token';

  @Matches(/^[-._a-zA-Z0-9]+$/, { message: 'CONTROL_KUBERNETES_TOKEN_SECRET_KEY must be a Secret key' })
  CONTROL_KUBERNETES_TOKEN_SECRET_KEY = 'token';

  /**
   * The gateway this backend's runs are targeted at: the Secret's token must be a gateway token
   * of this gateway, so the pods may claim and report them (docs/kubernetes.md).
   */
  @Length(1, 128, { message: 'CONTROL_KUBERNETES_GATEWAY must be 1 to 128 characters' })
  @Matches(/^\S+$/, { message: 'CONTROL_KUBERNETES_GATEWAY must not contain spaces' })
  CONTROL_KUBERNETES_GATEWAY = 'kubernetes';

  /** A triggered run whose pod cannot start (image pull, missing Secret) for this long is ended `error`. */
  @IsInt()
  @Min(10_000)
  @Max(86_400_000)
  CONTROL_KUBERNETES_POD_START_TIMEOUT_MS: number = 600_000;

  @IsIn(['Forbid', 'Allow', 'Replace'], { message: 'CONTROL_KUBERNETES_CONCURRENCY_POLICY must be Forbid, Allow or Replace' })
  CONTROL_KUBERNETES_CONCURRENCY_POLICY: 'Forbid' | 'Allow' | 'Replace' = 'Forbid';

  /** Like the local scheduler's single catch-up: a tick missed by more than this is skipped. */
  @IsInt()
  @Min(10)
  @Max(86_400)
  CONTROL_KUBERNETES_STARTING_DEADLINE_SECONDS: number = 300;
}

export interface KubernetesConfig {
  mode: KubernetesMode;
  kubeconfigPath?: string;
  namespacePrefix: string;
  resyncMs: number;
  requestTimeoutMs: number;
  runnerImage: string;
  ingestUrl: string;
  tokenSecret: { name: string; key: string };
  gateway: string;
  podStartTimeoutMs: number;
  concurrencyPolicy: 'Forbid' | 'Allow' | 'Replace';
  startingDeadlineSeconds: number;
}

export function kubernetesConfig(env: KubernetesEnv): KubernetesConfig {
  return {
    mode: env.CONTROL_KUBERNETES,
    kubeconfigPath: env.CONTROL_KUBECONFIG,
    namespacePrefix: env.CONTROL_KUBERNETES_NAMESPACE_PREFIX,
    resyncMs: env.CONTROL_KUBERNETES_RESYNC_MS,
    requestTimeoutMs: env.CONTROL_KUBERNETES_REQUEST_TIMEOUT_MS,
    runnerImage: env.CONTROL_KUBERNETES_RUNNER_IMAGE,
    ingestUrl: env.CONTROL_KUBERNETES_INGEST_URL,
    tokenSecret: { name: env.CONTROL_KUBERNETES_TOKEN_SECRET, key: env.CONTROL_KUBERNETES_TOKEN_SECRET_KEY },
    gateway: env.CONTROL_KUBERNETES_GATEWAY,
    podStartTimeoutMs: env.CONTROL_KUBERNETES_POD_START_TIMEOUT_MS,
    concurrencyPolicy: env.CONTROL_KUBERNETES_CONCURRENCY_POLICY,
    startingDeadlineSeconds: env.CONTROL_KUBERNETES_STARTING_DEADLINE_SECONDS,
  };
}
