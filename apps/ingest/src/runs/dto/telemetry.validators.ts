import { isWellFormed, timestampProblem } from '@runstream/events';
import { ValidateBy, ValidationOptions } from 'class-validator';

export const MAX_SUMMARY_KEYS = 64;
/** The JSON of one PATCH's telemetrySummary; the fold bounds the merged summary of a run. */
export const MAX_SUMMARY_BYTES = 16 * 1024;
export const MAX_SAMPLE_KEYS = 32;
const MAX_KEY_LENGTH = 64;
export const MAX_STRING_VALUE = 1024;
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Names that mean something to JavaScript objects; the event schema refuses them as data. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyProblems(field: string, value: Record<string, unknown>, maxKeys: number, tooMany = `must have at most ${maxKeys} keys`): string[] {
  const keys = Object.keys(value);
  const problems = keys.length > maxKeys ? [`${field} ${tooMany}`] : [];
  for (const key of keys.slice(0, maxKeys + 1)) {
    if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
      problems.push(`${field} key ${JSON.stringify(key.slice(0, 80))} must match ${KEY_PATTERN.source} and be at most ${MAX_KEY_LENGTH} long`);
    } else if (RESERVED_KEYS.has(key)) {
      problems.push(`${field} key ${JSON.stringify(key)} is a reserved name`);
    }
  }
  return problems;
}

type Rule = (value: unknown) => string | undefined;

const count: Rule = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number >= 0');
const label: Rule = (v) => (typeof v === 'string' && v.length <= 256 ? undefined : 'must be a string of at most 256 characters');

/** Known summary keys and their rules; other keys may hold any scalar. A Map: client keys never reach a prototype. */
const SUMMARY_RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['rowsLoaded', count],
  ['bytesLoaded', count],
  ['progress', (v) => (typeof v === 'number' && v >= 0 && v <= 100 ? undefined : 'must be a number from 0 to 100')],
  ['currentPhase', label],
  ['currentResource', label],
]);

const anyScalar: Rule = (v) => {
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return undefined;
  if (typeof v === 'string') return v.length <= MAX_STRING_VALUE ? undefined : `must be at most ${MAX_STRING_VALUE} characters`;
  return 'must be a string, number, boolean or null';
};

export function telemetrySummaryProblems(field: string, value: unknown): string[] {
  if (!isPlainObject(value)) return [`${field} must be an object`];
  const problems = keyProblems(field, value, MAX_SUMMARY_KEYS);
  if (problems.length > 0) return problems;
  for (const [key, item] of Object.entries(value)) {
    const rule = SUMMARY_RULES.get(key) ?? anyScalar;
    const problem = item === null ? undefined : typeof item === 'string' && !isWellFormed(item) ? 'must not contain unpaired UTF-16 surrogates' : rule(item);
    if (problem) problems.push(`${field}.${key} ${problem}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (problems.length === 0 && bytes > MAX_SUMMARY_BYTES) problems.push(`${field} must encode to at most ${MAX_SUMMARY_BYTES} bytes of JSON (got ${bytes})`);
  return problems;
}

/** A sample: optional RFC 3339 `at`, then numeric measurements. */
export function telemetrySampleProblems(field: string, value: unknown): string[] {
  if (!isPlainObject(value)) return [`${field} must be an object`];
  const hasAt = Object.hasOwn(value, 'at');
  const problems = keyProblems(field, value, MAX_SAMPLE_KEYS + (hasAt ? 1 : 0), `must hold at most ${MAX_SAMPLE_KEYS} measurements`);
  if (problems.length > 0) return problems;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'at') {
      const problem = typeof item === 'string' ? timestampProblem(item) : 'must be an RFC 3339 date-time string';
      if (problem) problems.push(`${field}.at ${problem}`);
    } else if (typeof item !== 'number' || !Number.isFinite(item)) {
      problems.push(`${field}.${key} must be a finite number`);
    }
  }
  if (Object.keys(value).length === (hasAt ? 1 : 0)) problems.push(`${field} must hold at least one measurement`);
  return problems;
}

export function telemetrySamplesProblems(field: string, value: unknown, maxSamples: number): string[] {
  if (!Array.isArray(value)) return [`${field} must be an array`];
  if (value.length > maxSamples) return [`${field} must hold at most ${maxSamples} samples`];
  return value.flatMap((sample, index) => telemetrySampleProblems(`${field}.${index}`, sample));
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
