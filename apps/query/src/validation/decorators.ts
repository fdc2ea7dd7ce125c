import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy, ValidationArguments } from 'class-validator';
import { isCalendarDate, MAX_DATE, MAX_PAGE_OFFSET, maxPage, MIN_DATE, pageWithinWindow, parseDecimalInteger, parseTimestamp } from './bounds';

/**
 * A query-string integer in [min, max], written as plain decimal digits. Anything else
 * (1e300, -0, 1.5, 0x10, " 1", "", a repeated parameter) stays as sent and fails @IsInt,
 * so the 400 names the field.
 */
export function QueryInteger(min: number, max: number, meaning = ''): PropertyDecorator {
  const range = `${min} to ${max}${meaning ? `, ${meaning}` : ''}`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseDecimalInteger(value) ?? value),
    IsInt({ message: ({ property }) => `${property} must be a whole number written in plain decimal digits (${range})` }),
    Min(min, { message: ({ property }) => `${property} must be at least ${min} (${range})` }),
    Max(max, { message: ({ property }) => `${property} must be at most ${max} (${range})` }),
  ) as PropertyDecorator;
}

/** An RFC 3339 timestamp between 1970-01-01T00:00:00Z and 2299-12-31T23:59:59.999Z. */
export function IsBoundedTimestamp(): PropertyDecorator {
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

/** `page` of a DTO that also has `limit`: the page may not start deeper than MAX_PAGE_OFFSET rows. */
export function WithinPageWindow(): PropertyDecorator {
  return ValidateBy({
    name: 'withinPageWindow',
    validator: {
      validate: (page: unknown, args?: ValidationArguments) => {
        const limit = (args?.object as { limit?: unknown } | undefined)?.limit;
        // An invalid page or limit gets its own message from its own checks.
        if (!Number.isSafeInteger(page) || !Number.isSafeInteger(limit) || (limit as number) < 1) return true;
        return pageWithinWindow(page as number, limit as number);
      },
      defaultMessage: (args?: ValidationArguments) => {
        const limit = (args?.object as { limit: number }).limit;
        return `page must be at most ${maxPage(limit)} with limit=${limit}: pages may start at most ${MAX_PAGE_OFFSET} rows deep; narrow the results with filters or page by updated_after`;
      },
    },
  });
}
