import { jobSpecSchema } from '@runstream/events';
import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { parseCommand } from '../validation/command';
import { scheduleProblem, timezoneProblem } from '../validation/schedule';

/** Absent is fine; null is not (a null would neither keep nor clear a field unambiguously). */
export const Optional = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * A property checked by a function that says why a value is wrong (or undefined when right); the
 * reason becomes the 400's message for the field.
 */
function CheckedBy(name: string, problem: (value: unknown) => string | undefined, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => problem(value) === undefined,
        defaultMessage: (args) => {
          const reason = problem(args?.value) ?? 'is invalid';
          // A reason about a part of the value (`[1]: …`, `.A: …`) follows the name without a space.
          return `${args?.property ?? propertyName}${/^[[.]/.test(reason) ? '' : ' '}${reason}`;
        },
      },
    });
  };
}

const notString = (value: unknown) => (typeof value === 'string' ? undefined : 'must be a string');

export const IsJobCommand = (onlyDbt = false) =>
  CheckedBy('isJobCommand', (value) => {
    if (typeof value !== 'string') return 'must be a string';
    const parsed = parseCommand(value, onlyDbt);
    return parsed.ok ? undefined : parsed.reason;
  });

export const IsCronSchedule = () => CheckedBy('isCronSchedule', (value) => notString(value) ?? scheduleProblem(value as string));

export const IsTimeZoneName = () => CheckedBy('isTimeZoneName', (value) => notString(value) ?? timezoneProblem(value as string));

type SpecField = 'resources' | 'environment' | 'webhook_headers' | 'webhook_events';

/** Checked by the job event schema's own rule for the field, so the API and the event agree. */
export const MatchesJobSpec = (field: SpecField) =>
  CheckedBy(`matchesJobSpec.${field}`, (value) => {
    const result = jobSpecSchema.shape[field].safeParse(value);
    if (result.success) return undefined;
    const issue = result.error.issues[0];
    // `[1]: invalid option: …`, which CheckedBy puts after the field's name: `webhook_events[1]: …`.
    const at = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    return at ? `${at}: ${message}` : message;
  });

/** A process environment cannot hold a NUL character: such a value could never be given to the job's program. */
export const HoldsNoNul = () =>
  CheckedBy('holdsNoNul', (value) => {
    // Anything but an object is the shape check's to refuse.
    if (typeof value !== 'object' || value === null) return undefined;
    const found = Object.entries(value as Record<string, unknown>).find(([, text]) => typeof text === 'string' && text.includes('\u0000'));
    return found ? `value of ${found[0]} must not contain a NUL character` : undefined;
  });

/** What Node's HTTP client sends in a header value: tab, space, visible ASCII and Latin-1 (obs-text); no line break. */
const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A webhook header value the notifier could never send would fail every attempt: refused when the job is written. */
export const SendableHeaderValues = () =>
  CheckedBy('sendableHeaderValues', (value) => {
    // Anything but an object is the shape check's to refuse.
    if (typeof value !== 'object' || value === null) return undefined;
    const found = Object.entries(value as Record<string, unknown>).find(([, text]) => typeof text === 'string' && !SENDABLE_HEADER_VALUE.test(text));
    return found
      ? `value of ${found[0]} can hold only tabs, spaces, printable ASCII and Latin-1 characters (an HTTP header value cannot carry a line break)`
      : undefined;
  });
