import { isWellFormed, timestampProblem } from '@runstream/events';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * An RFC 3339 date-time a ClickHouse DateTime64 column can hold: `YYYY-MM-DDThh:mm:ss`,
 * optional fraction, `Z` or `±hh:mm`, 1900–2299 in UTC. IsISO8601 (even strict) also takes
 * week dates and basic formats (`2026-W09`, `20260226T0700Z`) that `new Date` cannot read.
 */
export const IsTimestamp = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (value) => typeof value === 'string' && timestampProblem(value) === undefined,
        defaultMessage: (args) =>
          `${args?.property} ${typeof args?.value === 'string' ? timestampProblem(args.value) : 'must be an RFC 3339 date-time string'}`,
      },
    },
    options,
  );

export const IsWellFormedText = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isWellFormedText',
      validator: {
        validate: (value) => typeof value !== 'string' || isWellFormed(value),
        defaultMessage: (args) => `${args?.property} must not contain unpaired UTF-16 surrogates`,
      },
    },
    options,
  );

/**
 * Keeps a free-form object exactly as the client sent it. class-transformer copies untyped
 * objects key by key and silently skips keys that name a function of Object.prototype
 * (`hasOwnProperty`, `toString`), so such a key would vanish instead of being checked.
 */
export const KeepAsSent = (): PropertyDecorator =>
  Transform(({ obj, key }) => (Object.hasOwn(obj as object, key) ? (obj as Record<string, unknown>)[key] : undefined));
