import type { V1Container, V1CronJob, V1EnvVar } from './kubernetes.client';
import { RUNNER_CONTAINER } from './cronjob-manifest';

/** Key order and object prototypes (objects the client library built vs ours) do not count. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    ) ?? 'undefined'
  );
}

function pick(labels: Record<string, string> | undefined, keys: string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((key) => [key, labels?.[key]]));
}

/** Only what we set: a real API server adds defaults (fieldRef.apiVersion, pull policy, …) that are not drift. */
function envProjection(env: V1EnvVar[] | undefined): unknown[] {
  return (env ?? []).map((v) => ({
    name: v.name,
    value: v.value ?? null,
    secret: v.valueFrom?.secretKeyRef ? `${v.valueFrom.secretKeyRef.name}/${v.valueFrom.secretKeyRef.key}` : null,
    field: v.valueFrom?.fieldRef?.fieldPath ?? null,
  }));
}

function runner(cronJob: V1CronJob): V1Container | undefined {
  return cronJob.spec?.jobTemplate.spec?.template.spec?.containers.find((c) => c.name === RUNNER_CONTAINER);
}

/**
 * The managed fields where `actual` differs from `desired`, by name (empty: in sync). Labels and
 * annotations are compared on the keys `desired` sets, so others' additions are left alone.
 */
export function cronJobDrift(desired: V1CronJob, actual: V1CronJob): string[] {
  const want = runner(desired);
  const have = runner(actual);
  const labelKeys = Object.keys(desired.metadata?.labels ?? {});
  const annotationKeys = Object.keys(desired.metadata?.annotations ?? {});
  const podSpec = (c: V1CronJob) => c.spec?.jobTemplate.spec?.template.spec;
  const checks: [string, unknown, unknown][] = [
    ['metadata.labels', pick(desired.metadata?.labels, labelKeys), pick(actual.metadata?.labels, labelKeys)],
    ['metadata.annotations', pick(desired.metadata?.annotations, annotationKeys), pick(actual.metadata?.annotations, annotationKeys)],
    ['spec.schedule', desired.spec?.schedule, actual.spec?.schedule],
    ['spec.timeZone', desired.spec?.timeZone, actual.spec?.timeZone],
    ['spec.suspend', desired.spec?.suspend ?? false, actual.spec?.suspend ?? false],
    ['spec.concurrencyPolicy', desired.spec?.concurrencyPolicy, actual.spec?.concurrencyPolicy],
    ['spec.startingDeadlineSeconds', desired.spec?.startingDeadlineSeconds, actual.spec?.startingDeadlineSeconds],
    ['jobTemplate.labels', pick(desired.spec?.jobTemplate.metadata?.labels, labelKeys), pick(actual.spec?.jobTemplate.metadata?.labels, labelKeys)],
    ['jobTemplate.backoffLimit', desired.spec?.jobTemplate.spec?.backoffLimit, actual.spec?.jobTemplate.spec?.backoffLimit],
    ['pod.restartPolicy', podSpec(desired)?.restartPolicy, podSpec(actual)?.restartPolicy],
    ['pod.securityContext', podSpec(desired)?.securityContext ?? {}, podSpec(actual)?.securityContext ?? {}],
    ['pod.containers', podSpec(desired)?.containers.length, podSpec(actual)?.containers.length],
    ['runner.image', want?.image, have?.image],
    ['runner.command', want?.command ?? null, have?.command ?? null],
    ['runner.args', want?.args ?? [], have?.args ?? []],
    ['runner.env', envProjection(want?.env), envProjection(have?.env)],
    ['runner.resources', want?.resources ?? {}, have?.resources ?? {}],
    ['runner.securityContext', want?.securityContext ?? {}, have?.securityContext ?? {}],
  ];
  return checks.filter(([, a, b]) => canonical(a) !== canonical(b)).map(([field]) => field);
}
