import { createHash } from 'node:crypto';
import { runIdTag } from '../runs/run-names';

/** Kubernetes appends 11 characters (`-<minutes>`) to a CronJob's name for each Job it starts. */
export const CRONJOB_NAME_MAX = 52;
export const DNS_LABEL_MAX = 63;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function shortHash(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 8);
}

function withHash(cleaned: string, raw: string, max: number, trim: RegExp): string {
  const head = cleaned.slice(0, max - 9).replace(trim, '');
  return head ? `${head}-${shortHash(raw)}` : shortHash(raw);
}

/**
 * A DNS-1123 label of at most `max` characters. A name that is already one is kept; any other
 * (upper case, `_`, too long, …) is cleaned and given a hash of the original, so two different
 * inputs never collapse onto one name (`proj_a` and `proj-a` stay apart).
 */
export function dnsLabel(raw: string, max = DNS_LABEL_MAX): string {
  if (raw.length <= max && DNS_LABEL.test(raw)) return raw;
  return withHash(cleanedLabel(raw), raw, max, /-+$/);
}

function cleanedLabel(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A label value (≤63, alphanumeric ends, `-_.` inside), kept when valid, else cleaned and hashed. */
export function labelValue(raw: string): string {
  if (raw.length <= DNS_LABEL_MAX && LABEL_VALUE.test(raw)) return raw;
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return withHash(cleaned, raw, DNS_LABEL_MAX, /[^A-Za-z0-9]+$/);
}

/** One namespace per organisation. */
export function namespaceFor(prefix: string, orgId: string): string {
  return dnsLabel(`${prefix}${orgId}`);
}

/**
 * `<project>-<job name>`, short enough for the Jobs Kubernetes names after it. Kept as is only
 * when the project id has no `-`: otherwise two pairs could join alike (`sales` + `eu-nightly`,
 * `sales-eu` + `nightly`), and the name gets a hash of the pair.
 */
export function cronJobNameFor(projectId: string, jobName: string): string {
  const joined = `${projectId}-${jobName}`;
  // Without a dash in the project id the joined text is unambiguous: the name it always had.
  if (!projectId.includes('-')) return dnsLabel(joined, CRONJOB_NAME_MAX);
  return withHash(cleanedLabel(joined), JSON.stringify([projectId, jobName]), CRONJOB_NAME_MAX, /-+$/);
}

/** The Kubernetes Job of a triggered run: its job_name and a hash of its id (two triggers in one second are two Jobs). */
export function kubernetesJobNameFor(runJobName: string, runId: string): string {
  return `${dnsLabel(runJobName, DNS_LABEL_MAX - 9)}-${runIdTag(runId)}`;
}
