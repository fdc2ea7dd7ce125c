import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type EnvClass<T extends object> = new () => T;

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((reason) => (reason.startsWith(error.property) ? reason : `${error.property}: ${reason}`)),
  );
}

function validateOne<T extends object>(envClass: EnvClass<T>, env: NodeJS.ProcessEnv): { value: T; problems: string[] } {
  const subset: Record<string, string> = {};
  for (const key of Object.keys(new envClass())) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') subset[key] = raw;
  }
  const value = plainToInstance(envClass, subset, { enableImplicitConversion: true, exposeDefaultValues: true });
  return { value, problems: describe(validateSync(value, { forbidUnknownValues: true })) };
}

type EnvShape = Record<string, EnvClass<object>>;
type LoadedEnv<S extends EnvShape> = { [K in keyof S]: InstanceType<S[K]> };

/**
 * Validates process env against classes whose property names are the env var names
 * (class field initialisers are the defaults). Fails fast naming every bad variable,
 * so a misconfigured app never starts half-way.
 */
export function loadEnv<S extends EnvShape>(shape: S, env: NodeJS.ProcessEnv = process.env): LoadedEnv<S> {
  const loaded: Partial<Record<keyof S, object>> = {};
  const problems: string[] = [];
  for (const key of Object.keys(shape) as (keyof S)[]) {
    const result = validateOne(shape[key], env);
    loaded[key] = result.value;
    problems.push(...result.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded as LoadedEnv<S>;
}

/** Comma-separated list, trimmed, empties dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
