import { ValidateBy, ValidationOptions } from 'class-validator';

const MAX_SUMMARY_KEYS = 64;
const MAX_SAMPLE_KEYS = 32;
const MAX_KEY_LENGTH = 64;
const MAX_STRING_VALUE = 1024;
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyProblems(field: string, value: Record<string, unknown>, maxKeys: number): string[] {
  const keys = Object.keys(value);
  const problems = keys.length > maxKeys ? [`${field} must have at most ${maxKeys} keys`] : [];
  for (const key of keys) {
    if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) problems.push(`${field} key ${JSON.stringify(key.slice(0, 80))} must match ${KEY_PATTERN.source} and be at most ${MAX_KEY_LENGTH} long`);
  }
  return problems;
}

/** Known summary keys and their rules; other keys may hold any scalar. */
const SUMMARY_RULES: Record<string, (value: unknown) => string | undefined> = {
  rowsLoaded: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number >= 0'),
  bytesLoaded: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number >= 0'),
  progress: (v) => (typeof v === 'number' && v >= 0 && v <= 100 ? undefined : 'must be a number from 0 to 100'),
  currentPhase: (v) => (typeof v === 'string' && v.length <= 256 ? undefined : 'must be a string of at most 256 characters'),
  currentResource: (v) => (typeof v === 'string' && v.length <= 256 ? undefined : 'must be a string of at most 256 characters'),
};

export function telemetrySummaryProblems(field: string, value: unknown): string[] {
  if (!isPlainObject(value)) return [`${field} must be an object`];
  const problems = keyProblems(field, value, MAX_SUMMARY_KEYS);
  for (const [key, item] of Object.entries(value)) {
    const rule = SUMMARY_RULES[key];
    const problem = rule
      ? item === null
        ? undefined
        : rule(item)
      : item === null || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))
        ? undefined
        : typeof item === 'string'
          ? item.length <= MAX_STRING_VALUE
            ? undefined
            : `must be at most ${MAX_STRING_VALUE} characters`
          : 'must be a string, number, boolean or null';
    if (problem) problems.push(`${field}.${key} ${problem}`);
  }
  return problems;
}

/** A sample: optional RFC 3339 `at`, then numeric measurements. */
export function telemetrySampleProblems(field: string, value: unknown): string[] {
  if (!isPlainObject(value)) return [`${field} must be an object`];
  const problems = keyProblems(field, value, MAX_SAMPLE_KEYS + 1);
  for (const [key, item] of Object.entries(value)) {
    if (key === 'at') {
      if (typeof item !== 'string' || Number.isNaN(Date.parse(item)) || !/^\d{4}-\d{2}-\d{2}T/.test(item)) problems.push(`${field}.at must be an RFC 3339 timestamp`);
    } else if (typeof item !== 'number' || !Number.isFinite(item)) {
      problems.push(`${field}.${key} must be a finite number`);
    }
  }
  if (Object.keys(value).filter((key) => key !== 'at').length === 0) problems.push(`${field} must hold at least one measurement`);
  return problems;
}

export function telemetrySamplesProblems(field: string, value: unknown, maxSamples: number): string[] {
  if (!Array.isArray(value)) return [`${field} must be an array`];
  if (value.length > maxSamples) return [`${field} must hold at most ${maxSamples} samples`];
  return value.flatMap((sample, index) => telemetrySampleProblems(`${field}[${index}]`, sample));
}

function validateWith(name: string, problems: (field: string, value: unknown) => string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => problems(args?.property ?? '', value).length === 0,
        defaultMessage: (args) => problems(args?.property ?? '', args?.value).join('; '),
      },
    },
    options,
  );
}

export const IsTelemetrySummary = (options?: ValidationOptions) => validateWith('isTelemetrySummary', telemetrySummaryProblems, options);
export const IsTelemetrySample = (options?: ValidationOptions) => validateWith('isTelemetrySample', telemetrySampleProblems, options);
export const IsTelemetrySamples = (maxSamples: number, options?: ValidationOptions) =>
  validateWith('isTelemetrySamples', (field, value) => telemetrySamplesProblems(field, value, maxSamples), options);
