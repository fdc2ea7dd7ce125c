/** Providers of the Kubernetes backend (kubernetesProviders binds them). */
export const KUBERNETES_CONFIG = Symbol('KUBERNETES_CONFIG');
export const KUBERNETES_CLIENTS = Symbol('KUBERNETES_CLIENTS');
/** JobsForReconcile: every jobs row, deleted ones included (listAllJobsForReconcile). */
export const JOBS_FOR_RECONCILE = Symbol('JOBS_FOR_RECONCILE');
/** ArgvParser: the command → argv parser job validation uses. */
export const ARGV_PARSER = Symbol('ARGV_PARSER');
/** LiveJobsSource of the active backend, for GET /api/v1/jobs[...]. */
export const LIVE_JOBS_SOURCE = Symbol('LIVE_JOBS_SOURCE');
