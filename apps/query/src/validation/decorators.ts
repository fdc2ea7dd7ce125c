import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';
import { isCalendarDate, MAX_DATE, MIN_DATE, parseTimestamp } from './bounds';

/** `…:00 00:00`: a `+00:00` offset whose `+` a query string decoded as a space (a URL built without encoding). */
const SPACE_FOR_PLUS_OFFSET = /(\d) (\d{2}:\d{2})$/;

/**
 * An RFC 3339 timestamp between 1970-01-01T00:00:00Z and 2299-12-31T23:59:59.999Z. A `+` offset
 * that arrived as a space (`?updated_after=2026-02-26T06:00:00.123456+00:00` unencoded) is read as
 * the `+` it was: no timestamp has a space there otherwise.
 */
export function IsBoundedTimestamp(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(SPACE_FOR_PLUS_OFFSET, '$1+$2') : value)),
    boundedTimestamp(),
  ) as PropertyDecorator;
}

function boundedTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isBoundedTimestamp',
    validator: {
      validate: (value: unknown) => parseTimestamp(value) !== undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an RFC 3339 timestamp such as 2026-02-26T06:12:34.123Z, between 1970-01-01T00:00:00Z and 2299-12-31T23:59:59.999Z`,
    },
  });
}

/** A real calendar date YYYY-MM-DD within ClickHouse's Date range. */
export function IsBoundedDate(): PropertyDecorator {
  return ValidateBy({
    name: 'isBoundedDate',
    validator: {
      validate: (value: unknown) => isCalendarDate(value),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be a date YYYY-MM-DD between ${MIN_DATE} and ${MAX_DATE}`,
    },
  });
}
