import { FieldError } from '@runstream/http';
import { JOB_RESOURCE_NAMES, JobResources, RESOURCE_QUANTITY_PATTERN } from '@runstream/events';

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity of RESOURCE_QUANTITY_PATTERN as a number (`500m` → 0.5, `1Gi` → 1073741824); undefined for any other text. */
export function quantityValue(quantity: string): number | undefined {
  if (!RESOURCE_QUANTITY_PATTERN.test(quantity)) return undefined;
  const suffix = /[a-zA-Z]+$/.exec(quantity)?.[0] ?? '';
  return Number(quantity.slice(0, quantity.length - suffix.length)) * SUFFIXES[suffix];
}

/**
 * Kubernetes refuses a container whose request exceeds its limit, so a job asking for that would
 * have no CronJob and every trigger would fail: refused here, naming the request. Checked on writes
 * through the API only, not in the jobs fold: jobs accepted before this rule must replay as they were.
 */
export function resourceProblems(resources: JobResources): FieldError[] {
  const problems: FieldError[] = [];
  for (const name of JOB_RESOURCE_NAMES) {
    const request = resources.requests?.[name];
    const limit = resources.limits?.[name];
    if (request === undefined || limit === undefined) continue;
    const [requested, limited] = [quantityValue(request), quantityValue(limit)];
    if (requested !== undefined && limited !== undefined && requested > limited) {
      problems.push({ field: `resources.requests.${name}`, reasons: [`must not exceed resources.limits.${name} (${request} > ${limit})`] });
    }
  }
  return problems;
}
